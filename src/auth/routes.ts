import { Router } from 'express';
import { z } from 'zod';
import type { Config } from '../config';
import type { PlaceRepo } from '../places/repo';
import type { UserRepo } from './repo';
import { clearCookie, setCookie } from '../http/cookies';
import { flash } from '../http/flash';
import { notFound } from '../lib/errors';
import { perClientLimit } from '../http/security';
import { checkbox, idParam, optionalText, parseForm, requiredText } from '../http/validate';
import { SESSION_COOKIE, requireRole } from './middleware';
import { hashPassword } from './password';
import { ROLES, ROLE_LABELS } from './roles';
import { SCOPE_KINDS, type AuthService, type UserAdminService } from './service';

const loginSchema = z.object({
  username: requiredText('用户名', 64),
  password: requiredText('密码', 200),
  next: optionalText('跳转地址', 500),
});

const passwordRule = z.preprocess((v) => (typeof v === 'string' ? v : ''), z.string().min(8, '密码至少 8 位').max(200, '密码最多 200 位'));

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
}

export function authRoutes({ config, auth, userAdmin: manage, users, places }: AuthRouteDeps): Router {
  const router = Router();
  const loginLimit = perClientLimit(config.loginRateLimit, '登录尝试太多次了。请等一分钟后再试；忘记密码请联系管理员。');

  router.get('/login', (req, res) => {
    if (req.user) return res.redirect(303, '/');
    res.render('auth/login', { error: null, username: '', next: typeof req.query.next === 'string' ? req.query.next : '' });
  });

  router.post('/login', loginLimit, (req, res) => {
    const parsed = parseForm(loginSchema, req.body);
    const username = typeof req.body?.username === 'string' ? req.body.username.slice(0, 64) : '';
    const next = typeof req.body?.next === 'string' ? req.body.next.slice(0, 500) : '';
    const user = parsed.ok ? auth.checkCredentials(parsed.value.username, parsed.value.password) : undefined;
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

  // ---- user management (admin) ----
  const admin = requireRole('admin');
  const formLocals = () => ({
    roles: ROLES.map((r) => ({ value: r, label: ROLE_LABELS[r] })),
    scopes: SCOPE_KINDS.flatMap((k) => places.ofKind(k)),
    grids: places.ofKind('grid').map((g) => ({ ...g, communityName: places.findById(g.parentId!)?.name ?? '' })),
  });

  router.get('/admin/users', admin, (_req, res) => {
    res.render('auth/users', { title: '账号管理', users: users.list(), places: new Map(places.list().map((p) => [p.id, p.name])) });
  });

  router.get('/admin/users/new', admin, (_req, res) => {
    res.render('auth/user-form', { title: '新建账号', ...formLocals(), user: null, values: { role: 'staff', gridIds: [] }, errors: {} });
  });

  router.post('/admin/users', admin, (req, res) => {
    const parsed = parseForm(userSchema, req.body);
    // Checked here so a refused form costs no password hashing; create() checks again inside its transaction.
    const errors = parsed.ok ? manage.check(parsed.value, null) : parsed.errors;
    if (parsed.ok && !parsed.value.password) errors.password = '请设置初始密码（至少 8 位）';
    const refuse = (errs: typeof errors) =>
      res.status(400).render('auth/user-form', { title: '新建账号', ...formLocals(), user: null, values: req.body ?? {}, errors: errs });
    if (!parsed.ok || Object.keys(errors).length) return refuse(errors);
    const v = parsed.value;
    const saved = manage.create(v, hashPassword(v.password!));
    if (!saved.ok) return refuse(saved.errors);
    flash(res, `已创建账号 ${v.username}`);
    res.redirect(303, '/admin/users');
  });

  router.get('/admin/users/:id', admin, (req, res) => {
    const user = users.findById(idParam('账号').catch(0).parse(req.params.id));
    if (!user) throw notFound('账号');
    res.render('auth/user-form', { title: '编辑账号', ...formLocals(), user, values: { ...user, gridIds: users.gridIds(user.id) }, errors: {} });
  });

  router.post('/admin/users/:id', admin, (req, res) => {
    const user = users.findById(idParam('账号').catch(0).parse(req.params.id));
    if (!user) throw notFound('账号');
    const parsed = parseForm(userSchema, { ...req.body, username: user.username });
    const errors = parsed.ok ? manage.check(parsed.value, user) : parsed.errors;
    const refuse = (errs: typeof errors) => res.status(400).render('auth/user-form',
      { title: '编辑账号', ...formLocals(), user, values: { ...req.body, username: user.username }, errors: errs });
    if (!parsed.ok || Object.keys(errors).length) return refuse(errors);
    const v = parsed.value;
    const saved = manage.update(user, v, v.password ? hashPassword(v.password) : undefined);
    if (!saved.ok) return refuse(saved.errors);
    flash(res, `已保存账号 ${user.username}`);
    res.redirect(303, '/admin/users');
  });

  return router;
}
