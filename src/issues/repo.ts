import type { Db } from '../db/open-db';
import { toSubmission } from '../submissions/repo';
import type { Submission } from '../submissions/types';
import type { IssueStatus, Priority, Rating } from './rules';

export interface Issue {
  id: number;
  campaignId: number;
  title: string;
  categoryId: number | null;
  categoryName: string | null;
  communityId: number | null;
  communityName: string | null;
  compoundId: number | null;
  compoundName: string | null;
  priority: Priority;
  status: IssueStatus;
  declineReason: string | null;
  reply: string | null;
  createdBy: number | null;
  createdAt: string;
  updatedAt: string;
  resolvedAt: string | null;
  /** How many submissions (residents) are behind it. */
  residents: number;
  /** How many phones supported it (附议) on the public board or a receipt, counted apart from the residents. */
  supporters: number;
  /** Residents asked for a review (申请复核) that staff have not concluded: the issue is flagged 复核. */
  underReview: boolean;
}

/** A submission with the issue it belongs to and the names staff read beside it. */
export type GroupedSubmission = Submission & {
  issueId: number | null; categoryName: string | null; compoundName: string | null; communityName: string | null;
};

interface IssueRow {
  id: number; campaign_id: number; title: string; category_id: number | null; category_name: string | null;
  community_id: number | null; community_name: string | null; compound_id: number | null; compound_name: string | null;
  priority: Priority; status: IssueStatus; decline_reason: string | null; reply: string | null; created_by: number | null;
  created_at: string; updated_at: string; resolved_at: string | null; residents: number; supporters: number; under_review: number;
}
const toIssue = (r: IssueRow): Issue => ({
  id: r.id, campaignId: r.campaign_id, title: r.title, categoryId: r.category_id, categoryName: r.category_name,
  communityId: r.community_id, communityName: r.community_name, compoundId: r.compound_id, compoundName: r.compound_name,
  priority: r.priority, status: r.status, declineReason: r.decline_reason, reply: r.reply, createdBy: r.created_by,
  createdAt: r.created_at, updatedAt: r.updated_at, resolvedAt: r.resolved_at, residents: r.residents,
  supporters: r.supporters, underReview: r.under_review === 1,
});

const ISSUE_COLUMNS = `i.*,
  (SELECT name FROM categories WHERE id = i.category_id) AS category_name,
  (SELECT name FROM places WHERE id = i.community_id) AS community_name,
  (SELECT name FROM places WHERE id = i.compound_id) AS compound_name,
  (SELECT COUNT(*) FROM submissions s WHERE s.issue_id = i.id) AS residents,
  (SELECT COUNT(*) FROM issue_supports p WHERE p.issue_id = i.id) AS supporters,
  EXISTS (SELECT 1 FROM appeals a WHERE a.issue_id = i.id AND a.status = 'open') AS under_review`;

type SubRow = Parameters<typeof toSubmission>[0] & {
  issue_id: number | null; category_name: string | null; compound_name: string | null; community_name: string | null;
};
const toGrouped = (r: SubRow): GroupedSubmission => ({
  ...toSubmission(r), issueId: r.issue_id, categoryName: r.category_name, compoundName: r.compound_name, communityName: r.community_name,
});
const SUB_COLUMNS = `s.*, (SELECT name FROM categories WHERE id = s.category_id) AS category_name,
  (SELECT name FROM places WHERE id = s.compound_id) AS compound_name,
  (SELECT name FROM places WHERE id = s.community_id) AS community_name`;

/** The unassigned queue's filter: a campaign, the user's reach, and the page's own narrowing. */
export interface QueueFilter {
  campaignId: number;
  communityIds: number[] | 'all';
  communityId?: number;
  categoryId?: number;
}

/** Statuses of issues a new suggestion may still join. */
export const OPEN_STATUSES: readonly IssueStatus[] = ['new', 'accepted', 'on_menu', 'claimed', 'in_progress'];

export interface IssueFilter {
  campaignId: number;
  /** The user's scope: 'all' or the communities they may see. */
  communityIds: number[] | 'all';
  communityId?: number;
  categoryId?: number;
  status?: IssueStatus;
  /** residents (default): most residents first, then urgency; priority: urgency first; supporters: most 附议 first. */
  sort?: 'residents' | 'priority' | 'supporters';
  limit?: number;
  offset?: number;
}

