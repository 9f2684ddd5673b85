import { createAuditRepo, type AuditRepo } from '../audit/repo';
import { isStaff, menuCommunities, reachesCommunity, type Viewer } from '../access/rules';
import type { Engine, Queries } from '../db/engine';
import { conflict, forbidden, invalid, notFound, NotFoundError } from '../lib/errors';
import { createIssueRepo, type IssueRepo } from '../issues/repo';
import { actorOf, transitionError, type IssueStatus } from '../issues/rules';
import type { PlaceRepo } from '../places/repo';
import { createServiceItemRepo, type Claim, type ServiceItem, type ServiceItemRepo } from './repo';
import { claimActionError, claimError, isActiveClaim, publishError } from './rules';

export interface MenuServiceDeps {
  /** Where each change commits with its audit row (and the issue it moves along). */
  engine: Pick<Engine, 'unitOfWork'>;
  /** Reads outside any unit of work. */
  items: ServiceItemRepo;
  places: Pick<PlaceRepo, 'findById'>;
}

export interface ItemFields { title: string; description: string; allowMultipleClaimers: boolean }


/**
 * The service menu: staff publish issues and standing services; claimers claim, report progress and mark
 * done. Claims move the issue behind an item along (on_menu → claimed → in_progress) in the same transaction,
 * with the audit row.
 */
/** The repos a change of the menu writes through, on one unit of work's transaction. */
interface Unit { items: ServiceItemRepo; issues: IssueRepo; audit: AuditRepo }
const unitOn = (tx: Queries): Unit => ({ items: createServiceItemRepo(tx), issues: createIssueRepo(tx), audit: createAuditRepo(tx) });

