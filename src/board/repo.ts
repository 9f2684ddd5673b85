import type { Db } from '../db/open-db';
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

const marks = (a: readonly unknown[]) => a.map(() => '?').join(',');
const PUBLIC = `i.status IN (${marks(PUBLIC_STATUSES)}) AND i.campaign_id IN (SELECT id FROM campaigns WHERE public_board = 1)`;
const BOARD_COLUMNS = `i.id, i.community_id, i.title, i.status, i.reply, i.resolved_at,
  (SELECT name FROM categories WHERE id = i.category_id) AS category_name,
  (SELECT COUNT(*) FROM submissions s WHERE s.issue_id = i.id) AS residents,
  (SELECT COUNT(*) FROM issue_supports p WHERE p.issue_id = i.id) AS supporters,
  (SELECT GROUP_CONCAT(DISTINCT CASE WHEN u.claimer_kind = 'unit' THEN u.display_name ELSE '在职党员' END)
     FROM service_items si JOIN claims c ON c.service_item_id = si.id JOIN users u ON u.id = c.claimer_user_id
     WHERE si.issue_id = i.id AND c.status <> 'withdrawn') AS claimers`;

/**
 * The public board's SQL: only published issues of campaigns that show theirs, and only columns staff wrote
 * (titles, replies) or counted; never a submission's text, a name or a phone. The texts read for matching a
 * new submission (openWithTexts) stay on the server.
 */
export function createBoardRepo(db: Db) {
  const board = db.prepare<unknown[], BoardRow>(`SELECT ${BOARD_COLUMNS} FROM issues i
    WHERE i.community_id = ? AND ${PUBLIC}
    ORDER BY i.status = 'resolved', CASE WHEN i.status = 'resolved' THEN i.resolved_at END DESC, supporters + residents DESC, i.id DESC
    LIMIT ?`);
  const one = db.prepare<unknown[], BoardRow>(`SELECT ${BOARD_COLUMNS} FROM issues i WHERE i.id = ? AND ${PUBLIC}`);
  const open = db.prepare<unknown[], { id: number; title: string }>(`SELECT i.id, i.title FROM issues i
    WHERE i.community_id = ? AND i.status IN (${marks(SUPPORTABLE_STATUSES)})
      AND i.campaign_id IN (SELECT id FROM campaigns WHERE public_board = 1) ORDER BY i.id DESC LIMIT ?`);
  const textsOf = db.prepare('SELECT text FROM submissions WHERE issue_id = ? ORDER BY id LIMIT ?').pluck();
  const addSupport = db.prepare('INSERT OR IGNORE INTO issue_supports (issue_id, resident_key) VALUES (?, ?)');
  const supported = db.prepare('SELECT issue_id FROM issue_supports WHERE resident_key = ?').pluck();
  const owns = db.prepare('SELECT 1 FROM submissions WHERE issue_id = ? AND resident_key = ? LIMIT 1').pluck();

  return {
    /** A community's public issues: open ones first (most residents and supporters), then resolved, newest first. */
    board: (communityId: number, limit = 300): BoardRow[] => board.all(communityId, ...PUBLIC_STATUSES, limit),
    /** One public issue, or undefined when it is not on any board. */
    publicIssue: (issueId: number): BoardRow | undefined => one.get(issueId, ...PUBLIC_STATUSES),
    /** The open public issues of a community with their titles and first texts, for matching a new submission. */
    openWithTexts(communityId: number, texts = 3, limit = 60): Array<{ id: number; texts: string[] }> {
      return open.all(communityId, ...SUPPORTABLE_STATUSES, limit).map((r) => ({ id: r.id, texts: [r.title, ...(textsOf.all(r.id, texts) as string[])] }));
    },
    /** Whether the support was new (false: this phone had supported it already). */
    addSupport: (issueId: number, residentKey: string) => addSupport.run(issueId, residentKey).changes === 1,
    supportedBy: (residentKey: string) => new Set(supported.all(residentKey) as number[]),
    /** This phone raised the issue itself (one of its submissions is behind it). */
    owns: (issueId: number, residentKey: string) => owns.get(issueId, residentKey) === 1,
  };
}
export type BoardRepo = ReturnType<typeof createBoardRepo>;
