import { createAuditRepo, type AuditRepo } from '../audit/repo';
import type { Config } from '../config';
import { randomToken, sha256 } from '../lib/random';
import type { FieldErrors } from '../http/validate';
import { createLoginThrottle, type LoginThrottle } from './login-throttle';
import { generatePassword, hashPassword, verifyPassword } from './password';
import { passwordProblem } from '../lib/password-policy';
import type { Engine } from '../db/engine';
import { createSessionRepo, createUserRepo, type SessionRepo, type UserRepo } from './repo';
import type { User } from './roles';

// A hash to compare against when the username is unknown, so both paths cost one KDF run. Made on the first
// login rather than at module load, where its 0.15–0.3 s of scrypt delayed every start-up.
let dummyHash: Promise<string> | undefined;
const DUMMY_HASH = () => (dummyHash ??= hashPassword('not-a-real-password'));

/** Start-up messages about the admin account, Chinese first, for the operator reading the console. */
export const ADMIN_START_MESSAGES = {
  restored: '没有启用的管理员账号：已按 LINSHENG_ADMIN_PASSWORD 重新启用账号 admin 为管理员并重设其密码。'
    + ' No active administrator: account "admin" was re-enabled as administrator with the password from LINSHENG_ADMIN_PASSWORD.',
  noActiveAdmin: '警告：没有启用的管理员账号，目前无人能管理账号。恢复方法：设置 LINSHENG_ADMIN_PASSWORD（至少 10 位、不是常见密码）后重启，'
    + '账号 admin 会重新启用为管理员并使用该密码；或运行 npx linsheng create-user --username <新用户名> --role admin 新建一个管理员。'
    + ' Warning: no active administrator, so nobody can manage accounts. To recover, restart with LINSHENG_ADMIN_PASSWORD set'
    + ' (8+ characters) to re-enable "admin" as administrator with that password, or run'
    + ' `npx linsheng create-user --username <new-name> --role admin` to add a new administrator.',
};

export const PASSWORD_CHANGE_MESSAGES = {
  wrongCurrent: '当前密码不正确，请重新输入。',
  mismatch: '两次输入的新密码不一致，请重新输入。',
  same: '新密码不能和当前密码相同。',
};

/** Where a login came from, for the audit trail. */
export interface LoginOrigin { ip?: string; userAgent?: string }

