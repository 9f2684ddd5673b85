import { Router } from 'express';
import { z } from 'zod';
import type { AppContext } from '../context';
import { clearCookie, setCookie } from '../http/cookies';
import { flash } from '../http/flash';
import { notFound } from '../http/http-error';
import { perClientLimit } from '../http/security';
import { checkbox, idList, idParam, optionalText, parseForm, requiredText } from '../http/validate';
import { SESSION_COOKIE, requireRole } from './middleware';
import { hashPassword } from './password';
import { ROLES, ROLE_LABELS, type User } from './roles';

const loginSchema = z.object({
  username: requiredText('用户名', 64),
  password: requiredText('密码', 200),
  next: optionalText('跳转地址', 500),
});

const passwordRule = z.preprocess((v) => (typeof v === 'string' ? v : ''), z.string().min(8, '密码至少 8 位').max(200, '密码最多 200 位'));

const userSchema = z.object({
  username: requiredText('用户名', 64).pipe(z.string().regex(/^[\w.-]+$/, '用户名只能用字母、数字、下划线、点和短横线')),
  displayName: requiredText('姓名', 64),
  role: z.enum(ROLES, { message: '请选择角色' }),
  scopePlaceId: z.preprocess((v) => (v === '' || v === undefined ? null : v), z.coerce.number().int().positive().nullable()),
  claimerKind: z.preprocess((v) => (v === '' || v === undefined ? null : v), z.enum(['member', 'unit']).nullable()),
  canSeePersonalData: checkbox(),
  disabled: checkbox(),
  gridIds: idList('网格'),
  password: z.preprocess((v) => (v === '' ? undefined : v), passwordRule.optional()),
});

/** Only same-site paths are followed after login, never an absolute URL. */
function safeNext(next: string | null): string {
  return next && /^\/(?!\/)[^\\]*$/.test(next) ? next : '/';
}

export function authRoutes(ctx: AppContext): Router {
  const router = Router();
  const { auth, users, places, config } = ctx;
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
    scopes: [...places.ofKind('subdistrict'), ...places.ofKind('community')],
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
    const errors = parsed.ok ? {} : parsed.errors;
    if (parsed.ok && !parsed.value.password) errors.password = '请设置初始密码（至少 8 位）';
    if (parsed.ok && users.findByUsername(parsed.value.username)) errors.username = '这个用户名已被使用';
    if (!parsed.ok || Object.keys(errors).length) {
      return res.status(400).render('auth/user-form', { title: '新建账号', ...formLocals(), user: null, values: req.body, errors });
    }
    const v = parsed.value;
    const id = users.create({
      username: v.username, displayName: v.displayName, role: v.role, passwordHash: hashPassword(v.password!),
      scopePlaceId: v.scopePlaceId, claimerKind: v.role === 'claimer' ? v.claimerKind ?? 'member' : null,
      canSeePersonalData: v.canSeePersonalData,
    });
    if (v.role === 'grid_worker') users.setGrids(id, v.gridIds);
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
    if (!parsed.ok) {
      return res.status(400).render('auth/user-form', { title: '编辑账号', ...formLocals(), user, values: { ...req.body, username: user.username }, errors: parsed.errors });
    }
    const v = parsed.value;
    const updated: User = {
      ...user, displayName: v.displayName, role: v.role, scopePlaceId: v.scopePlaceId,
      claimerKind: v.role === 'claimer' ? v.claimerKind ?? 'member' : null, canSeePersonalData: v.canSeePersonalData,
      disabled: v.disabled,
    };
    users.update(updated);
    users.setGrids(user.id, v.role === 'grid_worker' ? v.gridIds : []);
    if (v.password) users.setPasswordHash(user.id, hashPassword(v.password));
    if (v.password || v.disabled) ctx.sessions.removeForUser(user.id);
    flash(res, `已保存账号 ${user.username}`);
    res.redirect(303, '/admin/users');
  });

  return router;
}
