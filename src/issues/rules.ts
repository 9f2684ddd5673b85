/**
 * The rules of the issue list as plain functions: each returns a Chinese message
 * saying why something is not allowed, or null when it is. Services call them inside their transactions;
 * tests call them directly.
 */
import type { Role } from '../auth/roles';

export const ISSUE_STATUSES = ['new', 'accepted', 'on_menu', 'claimed', 'in_progress', 'resolved', 'declined'] as const;
export type IssueStatus = (typeof ISSUE_STATUSES)[number];

/** What staff read. */
export const ISSUE_STATUS_LABELS: Record<IssueStatus, string> = {
  new: '待受理',
  accepted: '已受理',
  on_menu: '已列入服务菜单',
  claimed: '已认领',
  in_progress: '办理中',
  resolved: '已办结',
  declined: '未采纳',
};

/** What residents read on their receipt page: "new" is already "received" from their side. */
export const RESIDENT_STATUS_LABELS: Record<IssueStatus, string> = {
  new: '已受理',
  accepted: '已受理',
  on_menu: '已列入服务菜单',
  claimed: '已有人认领',
  in_progress: '正在办理',
  resolved: '已办结',
  declined: '未采纳',
};

export const PRIORITIES = [1, 2, 3] as const;
export type Priority = (typeof PRIORITIES)[number];
export const PRIORITY_LABELS: Record<Priority, string> = { 1: '低', 2: '普通', 3: '紧急' };

export const RATINGS = ['satisfied', 'basically', 'unsatisfied'] as const;
export type Rating = (typeof RATINGS)[number];
export const RATING_LABELS: Record<Rating, string> = { satisfied: '满意', basically: '基本满意', unsatisfied: '不满意' };

/** Who moves an issue: staff (and admins), the claimer who holds its item, or the system reacting to a claim. */
export type Actor = 'staff' | 'claimer' | 'system';

export function actorOf(role: Role): Actor | null {
  if (role === 'admin' || role === 'staff') return 'staff';
  if (role === 'claimer') return 'claimer';
  return null;
}

/**
 * The allowed moves and who may make each. The main line is new → accepted → on_menu → claimed →
 * in_progress → resolved; staff may also decline (with a reason) before anything is published, and handle
 * an accepted issue themselves (accepted → in_progress) without the menu. The system moves an issue back to
 * the menu when every claimer withdraws, and back to accepted when staff close an unclaimed item.
 */
const EDGES: Record<IssueStatus, Partial<Record<IssueStatus, readonly Actor[]>>> = {
  new: { accepted: ['staff'], declined: ['staff'] },
  accepted: { on_menu: ['staff'], in_progress: ['staff'], declined: ['staff'] },
  on_menu: { claimed: ['claimer'], accepted: ['system'] },
  claimed: { in_progress: ['claimer', 'staff'], on_menu: ['system'] },
  in_progress: { resolved: ['staff'], on_menu: ['system'] },
  resolved: {},
  declined: {},
};

/** The statuses an actor may move an issue to from `from` (for showing buttons). */
export function nextStatuses(actor: Actor, from: IssueStatus): IssueStatus[] {
  return (Object.entries(EDGES[from]) as Array<[IssueStatus, readonly Actor[]]>)
    .filter(([, who]) => who.includes(actor))
    .map(([to]) => to);
}

export function transitionError(actor: Actor | null, from: IssueStatus, to: IssueStatus, opts: { reason?: string | null } = {}): string | null {
  if (!actor) return '您的角色不能改变问题的状态。';
  if (from === to) return `问题已经是「${ISSUE_STATUS_LABELS[to]}」状态了。`;
  const who = EDGES[from][to];
  if (!who) return `问题现在是「${ISSUE_STATUS_LABELS[from]}」，不能直接改为「${ISSUE_STATUS_LABELS[to]}」。`;
  if (!who.includes(actor)) return `您的角色不能把问题从「${ISSUE_STATUS_LABELS[from]}」改为「${ISSUE_STATUS_LABELS[to]}」。`;
  if (to === 'declined' && !opts.reason?.trim()) return '请填写未采纳的原因，居民会在回执页看到它。';
  return null;
}

