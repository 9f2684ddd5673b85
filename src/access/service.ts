import type { UserRepo } from '../auth/repo';
import type { User } from '../auth/roles';
import type { PlaceRepo } from '../places/repo';
import type { Reach, Viewer } from './rules';

/**
 * Works out a user's reach from the place tree and their grids. `viewerOf` hands back the user with their `reach`,
 * computed once: one viewer per request, so one computation per request.
 */
export function createAccess(deps: { places: Pick<PlaceRepo, 'findById' | 'communityIdsUnder'>; users: Pick<UserRepo, 'gridIds'> }) {
  const { places, users } = deps;

  async function reachOf(user: User): Promise<Reach> {
    const scopeKind = user.scopePlaceId !== null ? (await places.findById(user.scopePlaceId))?.kind ?? null : null;
    const under = async () => (user.scopePlaceId ? places.communityIdsUnder(user.scopePlaceId) : 'all' as const);
    switch (user.role) {
      case 'admin':
        return { communityIds: 'all', gridIds: null, serves: 'all', scopeKind };
      case 'grid_worker': {
        const gridIds = await users.gridIds(user.id);
        const parents: Array<number | null | undefined> = [];
        for (const g of gridIds) parents.push((await places.findById(g))?.parentId);
        const communityIds = [...new Set(parents.filter((c): c is number => !!c))];
        return { communityIds, gridIds, serves: [], scopeKind };
      }
      case 'staff':
        return { communityIds: await under(), gridIds: null, serves: [], scopeKind };
      case 'claimer':
        return { communityIds: [], gridIds: [], serves: await under(), scopeKind };
    }
  }

  /** The user with their reach, worked out once: the request's viewer. */
  async function viewerOf(user: User): Promise<Viewer> {
    return Object.freeze({ ...user, reach: await reachOf(user) });
  }

  return { reachOf, viewerOf };
}
export type Access = ReturnType<typeof createAccess>;

