import { sql, type RawBuilder } from 'kysely';
import { all, type Queries } from '../db/engine';
import { dialectOf, inList } from '../db/dialect';
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

/** `AND …` keeping rows of the table aliased `alias` within the scope (nothing when it reaches everything). */
function scopeSql(s: SearchScope, alias: string): RawBuilder<unknown> {
  const col = (name: string) => sql.ref(`${alias}.${name}`);
  const w: Array<RawBuilder<unknown>> = [];
  if (s.communityIds !== 'all') {
    const unplaced = s.unplacedCampaignIds === 'all' ? sql` OR ${col('community_id')} IS NULL`
      : s.unplacedCampaignIds.length ? sql` OR (${col('community_id')} IS NULL AND ${col('campaign_id')} IN ${inList(s.unplacedCampaignIds)})` : sql``;
    w.push(sql`(${col('community_id')} IN ${inList(s.communityIds)}${unplaced})`);
  }
  if (s.gridIds) w.push(sql`${col('grid_id')} IN ${inList(s.gridIds)}`);
  return w.length ? sql` AND ${sql.join(w, sql` AND `)}` : sql``;
}

const FOUND_COLUMNS = sql.raw(`${LABEL_COLUMNS},
  (SELECT title FROM issues WHERE id = s.issue_id) AS issue_title,
  (SELECT status FROM issues WHERE id = s.issue_id) AS issue_status`);
type FoundRow = LabelledRow & { issue_title: string | null; issue_status: string | null };
const toFound = (r: FoundRow): FoundSubmission => ({ ...toLabelled(r), issueTitle: r.issue_title, issueStatus: r.issue_status });

/** On PostgreSQL, how many of the newest index rows a suggestion search reads in order before it asks the GIN index. */
export const NEWEST_WINDOW = 20_000;

/**
 * Staff search over the full-text index of migration 051: newest first, only what the scope reaches. On SQLite
 * FTS5 gives matching ids in descending order, so the newest matches inside the scope are found without sorting
 * everything that matches. PostgreSQL's GIN index gives them unordered; see `submissions`.
 */
export function createSearchRepo(on: Queries, opts: { newestWindow?: number } = {}) {
  const d = dialectOf(on);
  const newestWindow = opts.newestWindow ?? NEWEST_WINDOW;
  const found = async (query: RawBuilder<FoundRow>) => (await all(on, query)).map(toFound);
  return {
    byReceipt: (code: string, scope: SearchScope): Promise<FoundSubmission[]> =>
      found(sql`SELECT ${FOUND_COLUMNS} FROM submissions s WHERE s.receipt_code = ${code}${scopeSql(scope, 's')}`),
    byPhone: (phone: string, scope: SearchScope, limit: number): Promise<FoundSubmission[]> =>
      found(sql`SELECT ${FOUND_COLUMNS} FROM submissions s WHERE s.resident_phone = ${phone}${scopeSql(scope, 's')} ORDER BY s.id DESC LIMIT ${limit}`),
    /**
     * Submissions holding every phrase (src/db/search-tokens.ts matchPhrases).
     * On PostgreSQL the planner takes a phrase of common words for a rare one (it multiplies its bigrams'
     * frequencies), so it rechecked every match the GIN index gave (100,000 of a million rows, 0.7 s) to keep the
     * newest 50. So the newest `newestWindow` rows are read first, newest to oldest, until enough match (a few ms,
     * the OFFSET 0 keeps the planner from folding the window back into the index's plan); the index is asked only
     * when they hold fewer, that is when the words are rare enough for it to be quick.
     */
    submissions: async (phrases: readonly string[], scope: SearchScope, limit: number): Promise<FoundSubmission[]> => {
      const where = sql`WHERE ${d.textMatch('submissions_fts', 'f', phrases)}${scopeSql(scope, 's')} ORDER BY f.rowid DESC LIMIT ${limit}`;
      if (d.postgres) {
        const newest = await found(sql`SELECT ${FOUND_COLUMNS} FROM (SELECT rowid, body FROM submissions_fts
            WHERE rowid > (SELECT MAX(rowid) FROM submissions_fts) - ${newestWindow} ORDER BY rowid DESC OFFSET 0) f
          JOIN submissions s ON s.id = f.rowid ${where}`);
        if (newest.length >= limit) return newest;
      }
      return found(sql`SELECT ${FOUND_COLUMNS} FROM submissions_fts f ${d.fixedJoin} submissions s ON s.id = f.rowid ${where}`);
    },
    issues: (phrases: readonly string[], scope: Pick<SearchScope, 'communityIds' | 'unplacedCampaignIds'>, limit: number): Promise<FoundIssue[]> =>
      all<FoundIssue>(on, sql`SELECT i.id, i.campaign_id AS "campaignId", i.title, i.status, i.reply,
          (SELECT title FROM campaigns WHERE id = i.campaign_id) AS "campaignTitle",
          (SELECT name FROM places WHERE id = i.community_id) AS "communityName",
          (SELECT COUNT(*) FROM submissions WHERE issue_id = i.id) AS residents
        FROM issues_fts f ${d.fixedJoin} issues i ON i.id = f.rowid
        WHERE ${d.textMatch('issues_fts', 'f', phrases)}${scopeSql({ ...scope, gridIds: null }, 'i')} ORDER BY f.rowid DESC LIMIT ${limit}`),
  };
}
export type SearchRepo = ReturnType<typeof createSearchRepo>;
