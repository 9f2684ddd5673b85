import { sql } from 'kysely';
import { all, one, run, type Queries } from '../db/engine';
import { inList } from '../db/dialect';
import { bumpGenerationOf, changing } from '../db/generation';

export interface QrCode {
  id: number;
  campaignId: number;
  token: string;
  label: string;
  placeId: number | null;
  scanCount: number;
  createdAt: string;
}

/** A code with its submission count, for the staff list (scans come from the row plus the buffered counter). */
export interface QrCodeWithCounts extends QrCode { submissions: number }

export interface NewQrCode { token: string; label: string; placeId: number | null }

interface Row { id: number; campaign_id: number; token: string; label: string; place_id: number | null; scan_count: number; created_at: string }
const toQr = (r: Row): QrCode => ({
  id: r.id, campaignId: r.campaign_id, token: r.token, label: r.label, placeId: r.place_id, scanCount: r.scan_count, createdAt: r.created_at,
});

/** Codes per statement of addScans: well under either engine's limit of parameters. */
const SCANS_PER_STATEMENT = 500;

export function createQrRepo(on: Queries) {
  const code = async (query: ReturnType<typeof sql<Row>>) => { const r = await one<Row>(on, query); return r ? toQr(r) : undefined; };
  const insert = async (campaignId: number, token: string, label: string, placeId: number | null): Promise<number> =>
    (await one<{ id: number }>(on, sql`INSERT INTO qr_codes (campaign_id, token, label, place_id)
      VALUES (${campaignId}, ${token}, ${label}, ${placeId}) RETURNING id`))!.id;
  const placeTaken = async (campaignId: number, placeId: number): Promise<boolean> =>
    (await one(on, sql`SELECT id FROM qr_codes WHERE campaign_id = ${campaignId} AND place_id = ${placeId} LIMIT 1`)) !== undefined;
  return {
    findByToken: (token: string): Promise<QrCode | undefined> => code(sql<Row>`SELECT * FROM qr_codes WHERE token = ${token}`),
    findById: (id: number): Promise<QrCode | undefined> => code(sql<Row>`SELECT * FROM qr_codes WHERE id = ${id}`),
    listByCampaign: async (campaignId: number): Promise<QrCode[]> =>
      (await all<Row>(on, sql`SELECT * FROM qr_codes WHERE campaign_id = ${campaignId} ORDER BY id`)).map(toQr),
    create: (campaignId: number, token: string, label: string, placeId: number | null): Promise<number> =>
      changing(on, () => insert(campaignId, token, label, placeId)),
    // Submissions per code in one grouped query, not one COUNT per row.
    listWithCounts: async (campaignId: number): Promise<QrCodeWithCounts[]> => (await all<Row & { submissions: number }>(on, sql`
      SELECT q.*, COALESCE(s.n, 0) AS submissions FROM qr_codes q
      LEFT JOIN (SELECT qr_code_id, COUNT(*) AS n FROM submissions WHERE campaign_id = ${campaignId} AND qr_code_id IS NOT NULL
                 GROUP BY qr_code_id) s ON s.qr_code_id = q.id
      WHERE q.campaign_id = ${campaignId} ORDER BY q.id`)).map((r) => ({ ...toQr(r), submissions: r.submissions })),
    rename: (id: number, label: string): Promise<void> =>
      changing(on, async () => { await run(on, sql`UPDATE qr_codes SET label = ${label} WHERE id = ${id}`); }),
    hasCodeForPlace: placeTaken,
    /**
     * Creates codes for places that have none yet in this campaign; in the caller's unit of work, so all or nothing,
     * and the check sits inside it so a double-clicked bulk button cannot create the same place twice. Returns the
     * new ids.
     */
    async createForFreePlaces(campaignId: number, codes: readonly NewQrCode[]): Promise<number[]> {
      bumpGenerationOf(on);
      const ids: number[] = [];
      for (const c of codes) {
        if (c.placeId !== null && await placeTaken(campaignId, c.placeId)) continue;
        ids.push(await insert(campaignId, c.token, c.label, c.placeId));
      }
      return ids;
    },
    /**
     * Adds buffered scan counts, a few hundred codes to a statement (one, as a rule: the residents' writes wait while
     * the scan counter's unit of work holds SQLite's lock); in the caller's unit of work, so all or none.
     */
    async addScans(counts: ReadonlyMap<number, number>): Promise<void> {
      const entries = [...counts];
      for (let i = 0; i < entries.length; i += SCANS_PER_STATEMENT) {
        const part = entries.slice(i, i + SCANS_PER_STATEMENT);
        const added = sql.join(part.map(([id, n]) => sql`WHEN ${id} THEN CAST(${n} AS INTEGER)`), sql` `);
        await run(on, sql`UPDATE qr_codes SET scan_count = scan_count + CASE id ${added} ELSE 0 END
          WHERE id IN ${inList(part.map(([id]) => id))}`);
      }
    },
  };
}
export type QrRepo = ReturnType<typeof createQrRepo>;