// ---- grouping submissions into issues ----

export interface IssueLike { id: number; campaignId: number; communityId: number | null; status: IssueStatus }
export interface SubmissionLike { id: number; campaignId: number; communityId: number | null; issueId: number | null }

/** Statuses after which an issue has a service item and claims hanging on it, so it may not disappear in a merge. */
const PUBLISHED: readonly IssueStatus[] = ['on_menu', 'claimed', 'in_progress', 'resolved'];

/** An issue is built from one or more unassigned submissions of one campaign and one community. */
export function createFromSubmissionsError(campaignId: number, subs: SubmissionLike[]): string | null {
  if (subs.length === 0) return '请至少选择一条建议。';
  for (const s of subs) {
    if (s.campaignId !== campaignId) return `建议 #${s.id} 不属于这次征求意见。`;
    if (s.issueId !== null) return `建议 #${s.id} 已经属于问题 #${s.issueId}，请先从那里拆出。`;
  }
  if (new Set(subs.map((s) => s.communityId)).size > 1) return '所选建议来自不同社区，不能合并为一个问题。请按社区分别建立。';
  return null;
}

/** Attaching puts unassigned submissions of the same campaign and community under an existing issue. */
export function attachError(issue: IssueLike, subs: SubmissionLike[]): string | null {
  if (subs.length === 0) return '请至少选择一条建议。';
  for (const s of subs) {
    if (s.issueId === issue.id) return `建议 #${s.id} 已经在这个问题里了。`;
    if (s.issueId !== null) return `建议 #${s.id} 已经属于问题 #${s.issueId}，请先从那里拆出。`;
    if (s.campaignId !== issue.campaignId) return `建议 #${s.id} 不属于这次征求意见。`;
    if (s.communityId !== issue.communityId) return `建议 #${s.id} 来自其他社区，不能并入这个问题。`;
  }
  return null;
}

/** Merging moves every submission of `source` into `target`; the source issue then goes away. */
export function mergeError(target: IssueLike, source: IssueLike): string | null {
  if (target.id === source.id) return '不能把问题合并到它自己。';
  if (target.campaignId !== source.campaignId) return '只能合并同一次征求意见中的问题。';
  if (target.communityId !== source.communityId) return '不同社区的问题不能合并。';
  if (PUBLISHED.includes(source.status)) {
    return `问题 #${source.id} 已列入服务菜单或已在办理，不能被合并掉；请反过来把其他问题合并到它。`;
  }
  if (target.status === 'declined') return '不能合并到未采纳的问题。请先选择一个正在处理的问题作为合并目标。';
  return null;
}

/** Splitting takes one submission out; the last one stays, so no issue is ever left with nobody behind it. */
export function splitError(issueId: number, sub: SubmissionLike, submissionsInIssue: number): string | null {
  if (sub.issueId !== issueId) return `建议 #${sub.id} 不属于这个问题。`;
  if (submissionsInIssue <= 1) return '这是这个问题唯一的一条建议，不能拆出。如不处理，请把问题标记为未采纳。';
  return null;
}

/** Staff confirm resolved once work is under way (a claimer started, or the community handles it itself). */
export function resolveError(status: IssueStatus): string | null {
  if (status === 'resolved') return '这个问题已经办结了。';
  if (status !== 'in_progress') {
    return `问题现在是「${ISSUE_STATUS_LABELS[status]}」，要等认领人开始办理（或社区自己办理）后才能确认办结。`;
  }
  return null;
}

// ---- satisfaction ----

/**
 * One rating per receipt, once there is an outcome to rate: the issue behind it is resolved, or the suggestion was
 * declined (an issue 未采纳, or 不立项 in triage, passed here as 'declined' too).
 */
export function feedbackError(issueStatus: IssueStatus | null, alreadyRated: boolean): string | null {
  if (alreadyRated) return '您已经评价过了，每个回执只能评价一次。感谢您的反馈！';
  if (issueStatus !== 'resolved' && issueStatus !== 'declined') return '问题办结后才能评价。请过几天再来看看。';
  return null;
}

export const FEEDBACK_COMMENT_MAX = 200;
