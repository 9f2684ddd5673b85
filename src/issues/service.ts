import { createAuditRepo, type AuditRepo } from '../audit/repo';
import type { Engine, Queries } from '../db/engine';
import { isStaff, reachesCommunity, type Viewer } from '../access/rules';
import { conflict, forbidden, invalid, notFound, NotFoundError } from '../lib/errors';

const DETACH_NOT_IN_ISSUE = '这个问题里没有这条建议（可能已被拆出，或编号不对）。请刷新页面后再试。';
import { createIssueRepo, type GroupedSubmission, type Issue, type IssueFilter, type IssueRepo } from './repo';
import {
  actorOf, attachError, createFromSubmissionsError, mergeError, resolveError, splitError, transitionError,
  type IssueStatus, type Priority,
} from './rules';
import { maskPhonesInText } from '../lib/personal-data';

/**
 * What the issue list needs of the service menu, which builds on issues (src/menu): when staff confirm an
 * issue resolved, its menu item closes. Declared here so issues/ never imports menu/.
 */
export interface IssueMenuPort {
  /** Closes the open item published for the issue, if any, in the caller's unit of work `tx`; returns its id. */
  closeItemOfIssue(tx: Queries, issueId: number): Promise<number | null>;
}

export interface IssueServiceDeps {
  /** Where each change commits with its audit row. */
  engine: Pick<Engine, 'unitOfWork'>;
  /** Reads outside any unit of work. */
  issues: IssueRepo;
  menu: IssueMenuPort;
}

export interface IssueFields { title: string; categoryId: number | null; priority: Priority }

/**
 * "楼道里堆满了杂物，好几个月没人清理" → a title of at most 30 characters for a new issue. Titles travel to
 * the service menu and to claimers, so a phone number the resident typed is masked here already.
 */
export function suggestTitle(text: string): string {
  const masked = maskPhonesInText(text);
  const first = masked.trim().split(/[。！？!?\n]/)[0] || masked.trim();
  const chars = Array.from(first);
  return chars.length > 30 ? chars.slice(0, 29).join('') + '…' : first;
}

/** The category most of the submissions carry (ties: the first seen). */
export function commonCategory(subs: GroupedSubmission[]): number | null {
  const counts = new Map<number, number>();
  for (const s of subs) if (s.categoryId !== null) counts.set(s.categoryId, (counts.get(s.categoryId) ?? 0) + 1);
  let best: number | null = null; let n = 0;
  for (const [id, c] of counts) if (c > n) { best = id; n = c; }
  return best;
}

/**
 * Turning submissions into issues: create, attach, merge, split, status, category/priority, reply, resolve.
 * Every change and its audit row are written in one unit of work, after the rules are checked on fresh rows.
 */
