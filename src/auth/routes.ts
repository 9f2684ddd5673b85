import { Router } from 'express';
import { z } from 'zod';
import type { Config } from '../config';
import { clearCookie, setCookie } from '../http/cookies';
import { flash } from '../http/flash';
import { perClientLimit } from '../http/rate-limit';
import type { SharedCounts } from '../http/shared-counts';
import { optionalText, parseForm, requiredText } from '../http/validate';
import { SESSION_COOKIE, requireLogin } from './middleware';
import { PASSWORD_MAX } from '../lib/password-policy';
import type { AuthService } from './service';

const loginSchema = z.object({
  username: requiredText('用户名', 64),
  password: requiredText('密码', 200),
  next: optionalText('跳转地址', 500),
});

const changePasswordSchema = z.object({
  current: requiredText('当前密码', PASSWORD_MAX),
  next: requiredText('新密码', PASSWORD_MAX),
  confirm: requiredText('确认新密码', PASSWORD_MAX),
});

/** Only same-site paths are followed after login, never an absolute URL. */
function safeNext(next: string | null): string {
  return next && /^\/(?!\/)[^\\]*$/.test(next) ? next : '/';
}

export interface AuthRouteDeps {
  config: Readonly<Config>;
  auth: AuthService;
  rateCounts: Pick<SharedCounts, 'counts'>;
}

/** Logging in and out, and every user's own password. Accounts are managed in src/accounts/routes.ts. */
export function authRoutes({ config, auth, rateCounts }: AuthRouteDeps): Router {
  const router = Router();
  const loginLimit = perClientLimit(config.loginRateLimit, '登录尝试太多次了。请等一分钟后再试；忘记密码请联系管理员。', rateCounts.counts('login'));

  router.get('/login', (req, res) => {
    if (req.user) return res.redirect(303, '/');
    res.render('auth/login', { error: null, username: '', next: typeof req.query.next === 'string' ? req.query.next : '' });
  });

  router.post('/login', loginLimit, async (req, res) => {
    const parsed = parseForm(loginSchema, req.body);
    const username = typeof req.body?.username === 'string' ? req.body.username.slice(0, 64) : '';
    const next = typeof req.body?.next === 'string' ? req.body.next.slice(0, 500) : '';
    const user = parsed.ok
      ? await auth.checkCredentials(parsed.value.username, parsed.value.password, { ip: req.ip, userAgent: req.get('user-agent') })
      : undefined;
    if (!user) {
      return res.status(parsed.ok ? 401 : 400).render('auth/login', { error: '用户名或密码不正确，请重新输入。', username, next });
    }
    const s = await auth.startSession(user.id);
    setCookie(res, SESSION_COOKIE, s.sessionId, { maxAgeSeconds: s.maxAgeSeconds, secure: config.secureCookies });
    res.redirect(303, safeNext(parsed.ok ? parsed.value.next : null));
  });

  router.post('/logout', async (req, res) => {
    if (req.sessionIdHash) await auth.endSession(req.sessionIdHash);
    clearCookie(res, SESSION_COOKIE, config.secureCookies);
    res.redirect(303, '/login');
  });

  // ---- every user: their own password ----
  router.get('/account/password', requireLogin, (_req, res) => {
    res.render('auth/password', { title: '修改密码', errors: {} });
  });

  router.post('/account/password', requireLogin, async (req, res) => {
    const parsed = parseForm(changePasswordSchema, req.body);
    const result = parsed.ok
      ? await auth.changeOwnPassword(req.user!.id, req.sessionIdHash, parsed.value)
      : { ok: false as const, errors: parsed.errors };
    if (!result.ok) return res.status(400).render('auth/password', { title: '修改密码', errors: result.errors });
    flash(res, '密码已修改。其他设备上的登录已退出，需要用新密码重新登录。');
    res.redirect(303, '/');
  });

  return router;
}
