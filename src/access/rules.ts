/**
 * Every "may this user…" question, as plain functions of the user and their reach (computed once per request
 * by src/access/service.ts). Services and routes ask here instead of working it out again.
 */
import type { PlaceKind } from '../places/repo';
import type { Role, User } from '../auth/roles';

/**
 * What part of the place tree a user works on. `communityIds: 'all'` for admins and staff without a scope;
 * staff see the communities under their sub-district or community; grid workers see only their assigned grids
 * (and, for reading, the communities those grids lie in). Claimers reach no records: they work on the menu
 * of the communities they serve.
 */
export interface Reach {
  communityIds: number[] | 'all';
  /** Set only for grid workers: the grids they may read and write. */
  gridIds: number[] | null;
  /** Claimers: the communities whose service menu they may claim from (双报到), 'all' when unregistered. */
  serves: number[] | 'all';
  /** The kind of the user's scope place, when they have one that exists. */
  scopeKind: PlaceKind | null;
}

/** A logged-in user together with their reach: what the request handlers and services receive. */
export type Viewer = User & { readonly reach: Reach };

/** Admins and staff run campaigns, issues and the menu; grid workers and claimers do not. */
export const isStaff = (user: Pick<User, 'role'>): boolean => user.role === 'admin' || user.role === 'staff';

/** Whether a user may see residents' names and full phone numbers. */
export function seesPersonalData(user: Pick<User, 'role' | 'canSeePersonalData'> | undefined): boolean {
  if (!user) return false;
  if (user.role === 'admin') return true;
  if (user.role === 'staff' || user.role === 'grid_worker') return user.canSeePersonalData;
  return false;
}

export function reachesCommunity(reach: Pick<Reach, 'communityIds'>, communityId: number | null): boolean {
  if (reach.communityIds === 'all') return true;
  return communityId !== null && reach.communityIds.includes(communityId);
}

/** Whether a record at (community, grid) is inside the reach. Grid workers need the grid itself. */
export function reachesRecord(reach: Pick<Reach, 'communityIds' | 'gridIds'>, communityId: number | null, gridId: number | null): boolean {
  if (reach.gridIds) return gridId !== null && reach.gridIds.includes(gridId);
  return reachesCommunity(reach, communityId);
}

/** Keeps the ids inside the reach ('all' keeps every one). */
export function withinReach(reach: Pick<Reach, 'communityIds'>, communityIds: number[]): number[] {
  return communityIds.filter((c) => reachesCommunity(reach, c));
}

/**
 * Who may change the category list. It is shared by every campaign and by the auto-categorizer, so a
 * community's staff would change other communities' campaigns: only admins and staff responsible for a
 * sub-district or more (or with no scope, who see everything) may.
 */
export function mayChangeCategories(user: Pick<User, 'role' | 'scopePlaceId'>, scopeKind: PlaceKind | null | undefined): boolean {
  if (user.role === 'admin') return true;
  if (user.role !== 'staff') return false;
  if (user.scopePlaceId === null) return true;
  return scopeKind === 'subdistrict' || scopeKind === 'district';
}

// ---- campaigns ----

export type CampaignAccess = 'manage' | 'view' | 'none';

/**
 * What a user may do with a campaign. A campaign is visible to staff of its sub-district and to anyone whose
 * reach holds one of its communities; changing it needs every covered community inside the user's reach, so
 * a community's staff never edit a campaign that also runs in other communities.
 */
export function campaignAccess(
  viewer: Pick<Viewer, 'role' | 'scopePlaceId' | 'reach'>, campaign: { subdistrictId: number | null }, communityIds: number[],
): CampaignAccess {
  const { reach } = viewer;
  const staffLike = isStaff(viewer);
  if (reach.communityIds === 'all') return staffLike ? 'manage' : 'view';
  const mine = new Set(reach.communityIds);
  const ownSubdistrict = viewer.scopePlaceId !== null && viewer.scopePlaceId === campaign.subdistrictId;
  if (staffLike) {
    if (communityIds.length > 0 && communityIds.every((c) => mine.has(c))) return 'manage';
    if (communityIds.length === 0 && ownSubdistrict) return 'manage';
  }
  return ownSubdistrict || communityIds.some((c) => mine.has(c)) ? 'view' : 'none';
}

/**
 * Which submissions of some campaigns a user counts, lists and exports: the communities they reach. Those that
 * name no community belong only to users who run the whole campaign (`includeUnplaced`); grid workers are
 * narrowed further to their grids.
 */
export interface Slice {
  campaignIds: number[];
  communityIds: number[] | 'all';
  includeUnplaced: boolean;
  gridIds: number[] | null;
}

export function campaignSlice(viewer: Pick<Viewer, 'reach'>, access: CampaignAccess, campaignIds: number[]): Slice {
  const { reach } = viewer;
  if (reach.communityIds === 'all') return { campaignIds, communityIds: 'all', includeUnplaced: true, gridIds: null };
  return { campaignIds, communityIds: reach.communityIds, includeUnplaced: access === 'manage' && !reach.gridIds, gridIds: reach.gridIds };
}

/**
 * A sub-district's slice: everything for those responsible for the whole sub-district, their own communities
 * for others who reach some of it, null for those who reach none of it.
 */
export function subdistrictSlice(
  viewer: Pick<Viewer, 'scopePlaceId' | 'reach'>, communitiesUnder: number[], subdistrictId: number, campaignIds: number[],
): Slice | null {
  const { reach } = viewer;
  if (reach.communityIds === 'all') return { campaignIds, communityIds: 'all', includeUnplaced: true, gridIds: null };
  const mine = new Set(reach.communityIds);
  const whole = viewer.scopePlaceId === subdistrictId || (communitiesUnder.length > 0 && communitiesUnder.every((c) => mine.has(c)));
  const overlap = communitiesUnder.filter((c) => mine.has(c));
  if (!whole && overlap.length === 0) return null;
  return { campaignIds, communityIds: reach.communityIds, includeUnplaced: whole, gridIds: reach.gridIds };
}

/** Narrows a slice to one community (a page's community filter), never beyond the user's reach. */
export function narrowToCommunity<S extends Pick<Slice, 'communityIds' | 'includeUnplaced'>>(slice: S, communityId: number | undefined): S {
  if (communityId === undefined) return slice;
  const allowed = slice.communityIds === 'all' || slice.communityIds.includes(communityId);
  return { ...slice, communityIds: allowed ? [communityId] : [], includeUnplaced: false };
}

// ---- the service menu ----

/** The communities whose menu the user sees: staff their reach, claimers where they serve, others none. */
export function menuCommunities(viewer: Pick<Viewer, 'role' | 'reach'>): number[] | 'all' {
  if (isStaff(viewer)) return viewer.reach.communityIds;
  if (viewer.role === 'claimer') return viewer.reach.serves;
  return [];
}

export const ROLES_THAT_ENTER_DATA: readonly Role[] = ['admin', 'staff', 'grid_worker'];
