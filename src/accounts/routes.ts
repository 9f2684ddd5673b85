import { Router } from 'express';
import { z } from 'zod';
import type { AuditRepo } from '../audit/repo';
import { requireRole } from '../auth/middleware';
import { hashPassword } from '../auth/password';
import type { UserRepo } from '../auth/repo';
import { ROLES, ROLE_LABELS } from '../auth/roles';
import { flash } from '../http/flash';
import { checkbox, idParam, parseForm, requiredText } from '../http/validate';
import { notFound } from '../lib/errors';
import { PASSWORD_MAX, passwordProblem } from '../lib/password-policy';
import type { PlaceRepo } from '../places/repo';
import { SCOPE_KINDS, type UserAdminService } from './service';

// Length only here; the common-password check needs the username and name, so it runs after parsing (policyErrors).
const passwordRule = z.preprocess((v) => (typeof v === 'string' ? v : ''), z.string().max(PASSWORD_MAX, `密码最多 ${PASSWORD_MAX} 位`));

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

export interface AccountRouteDeps {
  userAdmin: UserAdminService;
  users: Pick<UserRepo, 'list' | 'findById' | 'gridIds'>;
  places: Pick<PlaceRepo, 'ofKind' | 'findById' | 'list'>;
  audit: Pick<AuditRepo, 'listAccountEvents'>;
}

/** The admin's account management and login records. */
export function accountRoutes({ userAdmin: manage, users, places, audit }: AccountRouteDeps): Router {
  const router = Router();
  const admin = requireRole('admin');
  const formLocals = async () => ({
    roles: ROLES.map((r) => ({ value: r, label: ROLE_LABELS[r] })),
    scopes: (await Promise.all(SCOPE_KINDS.map((k) => places.ofKind(k)))).flat(),
    grids: await Promise.all((await places.ofKind('grid')).map(async (g) => ({ ...g, communityName: (await places.findById(g.parentId!))?.name ?? '' }))),
  });

  router.get('/admin/users', admin, async (_req, res) => {
    res.render('accounts/users', { title: '账号管理', users: await users.list(), roleLabels: ROLE_LABELS, places: new Map((await places.list()).map((p) => [p.id, p.name])) });
  });

  router.get('/admin/logins', admin, async (_req, res) => {
    res.render('accounts/logins', { title: '登录记录', events: await audit.listAccountEvents(500) });
  });

  router.get('/admin/users/new', admin, async (_req, res) => {
    res.render('accounts/user-form', { title: '新建账号', ...(await formLocals()), user: null, values: { role: 'staff', gridIds: [] }, errors: {} });
  });

  router.post('/admin/users', admin, async (req, res) => {
    const parsed = parseForm(userSchema, req.body);
    // Checked here so a refused form costs no password hashing; create() checks again inside its transaction.
    const errors = parsed.ok
      ? { ...await manage.check(parsed.value, null), ...policyErrors(parsed.value.password, parsed.value.username, parsed.value.displayName) }
      : parsed.errors;
    if (parsed.ok && !parsed.value.password) errors.password = '请设置初始密码（至少 10 位，不要用常见密码）';
    const refuse = async (errs: typeof errors) =>
      res.status(400).render('accounts/user-form', { title: '新建账号', ...(await formLocals()), user: null, values: req.body ?? {}, errors: errs });
    if (!parsed.ok || Object.keys(errors).length) return await refuse(errors);
    const v = parsed.value;
    const saved = await manage.create(v, await hashPassword(v.password!));
    if (!saved.ok) return await refuse(saved.errors);
    flash(res, `已创建账号 ${v.username}`);
    res.redirect(303, '/admin/users');
  });

  router.get('/admin/users/:id', admin, async (req, res) => {
    const user = await users.findById(idParam('账号').catch(0).parse(req.params.id));
    if (!user) throw notFound('账号');
    res.render('accounts/user-form', { title: '编辑账号', ...(await formLocals()), user, values: { ...user, gridIds: await users.gridIds(user.id) }, errors: {} });
  });

  router.post('/admin/users/:id', admin, async (req, res) => {
    const user = await users.findById(idParam('账号').catch(0).parse(req.params.id));
    if (!user) throw notFound('账号');
    const parsed = parseForm(userSchema, { ...req.body, username: user.username });
    const errors = parsed.ok
      ? { ...await manage.check(parsed.value, user), ...policyErrors(parsed.value.password, user.username, parsed.value.displayName) }
      : parsed.errors;
    const refuse = async (errs: typeof errors) => res.status(400).render('accounts/user-form',
      { title: '编辑账号', ...(await formLocals()), user, values: { ...req.body, username: user.username }, errors: errs });
    if (!parsed.ok || Object.keys(errors).length) return await refuse(errors);
    const v = parsed.value;
    const saved = await manage.update(user, v, v.password ? await hashPassword(v.password) : undefined, req.user!.id);
    if (!saved.ok) return await refuse(saved.errors);
    flash(res, `已保存账号 ${user.username}`);
    res.redirect(303, '/admin/users');
  });

  return router;
}
