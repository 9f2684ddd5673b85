import { sql, type RawBuilder } from 'kysely';
import { all, one, run, type Queries } from '../db/engine';
import { dialectOf, inList, type Dialect } from '../db/dialect';
import type { IssueStatus } from '../issues/rules';

/** Issues residents may see on a board: staff accepted them (a new issue's title still comes from a resident's text). */
export const PUBLIC_STATUSES: readonly IssueStatus[] = ['accepted', 'on_menu', 'claimed', 'in_progress', 'resolved'];
/** The public issues a resident may still support (附议) and that a new submission may match. */
export const SUPPORTABLE_STATUSES: readonly IssueStatus[] = ['accepted', 'on_menu', 'claimed', 'in_progress'];

export interface BoardRow {
  id: number; community_id: number; title: string; status: IssueStatus; reply: string | null; resolved_at: string | null;
  category_name: string | null; residents: number; supporters: number;
  /** Active claimers, comma-separated: a unit's name, or 在职党员 for a member (never a person's name). */
  claimers: string | null;
}

/** Published issues (alias i) of campaigns that show their board. */
const PUBLIC = sql`i.status IN ${inList(PUBLIC_STATUSES)} AND i.campaign_id IN (SELECT id FROM campaigns WHERE public_board = 1)`;
const boardColumns = (d: Dialect): RawBuilder<unknown> => sql`i.id, i.community_id, i.title, i.status, i.reply, i.resolved_at,
  (SELECT name FROM categories WHERE id = i.category_id) AS category_name,
  (SELECT COUNT(*) FROM submissions s WHERE s.issue_id = i.id) AS residents,
  (SELECT COUNT(*) FROM issue_supports p WHERE p.issue_id = i.id) AS supporters,
  (SELECT ${d.joinedDistinct(sql`CASE WHEN u.claimer_kind = 'unit' THEN u.display_name ELSE '在职党员' END`)}
     FROM service_items si JOIN claims c ON c.service_item_id = si.id JOIN users u ON u.id = c.claimer_user_id
     WHERE si.issue_id = i.id AND c.status <> 'withdrawn') AS claimers`;

/**
 * The public board's SQL: only published issues of campaigns that show theirs, and only columns staff wrote
 * (titles, replies) or counted; never a submission's text, a name or a phone. The texts read for matching a
 * new submission (openWithTexts) stay on the server.
 */
export function createBoardRepo(on: Queries) {
  const columns = boardColumns(dialectOf(on));
  return {
    /**
     * A community's public issues: open ones first (most residents and supporters), then resolved, newest first.
     * (Ordered outside: PostgreSQL's ORDER BY takes no output column inside an expression.)
     */
    board: (communityId: number, limit = 300): Promise<BoardRow[]> => all<BoardRow>(on, sql`SELECT * FROM
        (SELECT ${columns} FROM issues i WHERE i.community_id = ${communityId} AND ${PUBLIC}) b
      ORDER BY b.status = 'resolved', CASE WHEN b.status = 'resolved' THEN b.resolved_at END DESC NULLS LAST,
        b.supporters + b.residents DESC, b.id DESC
      LIMIT ${limit}`),
    /** One public issue, or undefined when it is not on any board. */
    publicIssue: (issueId: number): Promise<BoardRow | undefined> =>
      one<BoardRow>(on, sql`SELECT ${columns} FROM issues i WHERE i.id = ${issueId} AND ${PUBLIC}`),
    /**
     * The open public issues of a community with their titles and first texts, for matching a new submission:
     * two statements, however many issues.
     */
    async openWithTexts(communityId: number, texts = 3, limit = 60): Promise<Array<{ id: number; texts: string[] }>> {
      const open = await all<{ id: number; title: string }>(on, sql`SELECT i.id, i.title FROM issues i
        WHERE i.community_id = ${communityId} AND i.status IN ${inList(SUPPORTABLE_STATUSES)}
          AND i.campaign_id IN (SELECT id FROM campaigns WHERE public_board = 1) ORDER BY i.id DESC LIMIT ${limit}`);
      if (open.length === 0) return [];
      const firstTexts = await all<{ issue_id: number; text: string }>(on, sql`SELECT issue_id, text FROM
          (SELECT issue_id, text, id, ROW_NUMBER() OVER (PARTITION BY issue_id ORDER BY id) AS k FROM submissions
           WHERE issue_id IN ${inList(open.map((r) => r.id))}) t
        WHERE k <= ${texts} ORDER BY issue_id, id`);
      const byIssue = new Map<number, string[]>();
      for (const r of firstTexts) {
        const list = byIssue.get(r.issue_id);
        if (list) list.push(r.text); else byIssue.set(r.issue_id, [r.text]);
      }
      return open.map((r) => ({ id: r.id, texts: [r.title, ...(byIssue.get(r.id) ?? [])] }));
    },
    /** Whether the support was new (false: this phone had supported it already). */
    addSupport: async (issueId: number, residentKey: string): Promise<boolean> =>
      (await run(on, sql`INSERT INTO issue_supports (issue_id, resident_key) VALUES (${issueId}, ${residentKey}) ON CONFLICT DO NOTHING`)) === 1,
    supportedBy: async (residentKey: string): Promise<Set<number>> =>
      new Set((await all<{ issue_id: number }>(on, sql`SELECT issue_id FROM issue_supports WHERE resident_key = ${residentKey}`)).map((r) => r.issue_id)),
    /** This phone raised the issue itself (one of its submissions is behind it). */
    owns: async (issueId: number, residentKey: string): Promise<boolean> =>
      (await one(on, sql`SELECT 1 AS one FROM submissions WHERE issue_id = ${issueId} AND resident_key = ${residentKey} LIMIT 1`)) !== undefined,
  };
}
export type BoardRepo = ReturnType<typeof createBoardRepo>;
