import type { Db } from '../db/open-db';
import type { Role, User } from './roles';

interface UserRow {
  id: number; username: string; display_name: string; password_hash: string; role: Role;
  scope_place_id: number | null; claimer_kind: 'member' | 'unit' | null;
  can_see_personal_data: number; disabled: number;
}

const toUser = (r: UserRow): User => ({
  id: r.id,
  username: r.username,
  displayName: r.display_name,
  role: r.role,
  scopePlaceId: r.scope_place_id,
  claimerKind: r.claimer_kind,
  canSeePersonalData: r.can_see_personal_data === 1,
  disabled: r.disabled === 1,
});

export interface NewUser {
  username: string; displayName: string; passwordHash: string; role: Role;
  scopePlaceId?: number | null; claimerKind?: 'member' | 'unit' | null; canSeePersonalData?: boolean;
}

export function createUserRepo(db: Db) {
  const byId = db.prepare<[number], UserRow>('SELECT * FROM users WHERE id = ?');
  const byName = db.prepare<[string], UserRow>('SELECT * FROM users WHERE username = ?');
  const all = db.prepare<[], UserRow>('SELECT * FROM users ORDER BY role, username');
  const insert = db.prepare(`INSERT INTO users
    (username, display_name, password_hash, role, scope_place_id, claimer_kind, can_see_personal_data)
    VALUES (@username, @displayName, @passwordHash, @role, @scopePlaceId, @claimerKind, @canSee)`);
  const update = db.prepare(`UPDATE users SET display_name = @displayName, role = @role,
    scope_place_id = @scopePlaceId, claimer_kind = @claimerKind, can_see_personal_data = @canSee,
    disabled = @disabled WHERE id = @id`);
  const setHash = db.prepare('UPDATE users SET password_hash = ? WHERE id = ?');
  const countAdmins = db.prepare("SELECT COUNT(*) FROM users WHERE role = 'admin' AND disabled = 0").pluck();
  const gridsOf = db.prepare('SELECT grid_id FROM user_grids WHERE user_id = ? ORDER BY grid_id').pluck();
  const clearGrids = db.prepare('DELETE FROM user_grids WHERE user_id = ?');
  const addGrid = db.prepare('INSERT OR IGNORE INTO user_grids (user_id, grid_id) VALUES (?, ?)');

  return {
    findById: (id: number) => { const r = byId.get(id); return r ? toUser(r) : undefined; },
    findByUsername: (username: string) => { const r = byName.get(username); return r ? { user: toUser(r), passwordHash: r.password_hash } : undefined; },
    list: () => all.all().map(toUser),
    create(u: NewUser): number {
      return Number(insert.run({
        username: u.username, displayName: u.displayName, passwordHash: u.passwordHash, role: u.role,
        scopePlaceId: u.scopePlaceId ?? null, claimerKind: u.claimerKind ?? null, canSee: u.canSeePersonalData ? 1 : 0,
      }).lastInsertRowid);
    },
    update(u: User): void {
      update.run({
        id: u.id, displayName: u.displayName, role: u.role, scopePlaceId: u.scopePlaceId,
        claimerKind: u.claimerKind, canSee: u.canSeePersonalData ? 1 : 0, disabled: u.disabled ? 1 : 0,
      });
    },
    setPasswordHash: (id: number, hash: string) => { setHash.run(hash, id); },
    activeAdminCount: () => countAdmins.get() as number,
    gridIds: (userId: number) => gridsOf.all(userId) as number[],
    /** Runs fn in one transaction (a nested call becomes a savepoint), so an account and its grids save together. */
    transaction: <T>(fn: () => T): T => db.transaction(fn)(),
    setGrids: db.transaction((userId: number, gridIds: number[]) => {
      clearGrids.run(userId);
      for (const g of gridIds) addGrid.run(userId, g);
    }),
  };
}
export type UserRepo = ReturnType<typeof createUserRepo>;

export interface SessionRow { id_hash: string; user_id: number; csrf_token: string; expires_at: number }

export function createSessionRepo(db: Db) {
  const insert = db.prepare('INSERT INTO sessions (id_hash, user_id, csrf_token, created_at, expires_at) VALUES (?, ?, ?, ?, ?)');
  const get = db.prepare<[string, number], SessionRow>('SELECT * FROM sessions WHERE id_hash = ? AND expires_at > ?');
  const remove = db.prepare('DELETE FROM sessions WHERE id_hash = ?');
  const removeForUser = db.prepare('DELETE FROM sessions WHERE user_id = ?');
  const removeOthers = db.prepare('DELETE FROM sessions WHERE user_id = ? AND id_hash <> ?');
  const purge = db.prepare('DELETE FROM sessions WHERE expires_at <= ?');
  return {
    create: (idHash: string, userId: number, csrf: string, now: number, expiresAt: number) => { insert.run(idHash, userId, csrf, now, expiresAt); },
    findLive: (idHash: string, now: number) => get.get(idHash, now),
    remove: (idHash: string) => { remove.run(idHash); },
    removeForUser: (userId: number) => { removeForUser.run(userId); },
    /** Ends every session of this user except the one given (after they changed their own password). */
    removeOthersForUser: (userId: number, keepIdHash: string) => { removeOthers.run(userId, keepIdHash); },
    purgeExpired: (now: number) => purge.run(now).changes,
  };
}
export type SessionRepo = ReturnType<typeof createSessionRepo>;

/** Wrong passwords per username, for the login throttle of every app server (migration 099). */
export function createLoginFailureRepo(db: Db) {
  const get = db.prepare<[string], { failures: number; last_at: number }>('SELECT failures, last_at FROM login_failures WHERE username = ?');
  // One more failure in one statement; a count last written before the window starts again at 1.
  const add = db.prepare(`INSERT INTO login_failures (username, failures, last_at) VALUES (@username, 1, @now)
    ON CONFLICT(username) DO UPDATE SET failures = CASE WHEN last_at < @windowStart THEN 1 ELSE failures + 1 END, last_at = @now`);
  const remove = db.prepare('DELETE FROM login_failures WHERE username = ?');
  const purge = db.prepare('DELETE FROM login_failures WHERE last_at < ?');
  let purgedAt = 0;
  return {
    get(username: string): { failures: number; lastAt: number } | undefined {
      const r = get.get(username);
      return r ? { failures: r.failures, lastAt: r.last_at } : undefined;
    },
    /** Counts a failure at `now`; once a minute at most, forgets every count last written before `windowStart`. */
    add(username: string, now: number, windowStart: number): void {
      add.run({ username, now, windowStart });
      if (now - purgedAt >= 60_000) { purgedAt = now; purge.run(windowStart); }
    },
    delete: (username: string) => { remove.run(username); },
  };
}
export type LoginFailureRepo = ReturnType<typeof createLoginFailureRepo>;
