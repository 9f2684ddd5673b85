import type { Config } from '../config';
import { randomToken, sha256 } from '../http/random';
import { generatePassword, hashPassword, verifyPassword } from './password';
import type { SessionRepo, UserRepo } from './repo';
import type { User } from './roles';

// A hash to compare against when the username is unknown, so both paths cost one KDF run.
const DUMMY_HASH = hashPassword('not-a-real-password');

export function createAuthService(deps: { users: UserRepo; sessions: SessionRepo; config: Readonly<Config>; now?: () => number }) {
  const { users, sessions, config } = deps;
  const now = deps.now ?? Date.now;

  return {
    /** Returns the user when the credentials match an active account. */
    checkCredentials(username: string, password: string): User | undefined {
      const found = users.findByUsername(username.trim());
      const ok = verifyPassword(password, found?.passwordHash ?? DUMMY_HASH);
      if (!found || !ok || found.user.disabled) return undefined;
      return found.user;
    },

    startSession(userId: number): { sessionId: string; maxAgeSeconds: number } {
      const sessionId = randomToken(32);
      const t = now();
      const ttl = config.sessionHours * 3600 * 1000;
      sessions.create(sha256(sessionId), userId, randomToken(24), t, t + ttl);
      sessions.purgeExpired(t);
      return { sessionId, maxAgeSeconds: Math.round(ttl / 1000) };
    },

    resolveSession(sessionId: string): { user: User; csrfToken: string; idHash: string } | undefined {
      const idHash = sha256(sessionId);
      const row = sessions.findLive(idHash, now());
      if (!row) return undefined;
      const user = users.findById(row.user_id);
      if (!user || user.disabled) return undefined;
      return { user, csrfToken: row.csrf_token, idHash };
    },

    endSession: (idHash: string) => sessions.remove(idHash),

    /**
     * On first start there is no admin: create one with LINSHENG_ADMIN_PASSWORD, or a random password
     * that the caller prints once. Returns the password only when it was generated.
     */
    ensureAdmin(): { created: boolean; username: string; generatedPassword?: string } {
      if (users.activeAdminCount() > 0) return { created: false, username: 'admin' };
      const generated = config.adminPassword ? undefined : generatePassword();
      users.create({
        username: 'admin', displayName: '系统管理员', role: 'admin',
        passwordHash: hashPassword(config.adminPassword ?? generated!), canSeePersonalData: true,
      });
      return { created: true, username: 'admin', generatedPassword: generated };
    },
  };
}
export type AuthService = ReturnType<typeof createAuthService>;
