import type { Db } from '../db/open-db';
import type { SubmissionFilter } from '../submissions/filter';
import { submissionWhere } from '../submissions/repo';
import type { Channel, SubmissionKind } from '../submissions/types';

export interface ExportSubmissionRow {
  id: number; receipt_code: string; created_at: string; collected_on: string | null; kind: SubmissionKind; channel: Channel;
  category_id: number | null; community_id: number | null; grid_id: number | null; compound_id: number | null;
  building: string | null; text: string; resident_name: string | null; resident_phone: string | null;
  qr_code_id: number | null; issue_id: number | null; reply: string | null;
  collected_by_name: string | null; intake_note: string | null;
}

const marks = (ids: readonly unknown[]) => ids.map(() => '?').join(',') || 'NULL';
/** Rowids per query while collecting an export's ids (each query a few milliseconds). */
const ID_RANGE = 5000;
const yieldNow = () => new Promise<void>((resolve) => setImmediate(resolve));

export function createExportRepo(db: Db) {
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
      const w = submissionWhere(f);
      const and = w.sql ? `AND ${w.sql.slice('WHERE '.length)}` : '';
      // NOT INDEXED: a walk along the rowid, never an index scan of the whole campaign per range.
      const range = db.prepare(`SELECT id, created_at FROM submissions NOT INDEXED WHERE id BETWEEN ? AND ? ${and}`).raw();
      const maxId = (db.prepare('SELECT MAX(id) FROM submissions').pluck().get() as number | null) ?? 0;
      const found: Array<[number, string]> = [];
      for (let lo = 1; lo <= maxId; lo += ID_RANGE) {
        for (const r of range.all(lo, lo + ID_RANGE - 1, ...w.params) as Array<[number, string]>) found.push(r);
        await yieldNow();
      }
      found.sort((a, b) => (a[1] < b[1] ? -1 : a[1] > b[1] ? 1 : a[0] - b[0]));
      const ids = found.map((r) => r[0]);
      found.length = 0;
      const full = db.prepare(`SELECT * FROM submissions WHERE id IN (${marks(Array.from({ length: batchSize }))})`);
      for (let i = 0; i < ids.length; i += batchSize) {
        const chunk = ids.slice(i, i + batchSize);
        const stmt = chunk.length === batchSize ? full : db.prepare(`SELECT * FROM submissions WHERE id IN (${marks(chunk)})`);
        const byId = new Map((stmt.all(...chunk) as ExportSubmissionRow[]).map((r) => [r.id, r]));
        // A row deleted since the first query is simply left out.
        yield chunk.map((id) => byId.get(id)).filter((r): r is ExportSubmissionRow => r !== undefined);
      }
    },

    /** Names for the ids in the rows: small tables, read once per export instead of joined per row. */
    lookups(campaignId: number) {
      const names = (sql: string, ...params: unknown[]) =>
        new Map((db.prepare(sql).all(...params) as Array<{ id: number; name: string }>).map((r) => [r.id, r.name]));
      const issues = db.prepare('SELECT id, title, status FROM issues WHERE campaign_id = ?')
        .all(campaignId) as Array<{ id: number; title: string; status: string }>;
      return {
        categories: names('SELECT id, name FROM categories'),
        places: names('SELECT id, name FROM places'),
        qrCodes: names('SELECT id, label AS name FROM qr_codes WHERE campaign_id = ?', campaignId),
        issues: new Map(issues.map((i) => [i.id, i])),
      };
    },

    /** Who claimed each issue of a campaign (claims not withdrawn), for the issue list export. */
    claimersByIssue(campaignId: number): Map<number, string[]> {
      const rows = db.prepare(`SELECT si.issue_id AS issueId, u.display_name AS name FROM service_items si
        JOIN issues i ON i.id = si.issue_id JOIN claims c ON c.service_item_id = si.id JOIN users u ON u.id = c.claimer_user_id
        WHERE i.campaign_id = ? AND c.status <> 'withdrawn' ORDER BY c.id`).all(campaignId) as Array<{ issueId: number; name: string }>;
      const out = new Map<number, string[]>();
      for (const r of rows) out.set(r.issueId, [...(out.get(r.issueId) ?? []), r.name]);
      return out;
    },
  };
}
export type ExportRepo = ReturnType<typeof createExportRepo>;