export interface NewIssue {
  campaignId: number; title: string; categoryId: number | null; communityId: number | null; compoundId: number | null;
  priority: Priority; createdBy: number | null;
}

/** The issue behind a submission, as its receipt page tells it. */
export interface OutcomeRow { id: number; status: IssueStatus; reply: string | null; decline_reason: string | null; resolved_at: string | null }
export interface FeedbackRow { rating: Rating; comment: string | null; created_at: string }

const NOW = "strftime('%Y-%m-%dT%H:%M:%fZ', 'now')";

export function createIssueRepo(db: Db) {
  const byId = db.prepare<[number], IssueRow>(`SELECT ${ISSUE_COLUMNS} FROM issues i WHERE i.id = ?`);
  const insert = db.prepare(`INSERT INTO issues (campaign_id, title, category_id, community_id, compound_id, priority, created_by)
    VALUES (@campaignId, @title, @categoryId, @communityId, @compoundId, @priority, @createdBy)`);
  const setStatus = db.prepare(`UPDATE issues SET status = @status, decline_reason = @declineReason,
    resolved_at = CASE WHEN @status = 'resolved' THEN ${NOW} ELSE NULL END, updated_at = ${NOW} WHERE id = @id`);
  const setFields = db.prepare(`UPDATE issues SET title = @title, category_id = @categoryId, priority = @priority,
    updated_at = ${NOW} WHERE id = @id`);
  const setReply = db.prepare(`UPDATE issues SET reply = ?, updated_at = ${NOW} WHERE id = ?`);
  const setPlace = db.prepare(`UPDATE issues SET compound_id = ?, updated_at = ${NOW} WHERE id = ?`);
  const touch = db.prepare(`UPDATE issues SET updated_at = ${NOW} WHERE id = ?`);
  const remove = db.prepare('DELETE FROM issues WHERE id = ?');
  const subsOf = db.prepare<[number], SubRow>(`SELECT ${SUB_COLUMNS} FROM submissions s WHERE s.issue_id = ? ORDER BY s.created_at, s.id`);
  const subById = db.prepare<[number], SubRow>(`SELECT ${SUB_COLUMNS} FROM submissions s WHERE s.id = ?`);
  const countOf = db.prepare('SELECT COUNT(*) FROM submissions WHERE issue_id = ?').pluck();
  const assign = db.prepare('UPDATE submissions SET issue_id = ? WHERE id = ?');
  const moveAll = db.prepare('UPDATE submissions SET issue_id = ? WHERE issue_id = ?');
  const moveFeedback = db.prepare('UPDATE feedback SET issue_id = ? WHERE issue_id = ?');
  // A phone that supported both issues counts once on the merged one.
  const copySupports = db.prepare('INSERT OR IGNORE INTO issue_supports (issue_id, resident_key, created_at) SELECT ?, resident_key, created_at FROM issue_supports WHERE issue_id = ?');
  const dropSupports = db.prepare('DELETE FROM issue_supports WHERE issue_id = ?');
  const moveAppeals = db.prepare('UPDATE appeals SET issue_id = ? WHERE issue_id = ?');
  const compoundsOf = db.prepare('SELECT DISTINCT compound_id FROM submissions WHERE issue_id = ?').pluck();
  const textsOf = db.prepare('SELECT text FROM submissions WHERE issue_id = ? ORDER BY id LIMIT ?').pluck();
  const categoryName = db.prepare('SELECT name FROM categories WHERE id = ?').pluck();
  const decline = db.prepare(`UPDATE submissions SET declined_at = ${NOW}, decline_reason = ?, declined_by = ?
    WHERE id = ? AND issue_id IS NULL AND declined_at IS NULL`);
  const undecline = db.prepare('UPDATE submissions SET declined_at = NULL, decline_reason = NULL, declined_by = NULL WHERE id = ?');
  const addCorrection = db.prepare(`INSERT INTO grouping_corrections (a, b, together, user_id) VALUES (?, ?, ?, ?)
    ON CONFLICT (a, b) DO UPDATE SET together = excluded.together, user_id = excluded.user_id, created_at = excluded.created_at`);
  const outcomeOf = db.prepare<[number], OutcomeRow>(`SELECT i.id, i.status, i.reply, i.decline_reason, i.resolved_at
    FROM submissions s JOIN issues i ON i.id = s.issue_id WHERE s.id = ?`);
  const feedbackOf = db.prepare<[number], FeedbackRow>('SELECT rating, comment, created_at FROM feedback WHERE submission_id = ?');
  const insertFeedback = db.prepare('INSERT INTO feedback (submission_id, issue_id, rating, comment) VALUES (?, ?, ?, ?)');

  function queueWhere(f: QueueFilter) {
    const w: string[] = ['s.campaign_id = ?', 's.issue_id IS NULL', 's.declined_at IS NULL'];
    const p: unknown[] = [f.campaignId];
    if (f.communityIds !== 'all') {
      w.push(`s.community_id IN (${f.communityIds.map(() => '?').join(',') || 'NULL'})`); p.push(...f.communityIds);
    }
    if (f.communityId !== undefined) { w.push('s.community_id = ?'); p.push(f.communityId); }
    if (f.categoryId !== undefined) { w.push('s.category_id = ?'); p.push(f.categoryId); }
    return { sql: w.join(' AND '), params: p };
  }

  function where(f: Omit<IssueFilter, 'limit' | 'offset' | 'sort'>) {
    const w: string[] = ['i.campaign_id = ?'];
    const p: unknown[] = [f.campaignId];
    if (f.communityIds !== 'all') {
      w.push(`i.community_id IN (${f.communityIds.map(() => '?').join(',') || 'NULL'})`); p.push(...f.communityIds);
    }
    if (f.communityId !== undefined) { w.push('i.community_id = ?'); p.push(f.communityId); }
    if (f.categoryId !== undefined) { w.push('i.category_id = ?'); p.push(f.categoryId); }
    if (f.status !== undefined) { w.push('i.status = ?'); p.push(f.status); }
    return { sql: 'WHERE ' + w.join(' AND '), params: p };
  }

  return {
    findById: (id: number) => { const r = byId.get(id); return r ? toIssue(r) : undefined; },
    /** Ranked: most residents behind it first, then urgency (or the other way round with sort=priority). */
    list(f: IssueFilter): Issue[] {
      const w = where(f);
      const order = f.sort === 'priority' ? 'i.priority DESC, residents DESC'
        : f.sort === 'supporters' ? 'supporters DESC, residents DESC, i.priority DESC' : 'residents DESC, i.priority DESC';
      return (db.prepare(`SELECT ${ISSUE_COLUMNS} FROM issues i ${w.sql} ORDER BY ${order}, i.created_at, i.id LIMIT ? OFFSET ?`)
        .all(...w.params, f.limit ?? 100, f.offset ?? 0) as IssueRow[]).map(toIssue);
    },
    count(f: Omit<IssueFilter, 'limit' | 'offset' | 'sort'>): number {
      const w = where(f);
      return db.prepare(`SELECT COUNT(*) FROM issues i ${w.sql}`).pluck().get(...w.params) as number;
    },
    insert: (i: NewIssue) => Number(insert.run(i).lastInsertRowid),
    setStatus: (id: number, status: IssueStatus, declineReason: string | null = null) => { setStatus.run({ id, status, declineReason }); },
    setFields: (id: number, v: { title: string; categoryId: number | null; priority: Priority }) => { setFields.run({ id, ...v }); },
    setReply: (id: number, reply: string | null) => { setReply.run(reply, id); },
    touch: (id: number) => { touch.run(id); },
    remove: (id: number) => { remove.run(id); },
    submissions: (issueId: number) => subsOf.all(issueId).map(toGrouped),
    submissionCount: (issueId: number) => countOf.get(issueId) as number,
    findSubmission: (id: number) => { const r = subById.get(id); return r ? toGrouped(r) : undefined; },
    submissionsByIds(ids: number[]): GroupedSubmission[] {
      if (ids.length === 0) return [];
      return (db.prepare(`SELECT ${SUB_COLUMNS} FROM submissions s WHERE s.id IN (${ids.map(() => '?').join(',')}) ORDER BY s.id`)
        .all(...ids) as SubRow[]).map(toGrouped);
    },
    assign: (submissionId: number, issueId: number | null) => { assign.run(issueId, submissionId); },
    /** Moves every submission (and any rating) of one issue to another; returns how many submissions moved. */
    moveAll(fromIssueId: number, toIssueId: number): number {
      moveFeedback.run(toIssueId, fromIssueId);
      copySupports.run(toIssueId, fromIssueId);
      dropSupports.run(fromIssueId);
      moveAppeals.run(toIssueId, fromIssueId);
      return moveAll.run(toIssueId, fromIssueId).changes;
    },
    /** Keeps the issue's compound right after its submissions change: the shared compound, or none. */
    refreshPlace(issueId: number): void {
      const compounds = compoundsOf.all(issueId) as Array<number | null>;
      setPlace.run(compounds.length === 1 ? compounds[0] : null, issueId);
    },
    categoryName: (id: number) => (categoryName.get(id) as string | undefined) ?? null,
    /** The issue a submission belongs to, or undefined while it is unassigned. */
    outcomeOf: (submissionId: number) => outcomeOf.get(submissionId),
    feedbackOf: (submissionId: number) => feedbackOf.get(submissionId),
    addFeedback: (submissionId: number, issueId: number | null, rating: Rating, comment: string | null) => {
      insertFeedback.run(submissionId, issueId, rating, comment);
    },
    /** The first texts behind an issue, for similarity against new submissions. */
    texts: (issueId: number, limit = 5) => textsOf.all(issueId, limit) as string[],
    /** The work queue: a campaign's submissions in no issue and not declined, oldest first. */
    queue(f: QueueFilter): GroupedSubmission[] {
      const w = queueWhere(f);
      return (db.prepare(`SELECT ${SUB_COLUMNS} FROM submissions s WHERE ${w.sql} ORDER BY s.created_at, s.id`)
        .all(...w.params) as SubRow[]).map(toGrouped);
    },
    countQueue(f: QueueFilter): number {
      const w = queueWhere(f);
      return db.prepare(`SELECT COUNT(*) FROM submissions s WHERE ${w.sql}`).pluck().get(...w.params) as number;
    },
    /** Open issues of a campaign in the reach, each with up to `texts` of its suggestions, for matching the queue. */
    openIssues(f: { campaignId: number; communityIds: number[] | 'all' }, texts = 8): Array<Issue & { texts: string[] }> {
      const w = where({ campaignId: f.campaignId, communityIds: f.communityIds });
      const rows = (db.prepare(`SELECT ${ISSUE_COLUMNS} FROM issues i ${w.sql}
        AND i.status IN (${OPEN_STATUSES.map(() => '?').join(',')}) ORDER BY i.id`).all(...w.params, ...OPEN_STATUSES) as IssueRow[]).map(toIssue);
      return rows.map((issue) => ({ ...issue, texts: [issue.title, ...(textsOf.all(issue.id, texts) as string[])] }));
    },
    /** Declines queue submissions (不立项); returns those that were still in the queue. */
    decline(ids: number[], reason: string, userId: number): number[] {
      return ids.filter((id) => decline.run(reason, userId, id).changes === 1);
    },
    undecline: (id: number) => { undecline.run(id); },
    /** Staff said these pairs are (or are not) one problem; the last word on a pair counts. */
    addCorrections(pairs: Array<[number, number]>, together: boolean, userId: number): void {
      for (const [x, y] of pairs) if (x !== y) addCorrection.run(Math.min(x, y), Math.max(x, y), together ? 1 : 0, userId);
    },
    /** Corrections among the given submissions. */
    corrections(ids: number[]): { together: Array<[number, number]>; apart: Array<[number, number]> } {
      const out = { together: [] as Array<[number, number]>, apart: [] as Array<[number, number]> };
      if (ids.length === 0) return out;
      const set = new Set(ids);
      // Through the queue's own ids in chunks: SQLite caps the number of parameters of one statement.
      for (let i = 0; i < ids.length; i += 500) {
        const chunk = ids.slice(i, i + 500);
        const rows = db.prepare(`SELECT a, b, together FROM grouping_corrections WHERE a IN (${chunk.map(() => '?').join(',')})`)
          .all(...chunk) as Array<{ a: number; b: number; together: number }>;
        for (const r of rows) if (set.has(r.b)) (r.together ? out.together : out.apart).push([r.a, r.b]);
      }
      return out;
    },
    /** Issues a new submission could join: same campaign, in scope, not declined. */
    candidates(f: { campaignId: number; communityIds: number[] | 'all'; limit?: number }): Issue[] {
      const w = where({ campaignId: f.campaignId, communityIds: f.communityIds });
      return (db.prepare(`SELECT ${ISSUE_COLUMNS} FROM issues i ${w.sql} AND i.status <> 'declined' ORDER BY i.id DESC LIMIT ?`)
        .all(...w.params, f.limit ?? 500) as IssueRow[]).map(toIssue);
    },
  };
}
export type IssueRepo = ReturnType<typeof createIssueRepo>;
