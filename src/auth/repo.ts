import { sql } from 'kysely';
import { all, one, run, type Queries } from '../db/engine';
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

export function createUserRepo(on: Queries) {
  return {
    async findById(id: number): Promise<User | undefined> {
      const r = await one<UserRow>(on, sql`SELECT * FROM users WHERE id = ${id}`);
      return r ? toUser(r) : undefined;
    },
    async findByUsername(username: string): Promise<{ user: User; passwordHash: string } | undefined> {
      const r = await one<UserRow>(on, sql`SELECT * FROM users WHERE username = ${username}`);
      return r ? { user: toUser(r), passwordHash: r.password_hash } : undefined;
    },
    list: async (): Promise<User[]> => (await all<UserRow>(on, sql`SELECT * FROM users ORDER BY role, username`)).map(toUser),
    async create(u: NewUser): Promise<number> {
      const r = await one<{ id: number }>(on, sql`INSERT INTO users
        (username, display_name, password_hash, role, scope_place_id, claimer_kind, can_see_personal_data)
        VALUES (${u.username}, ${u.displayName}, ${u.passwordHash}, ${u.role}, ${u.scopePlaceId ?? null}, ${u.claimerKind ?? null},
          ${u.canSeePersonalData ? 1 : 0})
        RETURNING id`);
      return r!.id;
    },
    async update(u: User): Promise<void> {
      await run(on, sql`UPDATE users SET display_name = ${u.displayName}, role = ${u.role}, scope_place_id = ${u.scopePlaceId},
        claimer_kind = ${u.claimerKind}, can_see_personal_data = ${u.canSeePersonalData ? 1 : 0}, disabled = ${u.disabled ? 1 : 0}
        WHERE id = ${u.id}`);
    },
    setPasswordHash: async (id: number, hash: string): Promise<void> => { await run(on, sql`UPDATE users SET password_hash = ${hash} WHERE id = ${id}`); },
    activeAdminCount: async (): Promise<number> =>
      (await one<{ n: number }>(on, sql`SELECT COUNT(*) AS n FROM users WHERE role = 'admin' AND disabled = 0`))!.n,
    gridIds: async (userId: number): Promise<number[]> =>
      (await all<{ grid_id: number }>(on, sql`SELECT grid_id FROM user_grids WHERE user_id = ${userId} ORDER BY grid_id`)).map((r) => r.grid_id),
    /** Replaces the user's grids; inside the caller's unit of work, so an account and its grids save together. */
    async setGrids(userId: number, gridIds: readonly number[]): Promise<void> {
      await run(on, sql`DELETE FROM user_grids WHERE user_id = ${userId}`);
      for (const g of gridIds) await run(on, sql`INSERT INTO user_grids (user_id, grid_id) VALUES (${userId}, ${g}) ON CONFLICT DO NOTHING`);
    },
  };
}
export type UserRepo = ReturnType<typeof createUserRepo>;

export interface SessionRow { id_hash: string; user_id: number; csrf_token: string; expires_at: number }

export function createSessionRepo(on: Queries) {
  return {
    async create(idHash: string, userId: number, csrf: string, now: number, expiresAt: number): Promise<void> {
      await run(on, sql`INSERT INTO sessions (id_hash, user_id, csrf_token, created_at, expires_at) VALUES (${idHash}, ${userId}, ${csrf}, ${now}, ${expiresAt})`);
    },
    findLive: (idHash: string, now: number): Promise<SessionRow | undefined> =>
      one<SessionRow>(on, sql`SELECT id_hash, user_id, csrf_token, expires_at FROM sessions WHERE id_hash = ${idHash} AND expires_at > ${now}`),
    remove: async (idHash: string): Promise<void> => { await run(on, sql`DELETE FROM sessions WHERE id_hash = ${idHash}`); },
    removeForUser: async (userId: number): Promise<void> => { await run(on, sql`DELETE FROM sessions WHERE user_id = ${userId}`); },
    /** Ends every session of this user except the one given (after they changed their own password). */
    removeOthersForUser: async (userId: number, keepIdHash: string): Promise<void> => {
      await run(on, sql`DELETE FROM sessions WHERE user_id = ${userId} AND id_hash <> ${keepIdHash}`);
    },
    purgeExpired: (now: number): Promise<number> => run(on, sql`DELETE FROM sessions WHERE expires_at <= ${now}`),
  };
}
export type SessionRepo = ReturnType<typeof createSessionRepo>;

/** Wrong passwords per username, for the login throttle of every app server (migration 099). */
export function createLoginFailureRepo(on: Queries) {
  let purgedAt = 0;
  return {
    async get(username: string): Promise<{ failures: number; lastAt: number } | undefined> {
      const r = await one<{ failures: number; last_at: number }>(on, sql`SELECT failures, last_at FROM login_failures WHERE username = ${username}`);
      return r ? { failures: r.failures, lastAt: r.last_at } : undefined;
    },
    /** Counts a failure at `now`; once a minute at most, forgets every count last written before `windowStart`. */
    async add(username: string, now: number, windowStart: number): Promise<void> {
      // One more failure in one statement; a count last written before the window starts again at 1. Two servers
      // counting at once may commit out of order: the latest time is kept.
      await run(on, sql`INSERT INTO login_failures (username, failures, last_at) VALUES (${username}, 1, ${now})
        ON CONFLICT (username) DO UPDATE SET failures = CASE WHEN login_failures.last_at < ${windowStart} THEN 1
          ELSE login_failures.failures + 1 END,
          last_at = CASE WHEN login_failures.last_at > ${now} THEN login_failures.last_at ELSE ${now} END`);
      if (now - purgedAt >= 60_000) { purgedAt = now; await run(on, sql`DELETE FROM login_failures WHERE last_at < ${windowStart}`); }
    },
    delete: async (username: string): Promise<void> => { await run(on, sql`DELETE FROM login_failures WHERE username = ${username}`); },
  };
}
export type LoginFailureRepo = ReturnType<typeof createLoginFailureRepo>;