export function createAuthService(deps: {
  /** Where an account's changes commit together (a password and the sessions it ends). */
  engine: Pick<Engine, 'unitOfWork'>;
  users: UserRepo; sessions: SessionRepo; config: Readonly<Config>; now?: () => number;
  /** Successful and failed logins and password changes are written here (entity type `user`). */
  audit?: Pick<AuditRepo, 'record'>;
  throttle?: LoginThrottle;
  /** Where start-up notices go (the console by default). */
  log?: (line: string) => void;
}) {
  const { users, sessions, config } = deps;
  const now = deps.now ?? Date.now;
  const log = deps.log ?? ((line: string) => console.log(line));
  const throttle = deps.throttle ?? createLoginThrottle({ maxDelayMs: config.loginDelayMaxMs });
  const entry = (entityId: number, action: string, userId: number | null, detail: Record<string, unknown>) =>
    ({ entityType: 'user' as const, entityId, action, userId, detail });
  const record = async (entityId: number, action: string, userId: number | null, detail: Record<string, unknown>) => {
    await deps.audit?.record(entry(entityId, action, userId, detail));
  };

  return {
    throttle,

    /**
     * Returns the user when the credentials match an active account. Each attempt first waits the delay that
     * failures for this username have earned (see login-throttle.ts), and is written to the audit trail.
     */
    async checkCredentials(username: string, password: string, origin: LoginOrigin = {}): Promise<User | undefined> {
      const name = username.trim();
      const waited = await throttle.wait(name);
      const found = await users.findByUsername(name);
      const ok = await verifyPassword(password, found?.passwordHash ?? await DUMMY_HASH());
      const where = { username: name.slice(0, 64), ip: origin.ip ?? null, userAgent: origin.userAgent?.slice(0, 200) ?? null };
      if (!found || !ok || found.user.disabled) {
        await throttle.failed(name);
        const reason = !found ? 'unknown_user' : !ok ? 'wrong_password' : 'disabled';
        await record(found?.user.id ?? 0, 'login_failed', null, { ...where, reason, delayedMs: waited });
        return undefined;
      }
      await throttle.succeeded(name);
      await record(found.user.id, 'login', found.user.id, { ...where, delayedMs: waited });
      return found.user;
    },

    /**
     * The user changes their own password: the current one must be right, the new one must pass the policy.
     * Every other session of this user ends (a stolen session does not survive the change); this one stays.
     */
    async changeOwnPassword(userId: number, currentIdHash: string | undefined,
      input: { current: string; next: string; confirm: string }): Promise<{ ok: true } | { ok: false; errors: FieldErrors }> {
      const user = await users.findById(userId);
      const found = user ? await users.findByUsername(user.username) : undefined;
      if (!user || !found) return { ok: false, errors: { current: PASSWORD_CHANGE_MESSAGES.wrongCurrent } };
      if (!(await verifyPassword(input.current, found.passwordHash))) {
        await record(userId, 'password_change_failed', userId, { reason: 'wrong_current' });
        return { ok: false, errors: { current: PASSWORD_CHANGE_MESSAGES.wrongCurrent } };
      }
      const problem = passwordProblem(input.next, [user.username, user.displayName]);
      if (problem) return { ok: false, errors: { next: problem } };
      if (input.next !== input.confirm) return { ok: false, errors: { confirm: PASSWORD_CHANGE_MESSAGES.mismatch } };
      if (input.next === input.current) return { ok: false, errors: { next: PASSWORD_CHANGE_MESSAGES.same } };
      const hash = await hashPassword(input.next);
      await deps.engine.unitOfWork(async (tx) => {
        await createUserRepo(tx).setPasswordHash(userId, hash);
        if (currentIdHash) await createSessionRepo(tx).removeOthersForUser(userId, currentIdHash);
        else await createSessionRepo(tx).removeForUser(userId);
        // In the same unit of work as the change it records.
        if (deps.audit) await createAuditRepo(tx).record(entry(userId, 'password_changed', userId, {}));
      });
      return { ok: true };
    },

    async startSession(userId: number): Promise<{ sessionId: string; maxAgeSeconds: number }> {
      const sessionId = randomToken(32);
      const t = now();
      const ttl = config.sessionHours * 3600 * 1000;
      await sessions.create(sha256(sessionId), userId, randomToken(24), t, t + ttl);
      await sessions.purgeExpired(t);
      return { sessionId, maxAgeSeconds: Math.round(ttl / 1000) };
    },

    async resolveSession(sessionId: string): Promise<{ user: User; csrfToken: string; idHash: string } | undefined> {
      const idHash = sha256(sessionId);
      const row = await sessions.findLive(idHash, now());
      if (!row) return undefined;
      const user = await users.findById(row.user_id);
      if (!user || user.disabled) return undefined;
      return { user, csrfToken: row.csrf_token, idHash };
    },

    endSession: (idHash: string) => sessions.remove(idHash),

    /**
     * On first start there is no admin: create one with LINSHENG_ADMIN_PASSWORD, or a random password
     * that the caller prints once. Returns the password only when it was generated.
     *
     * An older database may have no active admin although the account `admin` exists (demoted or disabled
     * before the web form refused that). Inserting `admin` again would fail on the unique username and stop
     * the server, so instead: with LINSHENG_ADMIN_PASSWORD set, that account becomes an active admin again
     * with that password; without it the server still starts and logs how to recover.
     */
    async ensureAdmin(): Promise<{ created: boolean; username: string; generatedPassword?: string; restored?: boolean; noActiveAdmin?: boolean }> {
      if (await users.activeAdminCount() > 0) return { created: false, username: 'admin' };
      const existing = await users.findByUsername('admin');
      if (existing) {
        if (!config.adminPassword) {
          log(ADMIN_START_MESSAGES.noActiveAdmin);
          return { created: false, username: 'admin', noActiveAdmin: true };
        }
        const passwordHash = await hashPassword(config.adminPassword);
        const { user } = existing;
        await deps.engine.unitOfWork(async (tx) => {
          const inTx = createUserRepo(tx);
          await inTx.update({ ...user, role: 'admin', disabled: false, canSeePersonalData: true, scopePlaceId: null, claimerKind: null });
          await inTx.setGrids(user.id, []);
          await inTx.setPasswordHash(user.id, passwordHash);
          await createSessionRepo(tx).removeForUser(user.id);
        });
        log(ADMIN_START_MESSAGES.restored);
        return { created: false, username: 'admin', restored: true };
      }
      const generated = config.adminPassword ? undefined : generatePassword();
      const passwordHash = await hashPassword(config.adminPassword ?? generated!);
      await users.create({ username: 'admin', displayName: '系统管理员', role: 'admin', passwordHash, canSeePersonalData: true });
      return { created: true, username: 'admin', generatedPassword: generated };
    },
  };
}
export type AuthService = ReturnType<typeof createAuthService>;
