import type { PlaceRepo } from '../places/repo';
import type { UserRepo } from './repo';
import type { User } from './roles';

/**
 * What part of the place tree a user works on. `communityIds: 'all'` for admins; staff see the communities
 * under their sub-district or community; grid workers see only their assigned grids.
 */
export interface Scope {
  communityIds: number[] | 'all';
  /** Set only for grid workers: the grids they may read and write. */
  gridIds: number[] | null;
}

export function scopeOf(user: User, deps: { places: PlaceRepo; users: UserRepo }): Scope {
  if (user.role === 'admin') return { communityIds: 'all', gridIds: null };
  if (user.role === 'grid_worker') {
    const gridIds = deps.users.gridIds(user.id);
    const communityIds = [...new Set(gridIds.map((g) => deps.places.findById(g)?.parentId).filter((c): c is number => !!c))];
    return { communityIds, gridIds };
  }
  if (user.role === 'staff') {
    if (!user.scopePlaceId) return { communityIds: 'all', gridIds: null };
    return { communityIds: deps.places.communityIdsUnder(user.scopePlaceId), gridIds: null };
  }
  return { communityIds: [], gridIds: [] };
}

export function scopeAllowsCommunity(scope: Scope, communityId: number | null): boolean {
  if (scope.communityIds === 'all') return true;
  return communityId !== null && scope.communityIds.includes(communityId);
}

/** Whether a record at (community, grid) is inside the scope. Grid workers need the grid itself. */
export function scopeAllowsRecord(scope: Scope, communityId: number | null, gridId: number | null): boolean {
  if (scope.gridIds) return gridId !== null && scope.gridIds.includes(gridId);
  return scopeAllowsCommunity(scope, communityId);
}
