import { Router, type NextFunction, type Request, type Response } from 'express';
import { z } from 'zod';
import { mayChangeCategories } from '../access/rules';
import { requireRole } from '../auth/middleware';
import { flash } from '../http/flash';
import { forbidden, invalid } from '../lib/errors';
import { idParam, parseForm, requiredText, type FieldErrors } from '../http/validate';
import { CATEGORY_NAME_MAX, READ_ONLY_MESSAGE, type CategoryService } from './service';

const nameSchema = z.object({ name: requiredText('分类名称', CATEGORY_NAME_MAX) });
const moveSchema = z.object({ direction: z.enum(['up', 'down'], { message: '移动方向不正确' }) });
const activeSchema = z.object({ active: z.enum(['0', '1'], { message: '状态不正确' }) });

const idOf = (req: Request) => idParam('分类').catch(0).parse(req.params.id);

export function categoryRoutes({ categories: service }: { categories: CategoryService }): Router {
  const router = Router();
  const staff = requireRole('admin', 'staff');
  const canChange = (req: Request) => mayChangeCategories(req.user!, req.user!.reach.scopeKind);
  /** Every change goes through here after the role check (anonymous posts still get 401 from `staff`). */
  const editor = [staff, (req: Request, _res: Response, next: NextFunction) => {
    next(canChange(req) ? undefined : forbidden(READ_ONLY_MESSAGE));
  }];

  /** `form` is 'add' or the id of the row whose rename failed, so only that form shows the error. */
  async function renderList(req: Request, res: Response, status = 200, form: { key?: string; values?: Record<string, unknown>; errors?: FieldErrors } = {}) {
    res.status(status).render('categories/index', {
      title: '意见分类',
      categories: await service.list(),
      canChange: canChange(req),
      usage: await service.usageById(),
      form: form.key ?? null,
      values: form.values ?? {},
      errors: form.errors ?? {},
    });
  }

  router.get('/categories', staff, (req, res) => renderList(req, res));

  router.post('/categories', ...editor, async (req, res) => {
    const fail = (errors: FieldErrors) => renderList(req, res, 400, { key: 'add', values: req.body, errors });
    const parsed = parseForm(nameSchema, req.body);
    if (!parsed.ok) return await fail(parsed.errors);
    const result = await service.add(parsed.value.name);
    if (!result.ok) return await fail(result.errors);
    flash(res, `已添加分类「${parsed.value.name}」`);
    res.redirect(303, '/categories');
  });

  router.post('/categories/:id/rename', ...editor, async (req, res) => {
    const id = idOf(req);
    await service.get(id);
    const fail = (errors: FieldErrors) => renderList(req, res, 400, { key: String(id), values: req.body, errors });
    const parsed = parseForm(nameSchema, req.body);
    if (!parsed.ok) return await fail(parsed.errors);
    const result = await service.rename(id, parsed.value.name);
    if (!result.ok) return await fail(result.errors);
    flash(res, `已改名为「${result.value.name}」`);
    res.redirect(303, '/categories');
  });

  router.post('/categories/:id/move', ...editor, async (req, res) => {
    const parsed = parseForm(moveSchema, req.body);
    if (!parsed.ok) throw invalid(parsed.errors.direction);
    await service.move(idOf(req), parsed.value.direction);
    res.redirect(303, '/categories');
  });

  router.post('/categories/:id/active', ...editor, async (req, res) => {
    const parsed = parseForm(activeSchema, req.body);
    if (!parsed.ok) throw invalid(parsed.errors.active);
    const c = await service.setActive(idOf(req), parsed.value.active === '1');
    flash(res, c.active ? `已启用分类「${c.name}」` : `已停用分类「${c.name}」：新的征求意见活动不再提供它，已有意见保留原分类`);
    res.redirect(303, '/categories');
  });

  router.post('/categories/:id/delete', ...editor, async (req, res) => {
    const c = await service.remove(idOf(req));
    flash(res, `已删除分类「${c.name}」`);
    res.redirect(303, '/categories');
  });

  return router;
}
