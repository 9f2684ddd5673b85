import { Router } from 'express';
import { z } from 'zod';
import type { Config } from '../config';
import type { PlaceRepo } from '../places/repo';
import type { UserRepo } from './repo';
import type { AuditRepo } from '../audit/repo';
import { clearCookie, setCookie } from '../http/cookies';
import { flash } from '../http/flash';
import { notFound } from '../lib/errors';
import { perClientLimit } from '../http/rate-limit';
import { checkbox, idParam, optionalText, parseForm, requiredText } from '../http/validate';
import { SESSION_COOKIE, requireLogin, requireRole } from './middleware';
import { hashPassword } from './password';
import { PASSWORD_MAX, passwordProblem } from '../lib/password-policy';
import { ROLES, ROLE_LABELS } from './roles';
import { SCOPE_KINDS, type AuthService, type UserAdminService } from './service';

const loginSchema = z.object({
  username: requiredText('用户名', 64),
  password: requiredText('密码', 200),
  next: optionalText('跳转地址', 500),
});

// Length only here; the common-password check needs the username and name, so it runs after parsing (policyErrors).
const passwordRule = z.preprocess((v) => (typeof v === 'string' ? v : ''), z.string().max(PASSWORD_MAX, `密码最多 ${PASSWORD_MAX} 位`));

const changePasswordSchema = z.object({
  current: requiredText('当前密码', PASSWORD_MAX),
  next: requiredText('新密码', PASSWORD_MAX),
  confirm: requiredText('确认新密码', PASSWORD_MAX),
});

/** The password policy (src/lib/password-policy.ts) for the account form, as a field error. */
function policyErrors(password: string | undefined, username: string, displayName: string): Record<string, string> {
  const problem = password === undefined ? null : passwordProblem(password, [username, displayName]);
  return problem ? { password: problem } : {};
}

/**
 * A place id as a form (digits) or JSON (a whole number) sends it. Stricter than z.coerce.number, which
 * turns `true` into 1 and would quietly pick place 1.
 */
const placeId = (message: string) => z.preprocess(
  (v) => (typeof v === 'string' && /^\s*\d{1,15}\s*$/.test(v) ? Number(v) : v),
  z.number({ message }).int(message).positive(message).max(Number.MAX_SAFE_INTEGER, message),
);
const empty = (v: unknown) => v === '' || v === undefined || v === null;

const userSchema = z.object({
  username: requiredText('用户名', 64).pipe(z.string().regex(/^[\w.-]+$/, '用户名只能用字母、数字、下划线、点和短横线')),
  displayName: requiredText('姓名', 64),
  role: z.enum(ROLES, { message: '请选择角色' }),
  scopePlaceId: z.preprocess((v) => (empty(v) ? null : v), placeId('负责范围格式不正确，请从列表中选择').nullable()),
  claimerKind: z.preprocess((v) => (empty(v) ? null : v),
    z.enum(['member', 'unit'], { message: '认领人类型只能选在职党员或共建单位' }).nullable()),
  canSeePersonalData: checkbox(),
  disabled: checkbox(),
  gridIds: z.preprocess((v) => (empty(v) ? [] : Array.isArray(v) ? v : [v]),
    z.array(placeId('网格格式不正确，请重新勾选'), { message: '网格格式不正确，请重新勾选' }).max(1000, '一次最多勾选 1000 个网格')),
  password: z.preprocess((v) => (v === '' ? undefined : v), passwordRule.optional()),
});

/** Only same-site paths are followed after login, never an absolute URL. */
function safeNext(next: string | null): string {
  return next && /^\/(?!\/)[^\\]*$/.test(next) ? next : '/';
}

export interface AuthRouteDeps {
  config: Readonly<Config>;
  auth: AuthService;
  userAdmin: UserAdminService;
  users: Pick<UserRepo, 'list' | 'findById' | 'gridIds'>;
  places: Pick<PlaceRepo, 'ofKind' | 'findById' | 'list'>;
  audit: Pick<AuditRepo, 'listAccountEvents'>;
}