export function createIssueService(deps: IssueServiceDeps) {
  const { issues } = deps;

  function requireStaff(user: Viewer) {
    if (!isStaff(user)) throw forbidden();
  }

  /** The issue, if it exists and lies in the user's communities; otherwise 404 (no hint that it exists). */
  async function loadIssue(user: Viewer, id: number, on: Pick<IssueRepo, 'findById'> = issues): Promise<Issue> {
    requireStaff(user);
    const issue = await on.findById(id);
    if (!issue || !reachesCommunity(user.reach, issue.communityId)) throw notFound('问题');
    return issue;
  }

  async function checkCategory(on: IssueRepo, categoryId: number | null) {
    if (categoryId !== null && await on.categoryName(categoryId) === null) throw invalid('所选分类不存在，请重新选择。');
  }

  async function loadSubmissions(on: IssueRepo, user: Viewer, ids: number[]): Promise<GroupedSubmission[]> {
    const unique = [...new Set(ids)];
    const subs = await on.submissionsByIds(unique);
    if (subs.length !== unique.length || subs.some((s) => !reachesCommunity(user.reach, s.communityId))) {
      throw notFound('建议');
    }
    return subs;
  }

  /** A unit of work with the issue repo and the audit trail on its transaction. */
  const unit = <T>(work: (u: { tx: Queries; issues: IssueRepo; log: Log }) => Promise<T>): Promise<T> =>
    deps.engine.unitOfWork((tx) => work({ tx, issues: createIssueRepo(tx), log: logOn(createAuditRepo(tx)) }));

  return {
    /** `on`: the caller's unit of work's issue repo, when it checks inside one. */
    loadIssue: (user: Viewer, id: number, on?: Pick<IssueRepo, 'findById'>) => loadIssue(user, id, on),

    async list(user: Viewer, f: Omit<IssueFilter, 'communityIds'>): Promise<{ issues: Issue[]; total: number }> {
      requireStaff(user);
      const communityIds = user.reach.communityIds;
      return { issues: await issues.list({ ...f, communityIds }), total: await issues.count({ ...f, communityIds }) };
    },

    create: (user: Viewer, campaignId: number, submissionIds: number[], fields: IssueFields): Promise<number> => unit(async ({ issues, log }) => {
      requireStaff(user);
      await checkCategory(issues, fields.categoryId);
      const subs = await loadSubmissions(issues, user, submissionIds);
      const err = createFromSubmissionsError(campaignId, subs);
      if (err) throw conflict(err);
      const compounds = new Set(subs.map((s) => s.compoundId));
      const id = await issues.insert({
        campaignId, title: fields.title, categoryId: fields.categoryId ?? commonCategory(subs), communityId: subs[0].communityId,
        compoundId: compounds.size === 1 ? subs[0].compoundId : null, priority: fields.priority, createdBy: user.id,
      });
      for (const s of subs) await issues.assign(s.id, id);
      await log(id, 'create', user, { submissionIds: subs.map((s) => s.id) });
      return id;
    }),

    attach: (user: Viewer, issueId: number, submissionIds: number[]): Promise<void> => unit(async ({ issues, log }) => {
      const issue = await loadIssue(user, issueId, issues);
      const subs = await loadSubmissions(issues, user, submissionIds);
      const err = attachError(issue, subs);
      if (err) throw conflict(err);
      for (const s of subs) await issues.assign(s.id, issueId);
      await issues.refreshPlace(issueId);
      await issues.touch(issueId);
      await log(issueId, 'attach', user, { submissionIds: subs.map((s) => s.id) });
    }),

    /** Moves every submission of `sourceId` into `targetId`, then removes the emptied source issue. */
    merge: (user: Viewer, targetId: number, sourceId: number): Promise<number> => unit(async ({ issues, log }) => {
      const target = await loadIssue(user, targetId, issues);
      const source = await loadIssue(user, sourceId, issues);
      const err = mergeError(target, source);
      if (err) throw conflict(err);
      const moved = (await issues.submissions(sourceId)).map((s) => s.id);
      const n = await issues.moveAll(sourceId, targetId);
      if (n !== moved.length) throw new Error('merge moved a different number of submissions than it read');
      await log(sourceId, 'merged_into', user, { intoIssueId: targetId });
      await log(targetId, 'merge', user, { fromIssueId: sourceId, fromTitle: source.title, submissionIds: moved });
      await issues.remove(sourceId);
      await issues.refreshPlace(targetId);
      await issues.touch(targetId);
      return n;
    }),

    /** Takes one submission out of an issue, into a new issue of its own or back to the unassigned queue. */
    detach: (user: Viewer, issueId: number, submissionId: number, to: 'new' | 'unassigned'): Promise<number | null> => unit(async ({ issues, log }) => {
      const issue = await loadIssue(user, issueId, issues);
      const sub = await issues.findSubmission(submissionId);
      // Not in this issue answers like missing: the number of another community's submission is not confirmed.
      if (!sub || sub.issueId !== issueId) throw new NotFoundError(DETACH_NOT_IN_ISSUE);
      const err = splitError(issueId, sub, await issues.submissionCount(issueId));
      if (err) throw conflict(err);
      let newId: number | null = null;
      if (to === 'new') {
        newId = await issues.insert({
          campaignId: issue.campaignId, title: issue.title, categoryId: sub.categoryId ?? issue.categoryId,
          communityId: sub.communityId, compoundId: sub.compoundId, priority: issue.priority, createdBy: user.id,
        });
        await issues.assign(submissionId, newId);
        await log(newId, 'split_from', user, { fromIssueId: issueId, submissionId });
      } else {
        await issues.assign(submissionId, null);
      }
      await issues.refreshPlace(issueId);
      await issues.touch(issueId);
      await log(issueId, 'detach', user, { submissionId, toIssueId: newId });
      return newId;
    }),

    changeStatus: (user: Viewer, issueId: number, to: IssueStatus, reason: string | null): Promise<void> => unit(async ({ issues, log }) => {
      const issue = await loadIssue(user, issueId, issues);
      // Publishing and resolving have their own actions, which also touch the service menu.
      if (to === 'on_menu') throw invalid('请用「发布到服务菜单」把问题列入服务菜单。');
      if (to === 'resolved') throw invalid('请用「确认办结」办结问题。');
      const err = transitionError(actorOf(user.role), issue.status, to, { reason });
      if (err) throw conflict(err);
      await issues.setStatus(issueId, to, to === 'declined' ? reason!.trim() : null);
      await log(issueId, 'status', user, { from: issue.status, to, ...(to === 'declined' ? { reason: reason!.trim() } : {}) });
    }),

    edit: (user: Viewer, issueId: number, fields: IssueFields): Promise<void> => unit(async ({ issues, log }) => {
      const issue = await loadIssue(user, issueId, issues);
      await checkCategory(issues, fields.categoryId);
      await issues.setFields(issueId, fields);
      if (issue.title !== fields.title) await log(issueId, 'title', user, { from: issue.title, to: fields.title });
      if (issue.categoryId !== fields.categoryId) {
        await log(issueId, 'category', user, {
          from: issue.categoryId, to: fields.categoryId, fromName: issue.categoryName,
          toName: fields.categoryId === null ? null : await issues.categoryName(fields.categoryId),
        });
      }
      if (issue.priority !== fields.priority) await log(issueId, 'priority', user, { from: issue.priority, to: fields.priority });
    }),

    reply: (user: Viewer, issueId: number, reply: string | null): Promise<void> => unit(async ({ issues, log }) => {
      const issue = await loadIssue(user, issueId, issues);
      if ((issue.reply ?? null) === reply) return;
      await issues.setReply(issueId, reply);
      await log(issueId, 'reply', user, { from: issue.reply, to: reply });
    }),

    /** Staff confirm the work is done: the issue is resolved and its service item closes. */
    resolve: (user: Viewer, issueId: number, reply: string | null): Promise<void> => unit(async ({ tx, issues, log }) => {
      const issue = await loadIssue(user, issueId, issues);
      const err = resolveError(issue.status) ?? transitionError(actorOf(user.role), issue.status, 'resolved');
      if (err) throw conflict(err);
      await issues.setStatus(issueId, 'resolved');
      const serviceItemId = await deps.menu.closeItemOfIssue(tx, issueId);
      await log(issueId, 'resolve', user, { from: issue.status, serviceItemId });
      if (reply !== null && reply !== issue.reply) {
        await issues.setReply(issueId, reply);
        await log(issueId, 'reply', user, { from: issue.reply, to: reply });
      }
    }),
  };
}

type Log = (issueId: number, action: string, user: Viewer | null, detail?: Record<string, unknown>) => Promise<void>;
const logOn = (audit: AuditRepo): Log => (issueId, action, user, detail) =>
  audit.record({ entityType: 'issue', entityId: issueId, action, detail, userId: user?.id ?? null });

export type IssueService = ReturnType<typeof createIssueService>;
