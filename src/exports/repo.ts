import { sql, type RawBuilder } from 'kysely';
import { all, one, type Queries } from '../db/engine';
import { dialectOf, inList } from '../db/dialect';
import type { SubmissionFilter } from '../submissions/filter';
import type { Channel, SubmissionKind } from '../submissions/types';
import { submissionConditions } from '../submissions/where';

export interface ExportSubmissionRow {
  id: number; receipt_code: string; created_at: string; collected_on: string | null; kind: SubmissionKind; channel: Channel;
  category_id: number | null; community_id: number | null; grid_id: number | null; compound_id: number | null;
  building: string | null; text: string; resident_name: string | null; resident_phone: string | null;
  qr_code_id: number | null; issue_id: number | null; reply: string | null;
  collected_by_name: string | null; intake_note: string | null;
}

/** Rowids per query while collecting an export's ids (each query a few milliseconds). */
const ID_RANGE = 5000;
const yieldNow = () => new Promise<void>((resolve) => setImmediate(resolve));

export function createExportRepo(on: Queries) {
  const d = dialectOf(on);
  return {
    /**
     * The submissions in batches, oldest first. The matching ids are first collected by ranges of rowid
     * (ID_RANGE ids per query, the event loop free in between), then put in order in memory: ids grow with
     * created_at, so the list is almost sorted already and sorting it costs little. One query for every id in
     * order held the event loop for ~100 ms of CPU at 100,000 rows (much longer on a busy machine); a keyset
     * query per batch re-sorted every match each time (measured: 21 s for 92,000 rows). Then the rows by id a
     * batch at a time. Each query is short, so a long download never holds the single database connection.
     */
    async *submissionBatches(f: SubmissionFilter, batchSize = 500): AsyncGenerator<ExportSubmissionRow[]> {
      const where = submissionConditions(on, f, 'submissions');
      const maxId = (await one<{ n: number | null }>(on, sql`SELECT MAX(id) AS n FROM submissions`))?.n ?? 0;
      const found: Array<[number, string]> = [];
      for (let lo = 1; lo <= maxId; lo += ID_RANGE) {
        // notIndexed (SQLite): a walk along the rowid, never an index scan of the whole campaign per range.
        const rows = await all<{ id: number; created_at: string }>(on, sql`SELECT id, created_at FROM submissions ${d.notIndexed}
          WHERE id BETWEEN ${lo} AND ${lo + ID_RANGE - 1} AND ${where}`);
        for (const r of rows) found.push([r.id, r.created_at]);
        await yieldNow();
      }
      found.sort((a, b) => (a[1] < b[1] ? -1 : a[1] > b[1] ? 1 : a[0] - b[0]));
      const ids = found.map((r) => r[0]);
      found.length = 0;
      for (let i = 0; i < ids.length; i += batchSize) {
        const chunk = ids.slice(i, i + batchSize);
        // Full batches share one SQL text, so the SQLite engine prepares it once.
        const byId = new Map((await all<ExportSubmissionRow>(on, sql`SELECT * FROM submissions WHERE id IN ${inList(chunk)}`)).map((r) => [r.id, r]));
        // A row deleted since the first query is simply left out.
        yield chunk.map((id) => byId.get(id)).filter((r): r is ExportSubmissionRow => r !== undefined);
      }
    },

    /** Names for the ids in the rows: small tables, read once per export instead of joined per row. */
    async lookups(campaignId: number) {
      const names = async (query: RawBuilder<{ id: number; name: string }>) =>
        new Map((await all(on, query)).map((r) => [r.id, r.name]));
      const issues = await all<{ id: number; title: string; status: string }>(on,
        sql`SELECT id, title, status FROM issues WHERE campaign_id = ${campaignId}`);
      return {
        categories: await names(sql`SELECT id, name FROM categories`),
        places: await names(sql`SELECT id, name FROM places`),
        qrCodes: await names(sql`SELECT id, label AS name FROM qr_codes WHERE campaign_id = ${campaignId}`),
        issues: new Map(issues.map((i) => [i.id, i])),
      };
    },

    /** Who claimed each issue of a campaign (claims not withdrawn), for the issue list export. */
    async claimersByIssue(campaignId: number): Promise<Map<number, string[]>> {
      const rows = await all<{ issueId: number; name: string }>(on, sql`SELECT si.issue_id AS "issueId", u.display_name AS name
        FROM service_items si JOIN issues i ON i.id = si.issue_id JOIN claims c ON c.service_item_id = si.id
        JOIN users u ON u.id = c.claimer_user_id
        WHERE i.campaign_id = ${campaignId} AND c.status <> 'withdrawn' ORDER BY c.id`);
      const out = new Map<number, string[]>();
      for (const r of rows) out.set(r.issueId, [...(out.get(r.issueId) ?? []), r.name]);
      return out;
    },
  };
}
export type ExportRepo = ReturnType<typeof createExportRepo>;
