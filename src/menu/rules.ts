/**
 * The rules of the service menu and its claims as plain functions: each returns a Chinese message saying why
 * something is not allowed, or null when it is. The menu service calls them inside its transactions.
 */
import type { Role } from '../auth/roles';
import { ISSUE_STATUS_LABELS, type IssueStatus } from '../issues/rules';

export const CLAIM_STATUSES = ['claimed', 'in_progress', 'done', 'withdrawn'] as const;
export type ClaimStatus = (typeof CLAIM_STATUSES)[number];
export const CLAIM_STATUS_LABELS: Record<ClaimStatus, string> = {
  claimed: '已认领', in_progress: '办理中', done: '已完成', withdrawn: '已退回',
};

export function publishError(status: IssueStatus, alreadyPublished: boolean): string | null {
  if (alreadyPublished) return '这个问题已经发布到服务菜单了。';
  if (status !== 'accepted') return `只有「已受理」的问题可以发布到服务菜单（现在是「${ISSUE_STATUS_LABELS[status]}」）。`;
  return null;
}

// ---- claims ----

export interface ClaimerLike { id: number; role: Role }
export interface ItemLike {
  status: 'open' | 'closed';
  publishedAt: string | null;
  allowMultipleClaimers: boolean;
  communityId: number;
}
export interface ClaimLike { claimerUserId: number; status: ClaimStatus }

export const isActiveClaim = (c: ClaimLike) => c.status !== 'withdrawn';

/**
 * Who may claim: a claimer account, on an open and published item in a community they serve, that they do
 * not already hold; an item meant for one claimer is claimed once.
 */
export function claimError(input: {
  user: ClaimerLike;
  item: ItemLike;
  claims: ClaimLike[];
  claimerCommunityIds: number[] | 'all';
  issueStatus?: IssueStatus | null;
}): string | null {
  const { user, item, claims } = input;
  if (user.role !== 'claimer') return '只有认领人账号（在职党员、共建单位）可以认领服务事项。';
  if (item.status !== 'open' || !item.publishedAt) return '这项服务已关闭，不能再认领了。';
  if (input.issueStatus === 'resolved' || input.issueStatus === 'declined') return '这个问题已经处理完毕，不需要再认领了。';
  if (input.claimerCommunityIds !== 'all' && !input.claimerCommunityIds.includes(item.communityId)) {
    return '这项服务不在您报到服务的社区。';
  }
  if (claims.some((c) => c.claimerUserId === user.id && isActiveClaim(c))) return '您已经认领过这一项了。';
  if (!item.allowMultipleClaimers && claims.some((c) => c.claimerUserId !== user.id && isActiveClaim(c))) {
    return '这一项只需要一位认领人，已经有人认领了。请看看菜单上的其他事项。';
  }
  return null;
}

export type ClaimAction = 'note' | 'done' | 'withdraw';

/** A claimer works only on their own claim, and only while it is open. */
export function claimActionError(userId: number, claim: ClaimLike | undefined, action: ClaimAction): string | null {
  if (!claim || claim.claimerUserId !== userId || claim.status === 'withdrawn') return '您没有认领这一项，不能操作。';
  if (claim.status === 'done') {
    return action === 'note' ? '这一项您已标记完成，不能再添加进展。' : '这一项您已经标记完成了。';
  }
  return null;
}
