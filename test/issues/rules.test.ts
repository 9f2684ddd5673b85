import {
  ISSUE_STATUSES, actorOf, attachError, createFromSubmissionsError, feedbackError,
  mergeError, nextStatuses, resolveError, splitError, transitionError,
  type Actor, type IssueLike, type IssueStatus, type SubmissionLike,
} from '../../src/issues/rules';
import { claimActionError, claimError, publishError, type ItemLike } from '../../src/menu/rules';

describe('issue status transitions', () => {
  const allowed: Array<[IssueStatus, IssueStatus, Actor]> = [
    ['new', 'accepted', 'staff'],
    ['new', 'declined', 'staff'],
    ['accepted', 'on_menu', 'staff'],
    ['accepted', 'in_progress', 'staff'],
    ['accepted', 'declined', 'staff'],
    ['on_menu', 'claimed', 'claimer'],
    ['on_menu', 'accepted', 'system'],
    ['claimed', 'in_progress', 'claimer'],
    ['claimed', 'in_progress', 'staff'],
    ['claimed', 'on_menu', 'system'],
    ['in_progress', 'resolved', 'staff'],
    ['in_progress', 'on_menu', 'system'],
  ];

  it.each(allowed)('%s → %s is allowed for %s', (from, to, actor) => {
    expect(transitionError(actor, from, to, { reason: '不在本社区职责范围' })).toBeNull();
  });

  it('allows exactly the listed moves, for exactly the listed actors', () => {
    const actors: Actor[] = ['staff', 'claimer', 'system'];
    for (const from of ISSUE_STATUSES) for (const to of ISSUE_STATUSES) for (const actor of actors) {
      const ok = allowed.some(([f, t, a]) => f === from && t === to && a === actor);
      expect([from, to, actor, transitionError(actor, from, to, { reason: '原因' }) === null]).toEqual([from, to, actor, ok]);
    }
  });

  it('refuses skipping steps with a Chinese message naming both statuses', () => {
    expect(transitionError('staff', 'new', 'resolved')).toMatch(/待受理.*已办结/);
    expect(transitionError('staff', 'new', 'on_menu')).not.toBeNull();
    expect(transitionError('staff', 'on_menu', 'resolved')).not.toBeNull();
  });

  it('keeps resolved and declined final', () => {
    for (const to of ISSUE_STATUSES) {
      expect(transitionError('staff', 'resolved', to)).not.toBeNull();
      expect(transitionError('staff', 'declined', to)).not.toBeNull();
    }
  });

  it('refuses declining after publication (claimers may already be at work)', () => {
    for (const from of ['on_menu', 'claimed', 'in_progress'] as IssueStatus[]) {
      expect(transitionError('staff', from, 'declined', { reason: '原因' })).not.toBeNull();
    }
  });

  it('requires a reason to decline', () => {
    expect(transitionError('staff', 'new', 'declined')).toMatch(/原因/);
    expect(transitionError('staff', 'new', 'declined', { reason: '   ' })).toMatch(/原因/);
    expect(transitionError('staff', 'accepted', 'declined', { reason: '属于市政管辖，已转交' })).toBeNull();
  });

  it('refuses claimers moving issues the staff way, and staff confirming a claim themselves', () => {
    expect(transitionError('claimer', 'new', 'accepted')).toMatch(/角色/);
    expect(transitionError('claimer', 'in_progress', 'resolved')).toMatch(/角色/);
    expect(transitionError('staff', 'on_menu', 'claimed')).toMatch(/角色/);
  });

  it('refuses a move to the same status and roles without an actor', () => {
    expect(transitionError('staff', 'accepted', 'accepted')).toMatch(/已经是/);
    expect(transitionError(null, 'new', 'accepted')).toMatch(/角色/);
  });

  it('maps roles to actors', () => {
    expect(actorOf('admin')).toBe('staff');
    expect(actorOf('staff')).toBe('staff');
    expect(actorOf('claimer')).toBe('claimer');
    expect(actorOf('grid_worker')).toBeNull();
  });

  it('lists the next statuses per actor (the buttons on the page)', () => {
    expect(nextStatuses('staff', 'new')).toEqual(['accepted', 'declined']);
    expect(nextStatuses('staff', 'accepted')).toEqual(['on_menu', 'in_progress', 'declined']);
    expect(nextStatuses('claimer', 'claimed')).toEqual(['in_progress']);
    expect(nextStatuses('staff', 'resolved')).toEqual([]);
  });

  it('lets staff resolve only once work is under way', () => {
    expect(resolveError('in_progress')).toBeNull();
    expect(resolveError('resolved')).toMatch(/已经办结/);
    for (const s of ['new', 'accepted', 'on_menu', 'claimed', 'declined'] as IssueStatus[]) expect(resolveError(s)).not.toBeNull();
  });

  it('publishes only accepted issues, once', () => {
    expect(publishError('accepted', false)).toBeNull();
    expect(publishError('accepted', true)).toMatch(/已经发布/);
    expect(publishError('new', false)).toMatch(/已受理/);
  });
});

