import { sql, type RawBuilder } from 'kysely';
import { all, one, run, type Queries } from '../db/engine';
import { dialectOf, inList } from '../db/dialect';
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

const ISSUE_COLUMNS = sql.raw(`i.*,
  (SELECT name FROM categories WHERE id = i.category_id) AS category_name,
  (SELECT name FROM places WHERE id = i.community_id) AS community_name,
  (SELECT name FROM places WHERE id = i.compound_id) AS compound_name,
  (SELECT COUNT(*) FROM submissions s WHERE s.issue_id = i.id) AS residents,
  (SELECT COUNT(*) FROM issue_supports p WHERE p.issue_id = i.id) AS supporters,
  CASE WHEN EXISTS (SELECT 1 FROM appeals a WHERE a.issue_id = i.id AND a.status = 'open') THEN 1 ELSE 0 END AS under_review`);

type SubRow = Parameters<typeof toSubmission>[0] & {
  issue_id: number | null; category_name: string | null; compound_name: string | null; community_name: string | null;
};
const toGrouped = (r: SubRow): GroupedSubmission => ({
  ...toSubmission(r), issueId: r.issue_id, categoryName: r.category_name, compoundName: r.compound_name, communityName: r.community_name,
});
const SUB_COLUMNS = sql.raw(`s.*, (SELECT name FROM categories WHERE id = s.category_id) AS category_name,
  (SELECT name FROM places WHERE id = s.compound_id) AS compound_name,
  (SELECT name FROM places WHERE id = s.community_id) AS community_name`);

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


const COUNT = (r: { n: number } | undefined) => r?.n ?? 0;

