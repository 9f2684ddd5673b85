import { createAuditRepo, type AuditRepo } from '../audit/repo';
import { createSessionRepo, createUserRepo, type UserRepo } from '../auth/repo';
import type { Engine } from '../db/engine';
import type { Role, User } from '../auth/roles';
import type { FieldErrors } from '../http/validate';
import { createPlaceRepo, type PlaceKind, type PlaceRepo } from '../places/repo';

/** What the admin's account form asks for, already parsed (see userSchema in routes.ts). */
export type UserInput = Omit<User, 'id'> & { gridIds: number[] };

/** A staff member's scope is a whole district, sub-district or community; grid workers get grids. */
export const SCOPE_KINDS: readonly PlaceKind[] = ['district', 'subdistrict', 'community'];

export const USER_MESSAGES = {
  usernameTaken: '这个用户名已被使用',
  lastAdmin: '至少要保留一个启用的管理员账号。请先把另一个账号设为管理员，再修改这个账号。',
  scopeMissing: '所选负责范围不存在（可能已被删除），请重新选择。',
  scopeKind: '负责范围只能是区、街道或社区，请重新选择。',
  gridMissing: '所选网格有的不存在（可能已被删除），请刷新页面后重新勾选。',
  gridKind: (name: string) => `「${name}」不是网格，只能勾选网格，请重新勾选。`,
};

export type SaveResult<T> = { ok: true; value: T } | { ok: false; errors: FieldErrors };

/**
 * Account management for admins: checks that the chosen places exist and are of the right kind, and that
 * at least one active admin remains, then writes the account and its grids in one transaction, so a refused
 * change leaves nothing half-saved.
 */
export function createUserAdminService(deps: {
  engine: Pick<Engine, 'unitOfWork'>; users: UserRepo; places: PlaceRepo; audit?: Pick<AuditRepo, 'record'>;
}) {
  const { users, places } = deps;

  const isActiveAdmin = (u: { role: Role; disabled: boolean }) => u.role === 'admin' && !u.disabled;

  /**
   * Field errors for this input; `existing` is the account being edited (null when creating). Writes nothing.
   * `on`, `placesOn`: the accounts and places as the caller's unit of work sees them.
   */
  async function check(v: UserInput, existing: User | null, on: Pick<UserRepo, 'findByUsername' | 'activeAdminCount'> = users,
    placesOn: Pick<PlaceRepo, 'findById'> = places): Promise<FieldErrors> {
    const errors: FieldErrors = {};
    if (!existing && await on.findByUsername(v.username)) errors.username = USER_MESSAGES.usernameTaken;
    if (v.scopePlaceId !== null) {
      const scope = await placesOn.findById(v.scopePlaceId);
      if (!scope) errors.scopePlaceId = USER_MESSAGES.scopeMissing;
      else if (!SCOPE_KINDS.includes(scope.kind)) errors.scopePlaceId = USER_MESSAGES.scopeKind;
    }
    // Grids are kept only for grid workers, but ids that name no grid are refused whatever the role.
    for (const id of v.gridIds) {
      const grid = await placesOn.findById(id);
      if (!grid) { errors.gridIds = USER_MESSAGES.gridMissing; break; }
      if (grid.kind !== 'grid') { errors.gridIds = USER_MESSAGES.gridKind(grid.name); break; }
    }
    if (existing && isActiveAdmin(existing) && !isActiveAdmin(v) && await on.activeAdminCount() <= 1) {
      errors[v.role !== 'admin' ? 'role' : 'disabled'] = USER_MESSAGES.lastAdmin;
    }
    return errors;
  }

  const gridsFor = (v: UserInput) => (v.role === 'grid_worker' ? [...new Set(v.gridIds)] : []);
  const claimerKindFor = (v: UserInput) => (v.role === 'claimer' ? v.claimerKind ?? 'member' : null);
  const failed = (errors: FieldErrors): SaveResult<never> => ({ ok: false, errors });

  return {
    check,

    /** Creates the account with its grids, or nothing. */
    create(v: UserInput, passwordHash: string): Promise<SaveResult<number>> {
      return deps.engine.unitOfWork(async (tx) => {
        const users = createUserRepo(tx);
        const errors = await check(v, null, users, createPlaceRepo(tx));
        if (Object.keys(errors).length) return failed(errors);
        const id = await users.create({
          username: v.username, displayName: v.displayName, role: v.role, passwordHash,
          scopePlaceId: v.scopePlaceId, claimerKind: claimerKindFor(v), canSeePersonalData: v.canSeePersonalData,
        });
        await users.setGrids(id, gridsFor(v));
        return { ok: true, value: id };
      });
    },

    /** Saves the account, its grids and (when given) a new password together, or nothing. */
    update(user: User, v: UserInput, passwordHash?: string, actorId: number | null = null): Promise<SaveResult<User>> {
      return deps.engine.unitOfWork(async (tx) => {
        const users = createUserRepo(tx);
        const errors = await check(v, user, users, createPlaceRepo(tx));
        if (Object.keys(errors).length) return failed(errors);
        const updated: User = {
          ...user, displayName: v.displayName, role: v.role, scopePlaceId: v.scopePlaceId,
          claimerKind: claimerKindFor(v), canSeePersonalData: v.canSeePersonalData, disabled: v.disabled,
        };
        await users.update(updated);
        await users.setGrids(user.id, gridsFor(v));
        if (passwordHash) {
          await users.setPasswordHash(user.id, passwordHash);
          if (deps.audit) await createAuditRepo(tx).record({ entityType: 'user', entityId: user.id, action: 'password_reset', userId: actorId, detail: { username: user.username } });
        }
        // A new password or a disabled account ends the sessions already open.
        if (passwordHash || v.disabled) await createSessionRepo(tx).removeForUser(user.id);
        return { ok: true, value: updated };
      });
    },
  };
}
export type UserAdminService = ReturnType<typeof createUserAdminService>;