describe('grouping rules', () => {
  const sub = (id: number, o: Partial<SubmissionLike> = {}): SubmissionLike => ({ id, campaignId: 1, communityId: 10, issueId: null, ...o });
  const issue = (id: number, o: Partial<IssueLike> = {}): IssueLike => ({ id, campaignId: 1, communityId: 10, status: 'new', ...o });

  it('creates an issue from unassigned submissions of one campaign and community', () => {
    expect(createFromSubmissionsError(1, [sub(1), sub(2)])).toBeNull();
    expect(createFromSubmissionsError(1, [])).toMatch(/至少/);
    expect(createFromSubmissionsError(1, [sub(1), sub(2, { campaignId: 2 })])).toMatch(/#2/);
    expect(createFromSubmissionsError(1, [sub(1), sub(2, { issueId: 7 })])).toMatch(/问题 #7/);
    expect(createFromSubmissionsError(1, [sub(1), sub(2, { communityId: 11 })])).toMatch(/不同社区/);
    // Submissions without a community may form an issue together.
    expect(createFromSubmissionsError(1, [sub(1, { communityId: null }), sub(2, { communityId: null })])).toBeNull();
  });

  it('attaches only unassigned submissions of the same campaign and community', () => {
    expect(attachError(issue(5), [sub(1)])).toBeNull();
    expect(attachError(issue(5), [])).toMatch(/至少/);
    expect(attachError(issue(5), [sub(1, { issueId: 5 })])).toMatch(/已经在这个问题/);
    expect(attachError(issue(5), [sub(1, { issueId: 6 })])).toMatch(/问题 #6/);
    expect(attachError(issue(5), [sub(1, { campaignId: 2 })])).toMatch(/不属于/);
    expect(attachError(issue(5), [sub(1, { communityId: 11 })])).toMatch(/其他社区/);
  });

  it('merges within one campaign and community, never into itself', () => {
    expect(mergeError(issue(1), issue(2))).toBeNull();
    expect(mergeError(issue(1), issue(1))).toMatch(/自己/);
    expect(mergeError(issue(1), issue(2, { campaignId: 2 }))).toMatch(/同一次/);
    expect(mergeError(issue(1), issue(2, { communityId: 11 }))).toMatch(/不同社区/);
  });

  it('never merges away a published issue (its claims hang on it), but may merge into one', () => {
    for (const s of ['on_menu', 'claimed', 'in_progress', 'resolved'] as IssueStatus[]) {
      expect(mergeError(issue(1), issue(2, { status: s }))).toMatch(/服务菜单/);
      expect(mergeError(issue(2, { status: s }), issue(1))).toBeNull();
    }
    expect(mergeError(issue(1), issue(2, { status: 'declined' }))).toBeNull();
    expect(mergeError(issue(1, { status: 'declined' }), issue(2))).toMatch(/未采纳/);
  });

  it('splits only a submission of the issue, and never the last one', () => {
    expect(splitError(5, sub(1, { issueId: 5 }), 2)).toBeNull();
    expect(splitError(5, sub(1, { issueId: 5 }), 1)).toMatch(/唯一/);
    expect(splitError(5, sub(1, { issueId: 6 }), 3)).toMatch(/不属于/);
    expect(splitError(5, sub(1), 3)).toMatch(/不属于/);
  });
});

describe('who may claim', () => {
  const claimer = { id: 7, role: 'claimer' as const };
  const item = (o: Partial<ItemLike> = {}): ItemLike => ({ status: 'open', publishedAt: '2026-11-25T00:00:00Z', allowMultipleClaimers: false, communityId: 10, ...o });
  const base = { user: claimer, item: item(), claims: [], claimerCommunityIds: 'all' as const };

  it('lets a claimer claim an open published item', () => {
    expect(claimError(base)).toBeNull();
    expect(claimError({ ...base, claimerCommunityIds: [10] })).toBeNull();
  });

  it('refuses other roles', () => {
    for (const role of ['admin', 'staff', 'grid_worker'] as const) {
      expect(claimError({ ...base, user: { id: 7, role } })).toMatch(/认领人/);
    }
  });

  it('refuses closed or unpublished items and finished issues', () => {
    expect(claimError({ ...base, item: item({ status: 'closed' }) })).toMatch(/关闭/);
    expect(claimError({ ...base, item: item({ publishedAt: null }) })).toMatch(/关闭/);
    expect(claimError({ ...base, issueStatus: 'resolved' })).toMatch(/处理完毕/);
    expect(claimError({ ...base, issueStatus: 'declined' })).toMatch(/处理完毕/);
  });

  it('refuses items outside the communities the claimer serves', () => {
    expect(claimError({ ...base, claimerCommunityIds: [11, 12] })).toMatch(/社区/);
  });

  it('refuses claiming twice, but allows claiming again after withdrawing', () => {
    expect(claimError({ ...base, claims: [{ claimerUserId: 7, status: 'claimed' }] })).toMatch(/已经认领过/);
    expect(claimError({ ...base, claims: [{ claimerUserId: 7, status: 'done' }] })).toMatch(/已经认领过/);
    expect(claimError({ ...base, claims: [{ claimerUserId: 7, status: 'withdrawn' }] })).toBeNull();
  });

  it('lets a single-claimer item be claimed once, a multi-claimer item by many', () => {
    const other = [{ claimerUserId: 8, status: 'in_progress' as const }];
    expect(claimError({ ...base, claims: other })).toMatch(/只需要一位/);
    expect(claimError({ ...base, claims: [{ claimerUserId: 8, status: 'withdrawn' as const }] })).toBeNull();
    expect(claimError({ ...base, item: item({ allowMultipleClaimers: true }), claims: other })).toBeNull();
  });

  it('lets a claimer work only on their own open claim', () => {
    expect(claimActionError(7, { claimerUserId: 7, status: 'claimed' }, 'note')).toBeNull();
    expect(claimActionError(7, { claimerUserId: 7, status: 'in_progress' }, 'done')).toBeNull();
    expect(claimActionError(7, undefined, 'note')).toMatch(/没有认领/);
    expect(claimActionError(7, { claimerUserId: 8, status: 'claimed' }, 'done')).toMatch(/没有认领/);
    expect(claimActionError(7, { claimerUserId: 7, status: 'withdrawn' }, 'done')).toMatch(/没有认领/);
    expect(claimActionError(7, { claimerUserId: 7, status: 'done' }, 'done')).toMatch(/已经标记完成/);
    expect(claimActionError(7, { claimerUserId: 7, status: 'done' }, 'note')).toMatch(/不能再添加/);
  });
});

describe('satisfaction', () => {
  it('is taken once per receipt, and only when resolved', () => {
    expect(feedbackError('resolved', false)).toBeNull();
    expect(feedbackError('resolved', true)).toMatch(/已经评价过/);
    expect(feedbackError(null, false)).toMatch(/办结后/);
    // A declined suggestion (未采纳) has an outcome too, and residents may rate it.
    expect(feedbackError('declined', false)).toBeNull();
    expect(feedbackError('declined', true)).toMatch(/已经评价过/);
    for (const s of ISSUE_STATUSES.filter((x) => x !== 'resolved' && x !== 'declined')) expect(feedbackError(s, false)).toMatch(/办结后/);
  });
});
