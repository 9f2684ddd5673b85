import { isStaff, reachesCommunity, type Viewer } from '../access/rules';
import { createAuditRepo } from '../audit/repo';
import type { Engine } from '../db/engine';
import type { Grouping } from '../grouping/service';
import { conflict, forbidden, invalid, notFound } from '../lib/errors';
import { createIssueRepo, type GroupedSubmission, type Issue, type IssueRepo, type QueueFilter } from './repo';
import { mergeError } from './rules';
import { commonCategory, suggestTitle, type IssueFields, type IssueService } from './service';

/** One proposed group of the unassigned queue, as staff see and act on it. */
export interface QueueGroup {
  /** Stable while its members stay: the smallest submission id. */
  key: number;
  communityId: number | null;
  communityName: string | null;
  members: GroupedSubmission[];
  suggestedTitle: string;
  suggestedCategoryId: number | null;
  /** The open issue of the same community the group most likely belongs to. */
  match: { issue: Issue; score: number } | null;
}

export const TRIAGE_MESSAGES = {
  notInQueue: (id: number) => `建议 #${id} 已经不在待归类里了（可能刚被别人处理）。请刷新页面。`,
  reasonRequired: '请填写不立项的原因，居民会在回执页看到它。',
  noIssue: (text: string) => `没有找到标题含「${text}」的未办结问题。请换个词，或输入问题编号（如 #12）。`,
  ambiguous: (text: string, titles: string[]) => `标题含「${text}」的问题不止一个：${titles.join('、')}。请多输入几个字，或输入问题编号（如 #12）。`,
  otherCommunity: '只能并入同一社区的问题。',
  closedIssue: (id: number) => `问题 #${id} 已经办结或未采纳，不能再并入。请建立新问题。`,
};

export interface TriageDeps {
  /** Where corrections and declines commit (with their audit rows). */
  engine: Pick<Engine, 'unitOfWork'>;
  /** Reads outside any unit of work. */
  issues: IssueRepo;
  issueService: IssueService;
  grouping: Grouping;
}

/**
 * Turning the unassigned queue into an issue list: the grouping engine proposes groups across the whole campaign
 * (and the open issue each likely joins); staff create issues from groups, join them to issues, split and move
 * members (kept as corrections the engine follows from then on), or decline suggestions with a reply.
 */
