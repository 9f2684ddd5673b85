import type { Db } from '../db/open-db';
import { LABEL_COLUMNS, toLabelled, type LabelledRow, type LabelledSubmission } from '../submissions/repo';

/** Who may find what: the communities (and a grid worker's grids) of the reach, and where unplaced ones count. */
export interface SearchScope {
  communityIds: number[] | 'all';
  gridIds: number[] | null;
  /** Campaigns whose submissions without a community the user may see (those they run): 'all', or ids. */
  unplacedCampaignIds: number[] | 'all';
}

export type FoundSubmission = LabelledSubmission & { issueTitle: string | null; issueStatus: string | null };
export interface FoundIssue {
  id: number; campaignId: number; campaignTitle: string | null; title: string; status: string; communityName: string | null;
  residents: number; reply: string | null;
}

const marks = (ids: readonly unknown[]) => ids.map(() => '?').join(',') || 'NULL';

function scopeSql(s: SearchScope, alias: string): { sql: string; params: unknown[] } {
  const w: string[] = [];
  const p: unknown[] = [];
  if (s.communityIds !== 'all') {
    const unplaced = s.unplacedCampaignIds === 'all' ? ` OR ${alias}.community_id IS NULL`
      : s.unplacedCampaignIds.length ? ` OR (${alias}.community_id IS NULL AND ${alias}.campaign_id IN (${marks(s.unplacedCampaignIds)}))` : '';
    w.push(`(${alias}.community_id IN (${marks(s.communityIds)})${unplaced})`);
    p.push(...s.communityIds, ...(s.unplacedCampaignIds === 'all' ? [] : s.unplacedCampaignIds));
  }
  if (s.gridIds) { w.push(`${alias}.grid_id IN (${marks(s.gridIds)})`); p.push(...s.gridIds); }
  return { sql: w.length ? ' AND ' + w.join(' AND ') : '', params: p };
}

const FOUND_COLUMNS = `${LABEL_COLUMNS},
  (SELECT title FROM issues WHERE id = s.issue_id) AS issue_title,
  (SELECT status FROM issues WHERE id = s.issue_id) AS issue_status`;
type FoundRow = LabelledRow & { issue_title: string | null; issue_status: string | null };
const toFound = (r: FoundRow): FoundSubmission => ({ ...toLabelled(r), issueTitle: r.issue_title, issueStatus: r.issue_status });

/**
 * Staff search over the full-text index of migration 051: newest first, only what the scope reaches. The index
 * gives matching ids in descending order, so the newest matches inside the scope are found without sorting
 * everything that matches.
 */
export function createSearchRepo(db: Db) {
  return {
    byReceipt(code: string, scope: SearchScope): FoundSubmission[] {
      const sc = scopeSql(scope, 's');
      return (db.prepare(`SELECT ${FOUND_COLUMNS} FROM submissions s WHERE s.receipt_code = ?${sc.sql}`).all(code, ...sc.params) as FoundRow[]).map(toFound);
    },
    byPhone(phone: string, scope: SearchScope, limit: number): FoundSubmission[] {
      const sc = scopeSql(scope, 's');
      return (db.prepare(`SELECT ${FOUND_COLUMNS} FROM submissions s WHERE s.resident_phone = ?${sc.sql} ORDER BY s.id DESC LIMIT ?`)
        .all(phone, ...sc.params, limit) as FoundRow[]).map(toFound);
    },
    submissions(match: string, scope: SearchScope, limit: number): FoundSubmission[] {
      const sc = scopeSql(scope, 's');
      return (db.prepare(`SELECT ${FOUND_COLUMNS} FROM submissions_fts f CROSS JOIN submissions s ON s.id = f.rowid
        WHERE submissions_fts MATCH ?${sc.sql} ORDER BY f.rowid DESC LIMIT ?`).all(match, ...sc.params, limit) as FoundRow[]).map(toFound);
    },
    issues(match: string, scope: Pick<SearchScope, 'communityIds' | 'unplacedCampaignIds'>, limit: number): FoundIssue[] {
      const sc = scopeSql({ ...scope, gridIds: null }, 'i');
      return db.prepare(`SELECT i.id, i.campaign_id AS campaignId, i.title, i.status, i.reply,
          (SELECT title FROM campaigns WHERE id = i.campaign_id) AS campaignTitle,
          (SELECT name FROM places WHERE id = i.community_id) AS communityName,
          (SELECT COUNT(*) FROM submissions WHERE issue_id = i.id) AS residents
        FROM issues_fts f CROSS JOIN issues i ON i.id = f.rowid
        WHERE issues_fts MATCH ?${sc.sql} ORDER BY f.rowid DESC LIMIT ?`).all(match, ...sc.params, limit) as FoundIssue[];
    },
  };
}
export type SearchRepo = ReturnType<typeof createSearchRepo>;