export function createIssueRepo(on: Queries) {
  const NOW = dialectOf(on).nowIso;

  function queueWhere(f: QueueFilter): RawBuilder<unknown> {
    const w: Array<RawBuilder<unknown>> = [sql`s.campaign_id = ${f.campaignId}`, sql`s.issue_id IS NULL`, sql`s.declined_at IS NULL`];
    if (f.communityIds !== 'all') w.push(sql`s.community_id IN ${inList(f.communityIds)}`);
    if (f.communityId !== undefined) w.push(sql`s.community_id = ${f.communityId}`);
    if (f.categoryId !== undefined) w.push(sql`s.category_id = ${f.categoryId}`);
    return sql.join(w, sql` AND `);
  }

  function where(f: Omit<IssueFilter, 'limit' | 'offset' | 'sort'>): RawBuilder<unknown> {
    const w: Array<RawBuilder<unknown>> = [sql`i.campaign_id = ${f.campaignId}`];
    if (f.communityIds !== 'all') w.push(sql`i.community_id IN ${inList(f.communityIds)}`);
    if (f.communityId !== undefined) w.push(sql`i.community_id = ${f.communityId}`);
    if (f.categoryId !== undefined) w.push(sql`i.category_id = ${f.categoryId}`);
    if (f.status !== undefined) w.push(sql`i.status = ${f.status}`);
    return sql`WHERE ${sql.join(w, sql` AND `)}`;
  }

  const texts = async (issueId: number, limit: number): Promise<string[]> =>
    (await all<{ text: string }>(on, sql`SELECT text FROM submissions WHERE issue_id = ${issueId} ORDER BY id LIMIT ${limit}`)).map((r) => r.text);
  const setPlace = async (compoundId: number | null, id: number) => {
    await run(on, sql`UPDATE issues SET compound_id = ${compoundId}, updated_at = ${NOW} WHERE id = ${id}`);
  };

  return {
    async findById(id: number): Promise<Issue | undefined> {
      const r = await one<IssueRow>(on, sql`SELECT ${ISSUE_COLUMNS} FROM issues i WHERE i.id = ${id}`);
      return r ? toIssue(r) : undefined;
    },
    /** Ranked: most residents behind it first, then urgency (or the other way round with sort=priority). */
    async list(f: IssueFilter): Promise<Issue[]> {
      const order = sql.raw(f.sort === 'priority' ? 'i.priority DESC, residents DESC'
        : f.sort === 'supporters' ? 'supporters DESC, residents DESC, i.priority DESC' : 'residents DESC, i.priority DESC');
      return (await all<IssueRow>(on, sql`SELECT ${ISSUE_COLUMNS} FROM issues i ${where(f)} ORDER BY ${order}, i.created_at, i.id
        LIMIT ${f.limit ?? 100} OFFSET ${f.offset ?? 0}`)).map(toIssue);
    },
    count: async (f: Omit<IssueFilter, 'limit' | 'offset' | 'sort'>): Promise<number> =>
      COUNT(await one<{ n: number }>(on, sql`SELECT COUNT(*) AS n FROM issues i ${where(f)}`)),
    async insert(i: NewIssue): Promise<number> {
      const r = await one<{ id: number }>(on, sql`INSERT INTO issues (campaign_id, title, category_id, community_id, compound_id, priority, created_by)
        VALUES (${i.campaignId}, ${i.title}, ${i.categoryId}, ${i.communityId}, ${i.compoundId}, ${i.priority}, ${i.createdBy}) RETURNING id`);
      return r!.id;
    },
    async setStatus(id: number, status: IssueStatus, declineReason: string | null = null): Promise<void> {
      await run(on, sql`UPDATE issues SET status = ${status}, decline_reason = ${declineReason},
        resolved_at = ${status === 'resolved' ? NOW : null}, updated_at = ${NOW} WHERE id = ${id}`);
    },
    async setFields(id: number, v: { title: string; categoryId: number | null; priority: Priority }): Promise<void> {
      await run(on, sql`UPDATE issues SET title = ${v.title}, category_id = ${v.categoryId}, priority = ${v.priority},
        updated_at = ${NOW} WHERE id = ${id}`);
    },
    setReply: async (id: number, reply: string | null): Promise<void> => { await run(on, sql`UPDATE issues SET reply = ${reply}, updated_at = ${NOW} WHERE id = ${id}`); },
    touch: async (id: number): Promise<void> => { await run(on, sql`UPDATE issues SET updated_at = ${NOW} WHERE id = ${id}`); },
    remove: async (id: number): Promise<void> => { await run(on, sql`DELETE FROM issues WHERE id = ${id}`); },
    submissions: async (issueId: number): Promise<GroupedSubmission[]> =>
      (await all<SubRow>(on, sql`SELECT ${SUB_COLUMNS} FROM submissions s WHERE s.issue_id = ${issueId} ORDER BY s.created_at, s.id`)).map(toGrouped),
    submissionCount: async (issueId: number): Promise<number> =>
      COUNT(await one<{ n: number }>(on, sql`SELECT COUNT(*) AS n FROM submissions WHERE issue_id = ${issueId}`)),
    async findSubmission(id: number): Promise<GroupedSubmission | undefined> {
      const r = await one<SubRow>(on, sql`SELECT ${SUB_COLUMNS} FROM submissions s WHERE s.id = ${id}`);
      return r ? toGrouped(r) : undefined;
    },
    async submissionsByIds(ids: number[]): Promise<GroupedSubmission[]> {
      if (ids.length === 0) return [];
      return (await all<SubRow>(on, sql`SELECT ${SUB_COLUMNS} FROM submissions s WHERE s.id IN (${sql.join(ids)}) ORDER BY s.id`)).map(toGrouped);
    },
    assign: async (submissionId: number, issueId: number | null): Promise<void> => {
      await run(on, sql`UPDATE submissions SET issue_id = ${issueId} WHERE id = ${submissionId}`);
    },
    /** Moves every submission (and any rating) of one issue to another; returns how many submissions moved. */
    async moveAll(fromIssueId: number, toIssueId: number): Promise<number> {
      await run(on, sql`UPDATE feedback SET issue_id = ${toIssueId} WHERE issue_id = ${fromIssueId}`);
      // A phone that supported both issues counts once on the merged one.
      await run(on, sql`INSERT INTO issue_supports (issue_id, resident_key, created_at)
        SELECT CAST(${toIssueId} AS BIGINT), resident_key, created_at FROM issue_supports WHERE issue_id = ${fromIssueId} ON CONFLICT DO NOTHING`);
      await run(on, sql`DELETE FROM issue_supports WHERE issue_id = ${fromIssueId}`);
      await run(on, sql`UPDATE appeals SET issue_id = ${toIssueId} WHERE issue_id = ${fromIssueId}`);
      return run(on, sql`UPDATE submissions SET issue_id = ${toIssueId} WHERE issue_id = ${fromIssueId}`);
    },
    /** Keeps the issue's compound right after its submissions change: the shared compound, or none. */
    async refreshPlace(issueId: number): Promise<void> {
      const compounds = await all<{ compound_id: number | null }>(on, sql`SELECT DISTINCT compound_id FROM submissions WHERE issue_id = ${issueId}`);
      await setPlace(compounds.length === 1 ? compounds[0].compound_id : null, issueId);
    },
    categoryName: async (id: number): Promise<string | null> =>
      (await one<{ name: string }>(on, sql`SELECT name FROM categories WHERE id = ${id}`))?.name ?? null,
    /** The issue a submission belongs to, or undefined while it is unassigned. */
    outcomeOf: (submissionId: number): Promise<OutcomeRow | undefined> => one<OutcomeRow>(on, sql`SELECT i.id, i.status, i.reply, i.decline_reason, i.resolved_at
      FROM submissions s JOIN issues i ON i.id = s.issue_id WHERE s.id = ${submissionId}`),
    feedbackOf: (submissionId: number): Promise<FeedbackRow | undefined> =>
      one<FeedbackRow>(on, sql`SELECT rating, comment, created_at FROM feedback WHERE submission_id = ${submissionId}`),
    addFeedback: async (submissionId: number, issueId: number | null, rating: Rating, comment: string | null): Promise<void> => {
      await run(on, sql`INSERT INTO feedback (submission_id, issue_id, rating, comment) VALUES (${submissionId}, ${issueId}, ${rating}, ${comment})`);
    },
    /** The first texts behind an issue, for similarity against new submissions. */
    texts: (issueId: number, limit = 5) => texts(issueId, limit),
    /** The work queue: a campaign's submissions in no issue and not declined, oldest first. */
    queue: async (f: QueueFilter): Promise<GroupedSubmission[]> =>
      (await all<SubRow>(on, sql`SELECT ${SUB_COLUMNS} FROM submissions s WHERE ${queueWhere(f)} ORDER BY s.created_at, s.id`)).map(toGrouped),
    countQueue: async (f: QueueFilter): Promise<number> =>
      COUNT(await one<{ n: number }>(on, sql`SELECT COUNT(*) AS n FROM submissions s WHERE ${queueWhere(f)}`)),
    /** Open issues of a campaign in the reach, each with up to `texts` of its suggestions, for matching the queue. */
    async openIssues(f: { campaignId: number; communityIds: number[] | 'all' }, textCount = 8): Promise<Array<Issue & { texts: string[] }>> {
      const rows = (await all<IssueRow>(on, sql`SELECT ${ISSUE_COLUMNS} FROM issues i ${where({ campaignId: f.campaignId, communityIds: f.communityIds })}
        AND i.status IN (${sql.join(OPEN_STATUSES)}) ORDER BY i.id`)).map(toIssue);
      const out: Array<Issue & { texts: string[] }> = [];
      for (const issue of rows) out.push({ ...issue, texts: [issue.title, ...(await texts(issue.id, textCount))] });
      return out;
    },
    /** Declines queue submissions (不立项); returns those that were still in the queue. */
    async decline(ids: number[], reason: string, userId: number): Promise<number[]> {
      const done: number[] = [];
      for (const id of ids) {
        const n = await run(on, sql`UPDATE submissions SET declined_at = ${NOW}, decline_reason = ${reason}, declined_by = ${userId}
          WHERE id = ${id} AND issue_id IS NULL AND declined_at IS NULL`);
        if (n === 1) done.push(id);
      }
      return done;
    },
    undecline: async (id: number): Promise<void> => {
      await run(on, sql`UPDATE submissions SET declined_at = NULL, decline_reason = NULL, declined_by = NULL WHERE id = ${id}`);
    },
    /** Staff said these pairs are (or are not) one problem; the last word on a pair counts. */
    async addCorrections(pairs: Array<[number, number]>, together: boolean, userId: number): Promise<void> {
      for (const [x, y] of pairs) {
        if (x === y) continue;
        await run(on, sql`INSERT INTO grouping_corrections (a, b, together, user_id) VALUES (${Math.min(x, y)}, ${Math.max(x, y)}, ${together ? 1 : 0}, ${userId})
          ON CONFLICT (a, b) DO UPDATE SET together = excluded.together, user_id = excluded.user_id, created_at = excluded.created_at`);
      }
    },
    /** Corrections among the given submissions. */
    async corrections(ids: number[]): Promise<{ together: Array<[number, number]>; apart: Array<[number, number]> }> {
      const out = { together: [] as Array<[number, number]>, apart: [] as Array<[number, number]> };
      if (ids.length === 0) return out;
      const set = new Set(ids);
      // Through the queue's own ids in chunks: SQLite caps the number of parameters of one statement.
      for (let i = 0; i < ids.length; i += 500) {
        const chunk = ids.slice(i, i + 500);
        const rows = await all<{ a: number; b: number; together: number }>(on, sql`SELECT a, b, together FROM grouping_corrections WHERE a IN (${sql.join(chunk)})`);
        for (const r of rows) if (set.has(r.b)) (r.together ? out.together : out.apart).push([r.a, r.b]);
      }
      return out;
    },
    /** Issues a new submission could join: same campaign, in scope, not declined. */
    candidates: async (f: { campaignId: number; communityIds: number[] | 'all'; limit?: number }): Promise<Issue[]> =>
      (await all<IssueRow>(on, sql`SELECT ${ISSUE_COLUMNS} FROM issues i ${where({ campaignId: f.campaignId, communityIds: f.communityIds })}
        AND i.status <> 'declined' ORDER BY i.id DESC LIMIT ${f.limit ?? 500}`)).map(toIssue),
  };
}
export type IssueRepo = ReturnType<typeof createIssueRepo>;