export function authRoutes({ config, auth, userAdmin: manage, users, places, audit }: AuthRouteDeps): Router {
  const router = Router();
  const loginLimit = perClientLimit(config.loginRateLimit, '登录尝试太多次了。请等一分钟后再试；忘记密码请联系管理员。');

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
    const s = auth.startSession(user.id);
    setCookie(res, SESSION_COOKIE, s.sessionId, { maxAgeSeconds: s.maxAgeSeconds, secure: config.secureCookies });
    res.redirect(303, safeNext(parsed.ok ? parsed.value.next : null));
  });

  router.post('/logout', (req, res) => {
    if (req.sessionIdHash) auth.endSession(req.sessionIdHash);
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

  // ---- user management (admin) ----
  const admin = requireRole('admin');
  const formLocals = () => ({
    roles: ROLES.map((r) => ({ value: r, label: ROLE_LABELS[r] })),
    scopes: SCOPE_KINDS.flatMap((k) => places.ofKind(k)),
    grids: places.ofKind('grid').map((g) => ({ ...g, communityName: places.findById(g.parentId!)?.name ?? '' })),
  });

  router.get('/admin/users', admin, (_req, res) => {
    res.render('auth/users', { title: '账号管理', users: users.list(), roleLabels: ROLE_LABELS, places: new Map(places.list().map((p) => [p.id, p.name])) });
  });

  router.get('/admin/logins', admin, (_req, res) => {
    res.render('auth/logins', { title: '登录记录', events: audit.listAccountEvents(500) });
  });

  router.get('/admin/users/new', admin, (_req, res) => {
    res.render('auth/user-form', { title: '新建账号', ...formLocals(), user: null, values: { role: 'staff', gridIds: [] }, errors: {} });
  });

  router.post('/admin/users', admin, async (req, res) => {
    const parsed = parseForm(userSchema, req.body);
    // Checked here so a refused form costs no password hashing; create() checks again inside its transaction.
    const errors = parsed.ok
      ? { ...manage.check(parsed.value, null), ...policyErrors(parsed.value.password, parsed.value.username, parsed.value.displayName) }
      : parsed.errors;
    if (parsed.ok && !parsed.value.password) errors.password = '请设置初始密码（至少 10 位，不要用常见密码）';
    const refuse = (errs: typeof errors) =>
      res.status(400).render('auth/user-form', { title: '新建账号', ...formLocals(), user: null, values: req.body ?? {}, errors: errs });
    if (!parsed.ok || Object.keys(errors).length) return refuse(errors);
    const v = parsed.value;
    const saved = manage.create(v, await hashPassword(v.password!));
    if (!saved.ok) return refuse(saved.errors);
    flash(res, `已创建账号 ${v.username}`);
    res.redirect(303, '/admin/users');
  });

  router.get('/admin/users/:id', admin, (req, res) => {
    const user = users.findById(idParam('账号').catch(0).parse(req.params.id));
    if (!user) throw notFound('账号');
    res.render('auth/user-form', { title: '编辑账号', ...formLocals(), user, values: { ...user, gridIds: users.gridIds(user.id) }, errors: {} });
  });

  router.post('/admin/users/:id', admin, async (req, res) => {
    const user = users.findById(idParam('账号').catch(0).parse(req.params.id));
    if (!user) throw notFound('账号');
    const parsed = parseForm(userSchema, { ...req.body, username: user.username });
    const errors = parsed.ok
      ? { ...manage.check(parsed.value, user), ...policyErrors(parsed.value.password, user.username, parsed.value.displayName) }
      : parsed.errors;
    const refuse = (errs: typeof errors) => res.status(400).render('auth/user-form',
      { title: '编辑账号', ...formLocals(), user, values: { ...req.body, username: user.username }, errors: errs });
    if (!parsed.ok || Object.keys(errors).length) return refuse(errors);
    const v = parsed.value;
    const saved = manage.update(user, v, v.password ? await hashPassword(v.password) : undefined, req.user!.id);
    if (!saved.ok) return refuse(saved.errors);
    flash(res, `已保存账号 ${user.username}`);
    res.redirect(303, '/admin/users');
  });

  return router;
}
