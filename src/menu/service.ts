import type { AuditRepo } from '../audit/repo';
import { isStaff, menuCommunities, reachesCommunity, type Viewer } from '../access/rules';
import type { Db } from '../db/open-db';
import { conflict, forbidden, invalid, notFound, NotFoundError } from '../lib/errors';
import type { IssueRepo } from '../issues/repo';
import { actorOf, transitionError, type IssueStatus } from '../issues/rules';
import type { LegacyPlaceLookup } from '../places/repo';
import type { Claim, ServiceItem, ServiceItemRepo } from './repo';
import { claimActionError, claimError, isActiveClaim, publishError } from './rules';

export interface MenuServiceDeps {
  db: Db;
  issues: IssueRepo;
  items: ServiceItemRepo;
  audit: AuditRepo;
  places: Pick<LegacyPlaceLookup, 'findById'>;
}

export interface ItemFields { title: string; description: string; allowMultipleClaimers: boolean }


/**
 * The service menu: staff publish issues and standing services; claimers claim, report progress and mark
 * done. Claims move the issue behind an item along (on_menu → claimed → in_progress) in the same transaction,
 * with the audit row.
 */
export function createMenuService(deps: MenuServiceDeps) {
  const { db, issues, items, audit } = deps;

  function loadItem(user: Viewer, id: number): ServiceItem {
    const item = items.findById(id);
    if (!item) throw notFound('服务事项');
    const communities = menuCommunities(user);
    const inScope = communities === 'all' || communities.includes(item.communityId);
    // Claimers see only published items; a closed one stays visible to those who claimed it.
    const visible = isStaff(user) ? inScope
      : user.role === 'claimer' && (inScope || items.claimOf(id, user.id) !== undefined) && item.publishedAt !== null;
    if (!visible) throw notFound('服务事项');
    return item;
  }

  /** The item's log goes on the issue when there is one, so the issue page shows the whole story. */
  const log = (item: ServiceItem, action: string, user: Viewer | null, detail: Record<string, unknown>) =>
    audit.record({
      entityType: item.issueId ? 'issue' : 'service_item', entityId: item.issueId ?? item.id, action,
      detail: { serviceItemId: item.id, ...detail }, userId: user?.id ?? null,
    });

  function moveIssue(item: ServiceItem, user: Viewer | null, to: IssueStatus, actor: 'claimer' | 'staff' | 'system') {
    if (!item.issueId) return;
    const issue = issues.findById(item.issueId);
    if (!issue || issue.status === to) return;
    const err = transitionError(actor, issue.status, to);
    if (err) throw conflict(err);
    issues.setStatus(issue.id, to);
    audit.record({ entityType: 'issue', entityId: issue.id, action: 'status', detail: { from: issue.status, to, serviceItemId: item.id }, userId: user?.id ?? null });
  }

  function myClaim(user: Viewer, item: ServiceItem, action: 'note' | 'done' | 'withdraw'): Claim {
    const claim = items.claimOf(item.id, user.id);
    const err = claimActionError(user.id, claim, action);
    if (err) throw conflict(err);
    return claim!;
  }

  return {
    loadItem,

    /** Whether the user may see this item (answers without throwing, for the photo route's one 404). */
    mayView(user: Viewer, id: number): boolean {
      try { loadItem(user, id); return true; } catch (err) { if (err instanceof NotFoundError) return false; throw err; }
    },

    /** Open, published items for a claimer (or staff looking at the menu as claimers see it). */
    openMenu: (user: Viewer) => items.list({ communityIds: menuCommunities(user), status: 'open', publishedOnly: true }),
    /** All items in a staff member's communities, open first. */
    manageList(user: Viewer) {
      if (!isStaff(user)) throw forbidden();
      return items.list({ communityIds: menuCommunities(user) });
    },

    createStanding: db.transaction((user: Viewer, communityId: number, fields: ItemFields): number => {
      if (!isStaff(user)) throw forbidden();
      const place = deps.places.findById(communityId);
      if (!place || place.kind !== 'community') throw invalid('请选择一个社区。');
      if (!reachesCommunity(user.reach, communityId)) throw forbidden();
      const id = items.insert({ communityId, issueId: null, ...fields, createdBy: user.id });
      audit.record({ entityType: 'service_item', entityId: id, action: 'create_item', detail: { title: fields.title }, userId: user.id });
      return id;
    }),

    /** Puts an accepted issue on its community's menu (accepted → on_menu). */
    publishIssue: db.transaction((user: Viewer, issueId: number, fields: ItemFields): number => {
      if (!isStaff(user)) throw forbidden();
      const issue = issues.findById(issueId);
      if (!issue || !reachesCommunity(user.reach, issue.communityId)) throw notFound('问题');
      if (issue.communityId === null) throw conflict('这个问题没有所属社区，不能发布到社区的服务菜单。');
      const err = publishError(issue.status, items.findByIssue(issueId) !== undefined)
        ?? transitionError(actorOf(user.role), issue.status, 'on_menu');
      if (err) throw conflict(err);
      const id = items.insert({ communityId: issue.communityId, issueId, ...fields, createdBy: user.id });
      issues.setStatus(issueId, 'on_menu');
      audit.record({ entityType: 'issue', entityId: issueId, action: 'status', detail: { from: issue.status, to: 'on_menu', serviceItemId: id }, userId: user.id });
      audit.record({ entityType: 'issue', entityId: issueId, action: 'publish', detail: { serviceItemId: id, title: fields.title, allowMultiple: fields.allowMultipleClaimers }, userId: user.id });
      return id;
    }),

    /** No new claims after closing; an unclaimed issue goes back to accepted so it can be handled another way. */
    close: db.transaction((user: Viewer, itemId: number): void => {
      if (!isStaff(user)) throw forbidden();
      const item = loadItem(user, itemId);
      if (!items.close(itemId)) throw conflict('这项服务已经关闭了。');
      log(item, 'close', user, { title: item.title });
      if (item.issueStatus === 'on_menu' && item.activeClaims === 0) moveIssue(item, null, 'accepted', 'system');
    }),

    claim: db.transaction((user: Viewer, itemId: number): void => {
      const item = loadItem(user, itemId);
      const err = claimError({
        user, item, claims: items.claims(itemId), claimerCommunityIds: user.reach.serves, issueStatus: item.issueStatus,
      });
      if (err) throw conflict(err);
      items.claim(itemId, user.id);
      log(item, 'claim', user, { claimerName: user.displayName, claimerKind: user.claimerKind });
      if (item.issueStatus === 'on_menu') moveIssue(item, user, 'claimed', 'claimer');
    }),

    /** A progress note (optionally with a stored photo) starts the work: claimed → in_progress. */
    addNote: db.transaction((user: Viewer, itemId: number, text: string, photoFile: string | null): void => {
      const item = loadItem(user, itemId);
      const claim = myClaim(user, item, 'note');
      if (!text && !photoFile) throw invalid('请填写进展情况，或附一张照片。');
      items.addNote(claim.id, user.id, text, photoFile);
      if (claim.status === 'claimed') items.setClaimStatus(claim.id, 'in_progress');
      log(item, 'note', user, { claimerName: user.displayName, text: text.slice(0, 100), photo: photoFile !== null });
      if (item.issueStatus === 'claimed') moveIssue(item, user, 'in_progress', 'claimer');
    }),

    /** The claimer's part is done; the issue waits in progress for staff to confirm it resolved. */
    markDone: db.transaction((user: Viewer, itemId: number): void => {
      const item = loadItem(user, itemId);
      const claim = myClaim(user, item, 'done');
      items.setClaimStatus(claim.id, 'done');
      log(item, 'done', user, { claimerName: user.displayName });
      if (item.issueStatus === 'claimed') moveIssue(item, user, 'in_progress', 'claimer');
    }),

    /** Gives a claim back; when nobody holds the item any more, its issue is back on the menu. */
    withdraw: db.transaction((user: Viewer, itemId: number): void => {
      const item = loadItem(user, itemId);
      const claim = myClaim(user, item, 'withdraw');
      items.setClaimStatus(claim.id, 'withdrawn');
      log(item, 'withdraw', user, { claimerName: user.displayName });
      const stillHeld = items.claims(itemId).some(isActiveClaim);
      if (!stillHeld && (item.issueStatus === 'claimed' || item.issueStatus === 'in_progress')) moveIssue(item, null, 'on_menu', 'system');
    }),

    /** For the issue list (its IssueMenuPort): when staff confirm an issue resolved, its item closes. */
    closeItemOfIssue(issueId: number): number | null {
      const item = items.findByIssue(issueId);
      if (item) items.close(item.id);
      return item?.id ?? null;
    },

    /** The item published for an issue, with its claims and progress notes, for the issue's page. */
    ofIssue(issueId: number) {
      const item = items.findByIssue(issueId);
      return item ? { item, claims: items.claims(item.id), notes: items.notes(item.id) } : null;
    },

    claims: (itemId: number) => items.claims(itemId),
    notes: (itemId: number) => items.notes(itemId),
    myClaims(user: Viewer) {
      return items.claimsByUser(user.id).map((c) => ({ claim: c, item: items.findById(c.serviceItemId)! }));
    },
  };
}
export type MenuService = ReturnType<typeof createMenuService>;