export function createTriageService(deps: TriageDeps) {
  const { issues, grouping } = deps;

  function requireStaff(user: Viewer) {
    if (!isStaff(user)) throw forbidden();
  }

  const filterFor = (user: Viewer, campaignId: number, f: { communityId?: number; categoryId?: number }): QueueFilter =>
    ({ campaignId, communityIds: user.reach.communityIds, communityId: f.communityId, categoryId: f.categoryId });

  /** The queue submissions with these ids, all in the user's reach and this campaign; otherwise nothing. */
  async function queued(on: IssueRepo, user: Viewer, campaignId: number, ids: number[]): Promise<GroupedSubmission[]> {
    const unique = [...new Set(ids)];
    const subs = await on.submissionsByIds(unique);
    if (subs.length !== unique.length || subs.some((s) => !reachesCommunity(user.reach, s.communityId) || s.campaignId !== campaignId)) {
      throw notFound('建议');
    }
    const gone = subs.find((s) => s.issueId !== null || s.declinedAt !== null);
    if (gone) throw conflict(TRIAGE_MESSAGES.notInQueue(gone.id));
    return subs;
  }

  // The last grouping of each queue, reused while neither the queue, the open issues nor the corrections changed
  // (paging through the groups, or reloading, costs no regrouping).
  const cache = new Map<string, { signature: string; groups: QueueGroup[] }>();

  return {
    /** Every group of the queue (in the user's reach, with the page's filters), biggest first, then oldest. */
    async groups(user: Viewer, campaignId: number, f: { communityId?: number; categoryId?: number } = {}): Promise<QueueGroup[]> {
      requireStaff(user);
      const filter = filterFor(user, campaignId, f);
      const subs = await issues.queue(filter);
      const open = await issues.openIssues({ campaignId, communityIds: user.reach.communityIds });
      const ids = subs.map((s) => s.id);
      const corrections = await issues.corrections(ids);
      const signature = JSON.stringify([ids, corrections, open.map((i) => [i.id, i.title, i.updatedAt, i.residents])]);
      const cacheKey = JSON.stringify([campaignId, filter.communityIds, f.communityId ?? null, f.categoryId ?? null]);
      const hit = cache.get(cacheKey);
      if (hit && hit.signature === signature) return hit.groups;

      const proposed = await grouping.propose({
        items: subs.map((s) => ({ key: s.id, community: s.communityId, text: s.text, categoryId: s.categoryId })),
        issues: open.map((i) => ({ id: i.id, community: i.communityId, texts: i.texts })),
        corrections,
      });
      const byId = new Map(open.map((i) => [i.id, i]));
      const groups: QueueGroup[] = proposed.map((p) => {
        const members = p.members.map((m) => subs[m]);
        const match = p.match ? byId.get(p.match.issueId) : undefined;
        return {
          key: Math.min(...members.map((m) => m.id)),
          communityId: members[0].communityId,
          communityName: members[0].communityName,
          members,
          suggestedTitle: suggestTitle(subs[p.representative].text),
          suggestedCategoryId: commonCategory(members),
          match: match ? { issue: match, score: p.match!.score } : null,
        };
      });
      groups.sort((a, b) => b.members.length - a.members.length || a.members[0].createdAt.localeCompare(b.members[0].createdAt) || a.key - b.key);
      if (cache.size > 200) cache.clear();
      cache.set(cacheKey, { signature, groups });
      return groups;
    },

    countQueue: (user: Viewer, campaignId: number) => issues.countQueue(filterFor(user, campaignId, {})),

    /** A new issue from queue submissions. */
    create(user: Viewer, campaignId: number, ids: number[], fields: IssueFields): Promise<number> {
      requireStaff(user);
      return deps.issueService.create(user, campaignId, ids, fields);
    },

    /**
     * The open issue staff mean by what they typed: "#12" or "12", or part of its title, among the open issues of
     * the campaign in the community of the submissions.
     */
    async findIssue(user: Viewer, campaignId: number, communityId: number | null, typed: string): Promise<Issue> {
      requireStaff(user);
      const text = typed.trim();
      const number = /^#?\s*(\d{1,15})$/.exec(text);
      const open = await issues.openIssues({ campaignId, communityIds: user.reach.communityIds }, 0);
      if (number) {
        const issue = await deps.issueService.loadIssue(user, Number(number[1]));
        if (issue.campaignId !== campaignId) throw invalid(`问题 #${issue.id} 不属于这次征求意见。`);
        if (!open.some((o) => o.id === issue.id)) throw conflict(TRIAGE_MESSAGES.closedIssue(issue.id));
        if (issue.communityId !== communityId) throw conflict(TRIAGE_MESSAGES.otherCommunity);
        return issue;
      }
      // A choice from the suggestion list arrives as "#12 标题": the number decides.
      const chosen = /^#(\d{1,15})\s/.exec(text);
      if (chosen) return this.findIssue(user, campaignId, communityId, `#${chosen[1]}`);
      const found = open.filter((o) => o.communityId === communityId && o.title.includes(text));
      if (found.length === 0) throw invalid(TRIAGE_MESSAGES.noIssue(text.slice(0, 30)));
      if (found.length > 1) {
        const exact = found.filter((o) => o.title === text);
        if (exact.length === 1) return exact[0];
        throw invalid(TRIAGE_MESSAGES.ambiguous(text.slice(0, 30), found.slice(0, 5).map((o) => `#${o.id}「${o.title}」`)));
      }
      return found[0];
    },

    /** Puts queue submissions into the open issue staff typed (its number, or part of its title). */
    async join(user: Viewer, campaignId: number, ids: number[], typed: string): Promise<Issue> {
      const subs = await queued(issues, user, campaignId, ids);
      const issue = await this.findIssue(user, campaignId, subs[0].communityId, typed);
      await deps.issueService.attach(user, issue.id, ids);
      return issue;
    },

    /** Puts submissions into an issue of the campaign chosen by its number. */
    async joinNumber(user: Viewer, campaignId: number, ids: number[], issueId: number): Promise<Issue> {
      const issue = await deps.issueService.loadIssue(user, issueId);
      if (issue.campaignId !== campaignId) throw invalid(`问题 #${issue.id} 不属于这次征求意见。`);
      await deps.issueService.attach(user, issue.id, ids);
      return issue;
    },

    /** The open issues of a campaign in the user's reach. */
    openIssues: (user: Viewer, campaignId: number) => issues.openIssues({ campaignId, communityIds: user.reach.communityIds }, 0),

    /**
     * Staff correct the proposed groups: `member` does not belong with `from` (split off, or moved away), and
     * does belong with `to` (moved there). Kept as pairs, so the next grouping follows them.
     */
    correct: (user: Viewer, campaignId: number, member: number, from: number[], to: number[]): Promise<void> => deps.engine.unitOfWork(async (tx) => {
      requireStaff(user);
      const issues = createIssueRepo(tx);
      await queued(issues, user, campaignId, [member, ...from, ...to]);
      await issues.addCorrections(from.filter((x) => x !== member).map((x) => [member, x]), false, user.id);
      await issues.addCorrections(to.filter((x) => x !== member).map((x) => [member, x]), true, user.id);
    }),

    /** 不立项: the suggestions leave the queue without an issue; the reason is the resident's reply on the receipt. */
    decline: (user: Viewer, campaignId: number, ids: number[], reason: string): Promise<number> => deps.engine.unitOfWork(async (tx) => {
      requireStaff(user);
      if (!reason.trim()) throw invalid(TRIAGE_MESSAGES.reasonRequired);
      const issues = createIssueRepo(tx);
      const audit = createAuditRepo(tx);
      const subs = await queued(issues, user, campaignId, ids);
      const done = await issues.decline(subs.map((s) => s.id), reason.trim(), user.id);
      for (const id of done) await audit.record({ entityType: 'submission', entityId: id, action: 'decline', detail: { reason: reason.trim() }, userId: user.id });
      return done.length;
    }),

    /** A declined suggestion goes back to the queue. */
    undecline: (user: Viewer, submissionId: number): Promise<void> => deps.engine.unitOfWork(async (tx) => {
      requireStaff(user);
      const issues = createIssueRepo(tx);
      const [s] = await issues.submissionsByIds([submissionId]);
      if (!s || !reachesCommunity(user.reach, s.communityId)) throw notFound('建议');
      if (s.declinedAt === null) throw conflict('这条建议没有被设为不立项。');
      await issues.undecline(submissionId);
      await createAuditRepo(tx).record({ entityType: 'submission', entityId: submissionId, action: 'undecline', detail: { reason: s.declineReason }, userId: user.id });
    }),

    /** Other open issues of the same campaign and community that look like the same problem, as merge candidates. */
    async similarIssues(user: Viewer, issue: Issue, limit = 5): Promise<Array<{ issue: Issue; score: number }>> {
      const open = await issues.openIssues({ campaignId: issue.campaignId, communityIds: user.reach.communityIds });
      const others = open.filter((o) => o.id !== issue.id && o.communityId === issue.communityId && mergeError(issue, o) === null);
      if (others.length === 0) return [];
      const texts = open.find((o) => o.id === issue.id)?.texts ?? [issue.title, ...(await issues.texts(issue.id))];
      const byId = new Map(others.map((o) => [o.id, o]));
      return grouping.rankIssues({ texts, community: issue.communityId, issues: others.map((o) => ({ id: o.id, community: o.communityId, texts: o.texts })) })
        .slice(0, limit).map((r) => ({ issue: byId.get(r.issueId)!, score: r.score }));
    },
  };
}
export type TriageService = ReturnType<typeof createTriageService>;
