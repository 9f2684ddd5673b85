import type { Db } from '../db/open-db';
import { bumpGeneration } from '../db/generation';

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

export function createQrRepo(db: Db) {
  const byToken = db.prepare<[string], Row>('SELECT * FROM qr_codes WHERE token = ?');
  const byId = db.prepare<[number], Row>('SELECT * FROM qr_codes WHERE id = ?');
  const byCampaign = db.prepare<[number], Row>('SELECT * FROM qr_codes WHERE campaign_id = ? ORDER BY id');
  const insert = db.prepare('INSERT INTO qr_codes (campaign_id, token, label, place_id) VALUES (?, ?, ?, ?)');
  const addScans = db.prepare('UPDATE qr_codes SET scan_count = scan_count + ? WHERE id = ?');
  // Submissions per code in one grouped query, not one COUNT per row.
  const withCounts = db.prepare<[number, number], Row & { submissions: number }>(`
    SELECT q.*, COALESCE(s.n, 0) AS submissions FROM qr_codes q
    LEFT JOIN (SELECT qr_code_id, COUNT(*) AS n FROM submissions WHERE campaign_id = ? AND qr_code_id IS NOT NULL
               GROUP BY qr_code_id) s ON s.qr_code_id = q.id
    WHERE q.campaign_id = ? ORDER BY q.id`);
  const rename = db.prepare('UPDATE qr_codes SET label = ? WHERE id = ?');
  const placeTaken = db.prepare<[number, number], { id: number }>('SELECT id FROM qr_codes WHERE campaign_id = ? AND place_id = ? LIMIT 1');
  return {
    findByToken: (token: string) => { const r = byToken.get(token); return r ? toQr(r) : undefined; },
    findById: (id: number) => { const r = byId.get(id); return r ? toQr(r) : undefined; },
    listByCampaign: (campaignId: number) => byCampaign.all(campaignId).map(toQr),
    create: (campaignId: number, token: string, label: string, placeId: number | null) => {
      bumpGeneration(db);
      return Number(insert.run(campaignId, token, label, placeId).lastInsertRowid);
    },
    listWithCounts: (campaignId: number): QrCodeWithCounts[] =>
      withCounts.all(campaignId, campaignId).map((r) => ({ ...toQr(r), submissions: r.submissions })),
    rename: (id: number, label: string) => { bumpGeneration(db); rename.run(label, id); },
    hasCodeForPlace: (campaignId: number, placeId: number) => placeTaken.get(campaignId, placeId) !== undefined,
    /**
     * Creates codes for places that have none yet in this campaign, all or nothing; the check sits inside the
     * transaction so a double-clicked bulk button cannot create the same place twice. Returns the new ids.
     */
    createForFreePlaces: db.transaction((campaignId: number, codes: NewQrCode[]): number[] => {
      bumpGeneration(db);
      const ids: number[] = [];
      for (const c of codes) {
        if (c.placeId !== null && placeTaken.get(campaignId, c.placeId)) continue;
        ids.push(Number(insert.run(campaignId, c.token, c.label, c.placeId).lastInsertRowid));
      }
      return ids;
    }),
    /** Adds buffered scan counts in one transaction. */
    addScans: db.transaction((counts: Map<number, number>) => {
      for (const [id, n] of counts) addScans.run(n, id);
    }),
  };
}
export type QrRepo = ReturnType<typeof createQrRepo>;