export function createMenuService(deps: MenuServiceDeps) {
  const { items } = deps;
  const unit = <T>(work: (u: Unit) => Promise<T>): Promise<T> => deps.engine.unitOfWork((tx) => work(unitOn(tx)));

  async function loadItem(user: Viewer, id: number, on: Pick<ServiceItemRepo, 'findById' | 'claimOf'> = items): Promise<ServiceItem> {
    const item = await on.findById(id);
    if (!item) throw notFound('服务事项');
    const communities = menuCommunities(user);
    const inScope = communities === 'all' || communities.includes(item.communityId);
    // Claimers see only published items; a closed one stays visible to those who claimed it.
    const visible = isStaff(user) ? inScope
      : user.role === 'claimer' && (inScope || await on.claimOf(id, user.id) !== undefined) && item.publishedAt !== null;
    if (!visible) throw notFound('服务事项');
    return item;
  }

  /** The item's log goes on the issue when there is one, so the issue page shows the whole story. */
  const log = (u: Unit, item: ServiceItem, action: string, user: Viewer | null, detail: Record<string, unknown>) =>
    u.audit.record({
      entityType: item.issueId ? 'issue' : 'service_item', entityId: item.issueId ?? item.id, action,
      detail: { serviceItemId: item.id, ...detail }, userId: user?.id ?? null,
    });

  async function moveIssue(u: Unit, item: ServiceItem, user: Viewer | null, to: IssueStatus, actor: 'claimer' | 'staff' | 'system') {
    if (!item.issueId) return;
    const issue = await u.issues.findById(item.issueId);
    if (!issue || issue.status === to) return;
    const err = transitionError(actor, issue.status, to);
    if (err) throw conflict(err);
    await u.issues.setStatus(issue.id, to);
    await u.audit.record({ entityType: 'issue', entityId: issue.id, action: 'status', detail: { from: issue.status, to, serviceItemId: item.id }, userId: user?.id ?? null });
  }

  async function myClaim(u: Unit, user: Viewer, item: ServiceItem, action: 'note' | 'done' | 'withdraw'): Promise<Claim> {
    const claim = await u.items.claimOf(item.id, user.id);
    const err = claimActionError(user.id, claim, action);
    if (err) throw conflict(err);
    return claim!;
  }

  return {
    loadItem: (user: Viewer, id: number) => loadItem(user, id),

    /** Whether the user may see this item (answers without throwing, for the photo route's one 404). */
    async mayView(user: Viewer, id: number): Promise<boolean> {
      try { await loadItem(user, id); return true; } catch (err) { if (err instanceof NotFoundError) return false; throw err; }
    },

    /** Open, published items for a claimer (or staff looking at the menu as claimers see it). */
    openMenu: (user: Viewer) => items.list({ communityIds: menuCommunities(user), status: 'open', publishedOnly: true }),
    /** All items in a staff member's communities, open first. */
    async manageList(user: Viewer) {
      if (!isStaff(user)) throw forbidden();
      return items.list({ communityIds: menuCommunities(user) });
    },

    async createStanding(user: Viewer, communityId: number, fields: ItemFields): Promise<number> {
      if (!isStaff(user)) throw forbidden();
      const place = await deps.places.findById(communityId);
      if (!place || place.kind !== 'community') throw invalid('请选择一个社区。');
      if (!reachesCommunity(user.reach, communityId)) throw forbidden();
      return unit(async (u) => {
        const id = await u.items.insert({ communityId, issueId: null, ...fields, createdBy: user.id });
        await u.audit.record({ entityType: 'service_item', entityId: id, action: 'create_item', detail: { title: fields.title }, userId: user.id });
        return id;
      });
    },

    /** Puts an accepted issue on its community's menu (accepted → on_menu). */
    publishIssue: (user: Viewer, issueId: number, fields: ItemFields): Promise<number> => unit(async (u) => {
      if (!isStaff(user)) throw forbidden();
      const issue = await u.issues.findById(issueId);
      if (!issue || !reachesCommunity(user.reach, issue.communityId)) throw notFound('问题');
      if (issue.communityId === null) throw conflict('这个问题没有所属社区，不能发布到社区的服务菜单。');
      const err = publishError(issue.status, await u.items.findByIssue(issueId) !== undefined)
        ?? transitionError(actorOf(user.role), issue.status, 'on_menu');
      if (err) throw conflict(err);
      const id = await u.items.insert({ communityId: issue.communityId, issueId, ...fields, createdBy: user.id });
      await u.issues.setStatus(issueId, 'on_menu');
      await u.audit.record({ entityType: 'issue', entityId: issueId, action: 'status', detail: { from: issue.status, to: 'on_menu', serviceItemId: id }, userId: user.id });
      await u.audit.record({ entityType: 'issue', entityId: issueId, action: 'publish', detail: { serviceItemId: id, title: fields.title, allowMultiple: fields.allowMultipleClaimers }, userId: user.id });
      return id;
    }),

    /** No new claims after closing; an unclaimed issue goes back to accepted so it can be handled another way. */
    close: (user: Viewer, itemId: number): Promise<void> => unit(async (u) => {
      if (!isStaff(user)) throw forbidden();
      const item = await loadItem(user, itemId, u.items);
      if (!(await u.items.close(itemId))) throw conflict('这项服务已经关闭了。');
      await log(u, item, 'close', user, { title: item.title });
      if (item.issueStatus === 'on_menu' && item.activeClaims === 0) await moveIssue(u, item, null, 'accepted', 'system');
    }),

    claim: (user: Viewer, itemId: number): Promise<void> => unit(async (u) => {
      const item = await loadItem(user, itemId, u.items);
      const err = claimError({
        user, item, claims: await u.items.claims(itemId), claimerCommunityIds: user.reach.serves, issueStatus: item.issueStatus,
      });
      if (err) throw conflict(err);
      await u.items.claim(itemId, user.id);
      await log(u, item, 'claim', user, { claimerName: user.displayName, claimerKind: user.claimerKind });
      if (item.issueStatus === 'on_menu') await moveIssue(u, item, user, 'claimed', 'claimer');
    }),

    /** A progress note (optionally with a stored photo) starts the work: claimed → in_progress. */
    addNote: (user: Viewer, itemId: number, text: string, photoFile: string | null): Promise<void> => unit(async (u) => {
      const item = await loadItem(user, itemId, u.items);
      const claim = await myClaim(u, user, item, 'note');
      if (!text && !photoFile) throw invalid('请填写进展情况，或附一张照片。');
      await u.items.addNote(claim.id, user.id, text, photoFile);
      if (claim.status === 'claimed') await u.items.setClaimStatus(claim.id, 'in_progress');
      await log(u, item, 'note', user, { claimerName: user.displayName, text: text.slice(0, 100), photo: photoFile !== null });
      if (item.issueStatus === 'claimed') await moveIssue(u, item, user, 'in_progress', 'claimer');
    }),

    /** The claimer's part is done; the issue waits in progress for staff to confirm it resolved. */
    markDone: (user: Viewer, itemId: number): Promise<void> => unit(async (u) => {
      const item = await loadItem(user, itemId, u.items);
      const claim = await myClaim(u, user, item, 'done');
      await u.items.setClaimStatus(claim.id, 'done');
      await log(u, item, 'done', user, { claimerName: user.displayName });
      if (item.issueStatus === 'claimed') await moveIssue(u, item, user, 'in_progress', 'claimer');
    }),

    /** Gives a claim back; when nobody holds the item any more, its issue is back on the menu. */
    withdraw: (user: Viewer, itemId: number): Promise<void> => unit(async (u) => {
      const item = await loadItem(user, itemId, u.items);
      const claim = await myClaim(u, user, item, 'withdraw');
      await u.items.setClaimStatus(claim.id, 'withdrawn');
      await log(u, item, 'withdraw', user, { claimerName: user.displayName });
      const stillHeld = (await u.items.claims(itemId)).some(isActiveClaim);
      if (!stillHeld && (item.issueStatus === 'claimed' || item.issueStatus === 'in_progress')) await moveIssue(u, item, null, 'on_menu', 'system');
    }),

    /** For the issue list (its IssueMenuPort): when staff confirm an issue resolved, its item closes, in their unit of work. */
    async closeItemOfIssue(tx: Queries, issueId: number): Promise<number | null> {
      const inTx = createServiceItemRepo(tx);
      const item = await inTx.findByIssue(issueId);
      if (item) await inTx.close(item.id);
      return item?.id ?? null;
    },

    /** The item published for an issue, with its claims and progress notes, for the issue's page. */
    async ofIssue(issueId: number) {
      const item = await items.findByIssue(issueId);
      return item ? { item, claims: await items.claims(item.id), notes: await items.notes(item.id) } : null;
    },

    claims: (itemId: number) => items.claims(itemId),
    notes: (itemId: number) => items.notes(itemId),
    async myClaims(user: Viewer) {
      const out: Array<{ claim: Claim; item: ServiceItem }> = [];
      for (const c of await items.claimsByUser(user.id)) out.push({ claim: c, item: (await items.findById(c.serviceItemId))! });
      return out;
    },
  };
}
export type MenuService = ReturnType<typeof createMenuService>;
