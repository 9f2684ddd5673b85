import type { Db } from '../db/open-db';
import type { SyncAuditRepo } from '../audit/repo';
import { isStaff, reachesCommunity, type Viewer } from '../access/rules';
import { conflict, forbidden, invalid, notFound, NotFoundError } from '../lib/errors';

const DETACH_NOT_IN_ISSUE = '这个问题里没有这条建议（可能已被拆出，或编号不对）。请刷新页面后再试。';
import type { GroupedSubmission, Issue, IssueFilter, IssueRepo } from './repo';
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
  /** Closes the open item published for the issue, if any; returns its id. */
  closeItemOfIssue(issueId: number): number | null;
}

export interface IssueServiceDeps {
  db: Db;
  issues: IssueRepo;
  audit: SyncAuditRepo;
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
 * Every change and its audit row are written in one transaction, after the rules are checked on fresh rows.
 */
export function createIssueService(deps: IssueServiceDeps) {
  const { db, issues, audit } = deps;

  function requireStaff(user: Viewer) {
    if (!isStaff(user)) throw forbidden();
  }

  /** The issue, if it exists and lies in the user's communities; otherwise 404 (no hint that it exists). */
  function loadIssue(user: Viewer, id: number): Issue {
    requireStaff(user);
    const issue = issues.findById(id);
    if (!issue || !reachesCommunity(user.reach, issue.communityId)) throw notFound('问题');
    return issue;
  }

  function checkCategory(categoryId: number | null) {
    if (categoryId !== null && issues.categoryName(categoryId) === null) throw invalid('所选分类不存在，请重新选择。');
  }

  function loadSubmissions(user: Viewer, ids: number[]): GroupedSubmission[] {
    const unique = [...new Set(ids)];
    const subs = issues.submissionsByIds(unique);
    if (subs.length !== unique.length || subs.some((s) => !reachesCommunity(user.reach, s.communityId))) {
      throw notFound('建议');
    }
    return subs;
  }

  const log = (issueId: number, action: string, user: Viewer | null, detail?: Record<string, unknown>) =>
    audit.record({ entityType: 'issue', entityId: issueId, action, detail, userId: user?.id ?? null });

  return {
    loadIssue,

    list(user: Viewer, f: Omit<IssueFilter, 'communityIds'>): { issues: Issue[]; total: number } {
      requireStaff(user);
      const communityIds = user.reach.communityIds;
      return { issues: issues.list({ ...f, communityIds }), total: issues.count({ ...f, communityIds }) };
    },

    create: db.transaction((user: Viewer, campaignId: number, submissionIds: number[], fields: IssueFields): number => {
      requireStaff(user);
      checkCategory(fields.categoryId);
      const subs = loadSubmissions(user, submissionIds);
      const err = createFromSubmissionsError(campaignId, subs);
      if (err) throw conflict(err);
      const compounds = new Set(subs.map((s) => s.compoundId));
      const id = issues.insert({
        campaignId, title: fields.title, categoryId: fields.categoryId ?? commonCategory(subs), communityId: subs[0].communityId,
        compoundId: compounds.size === 1 ? subs[0].compoundId : null, priority: fields.priority, createdBy: user.id,
      });
      for (const s of subs) issues.assign(s.id, id);
      log(id, 'create', user, { submissionIds: subs.map((s) => s.id) });
      return id;
    }),

    attach: db.transaction((user: Viewer, issueId: number, submissionIds: number[]): void => {
      const issue = loadIssue(user, issueId);
      const subs = loadSubmissions(user, submissionIds);
      const err = attachError(issue, subs);
      if (err) throw conflict(err);
      for (const s of subs) issues.assign(s.id, issueId);
      issues.refreshPlace(issueId);
      issues.touch(issueId);
      log(issueId, 'attach', user, { submissionIds: subs.map((s) => s.id) });
    }),

    /** Moves every submission of `sourceId` into `targetId`, then removes the emptied source issue. */
    merge: db.transaction((user: Viewer, targetId: number, sourceId: number): number => {
      const target = loadIssue(user, targetId);
      const source = loadIssue(user, sourceId);
      const err = mergeError(target, source);
      if (err) throw conflict(err);
      const moved = issues.submissions(sourceId).map((s) => s.id);
      const n = issues.moveAll(sourceId, targetId);
      if (n !== moved.length) throw new Error('merge moved a different number of submissions than it read');
      log(sourceId, 'merged_into', user, { intoIssueId: targetId });
      log(targetId, 'merge', user, { fromIssueId: sourceId, fromTitle: source.title, submissionIds: moved });
      issues.remove(sourceId);
      issues.refreshPlace(targetId);
      issues.touch(targetId);
      return n;
    }),

    /** Takes one submission out of an issue, into a new issue of its own or back to the unassigned queue. */
    detach: db.transaction((user: Viewer, issueId: number, submissionId: number, to: 'new' | 'unassigned'): number | null => {
      const issue = loadIssue(user, issueId);
      const sub = issues.findSubmission(submissionId);
      // Not in this issue answers like missing: the number of another community's submission is not confirmed.
      if (!sub || sub.issueId !== issueId) throw new NotFoundError(DETACH_NOT_IN_ISSUE);
      const err = splitError(issueId, sub, issues.submissionCount(issueId));
      if (err) throw conflict(err);
      let newId: number | null = null;
      if (to === 'new') {
        newId = issues.insert({
          campaignId: issue.campaignId, title: issue.title, categoryId: sub.categoryId ?? issue.categoryId,
          communityId: sub.communityId, compoundId: sub.compoundId, priority: issue.priority, createdBy: user.id,
        });
        issues.assign(submissionId, newId);
        log(newId, 'split_from', user, { fromIssueId: issueId, submissionId });
      } else {
        issues.assign(submissionId, null);
      }
      issues.refreshPlace(issueId);
      issues.touch(issueId);
      log(issueId, 'detach', user, { submissionId, toIssueId: newId });
      return newId;
    }),

    changeStatus: db.transaction((user: Viewer, issueId: number, to: IssueStatus, reason: string | null): void => {
      const issue = loadIssue(user, issueId);
      // Publishing and resolving have their own actions, which also touch the service menu.
      if (to === 'on_menu') throw invalid('请用「发布到服务菜单」把问题列入服务菜单。');
      if (to === 'resolved') throw invalid('请用「确认办结」办结问题。');
      const err = transitionError(actorOf(user.role), issue.status, to, { reason });
      if (err) throw conflict(err);
      issues.setStatus(issueId, to, to === 'declined' ? reason!.trim() : null);
      log(issueId, 'status', user, { from: issue.status, to, ...(to === 'declined' ? { reason: reason!.trim() } : {}) });
    }),

    edit: db.transaction((user: Viewer, issueId: number, fields: IssueFields): void => {
      const issue = loadIssue(user, issueId);
      checkCategory(fields.categoryId);
      issues.setFields(issueId, fields);
      if (issue.title !== fields.title) log(issueId, 'title', user, { from: issue.title, to: fields.title });
      if (issue.categoryId !== fields.categoryId) {
        log(issueId, 'category', user, {
          from: issue.categoryId, to: fields.categoryId, fromName: issue.categoryName,
          toName: fields.categoryId === null ? null : issues.categoryName(fields.categoryId),
        });
      }
      if (issue.priority !== fields.priority) log(issueId, 'priority', user, { from: issue.priority, to: fields.priority });
    }),

    reply: db.transaction((user: Viewer, issueId: number, reply: string | null): void => {
      const issue = loadIssue(user, issueId);
      if ((issue.reply ?? null) === reply) return;
      issues.setReply(issueId, reply);
      log(issueId, 'reply', user, { from: issue.reply, to: reply });
    }),

    /** Staff confirm the work is done: the issue is resolved and its service item closes. */
    resolve: db.transaction((user: Viewer, issueId: number, reply: string | null): void => {
      const issue = loadIssue(user, issueId);
      const err = resolveError(issue.status) ?? transitionError(actorOf(user.role), issue.status, 'resolved');
      if (err) throw conflict(err);
      issues.setStatus(issueId, 'resolved');
      const serviceItemId = deps.menu.closeItemOfIssue(issueId);
      log(issueId, 'resolve', user, { from: issue.status, serviceItemId });
      if (reply !== null && reply !== issue.reply) {
        issues.setReply(issueId, reply);
        log(issueId, 'reply', user, { from: issue.reply, to: reply });
      }
    }),
  };
}

export type IssueService = ReturnType<typeof createIssueService>;
