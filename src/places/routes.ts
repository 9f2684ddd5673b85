import { Router, type Request, type Response } from 'express';
import { z } from 'zod';
import { requireRole } from '../auth/middleware';
import { flash } from '../http/flash';
import { checkbox, formText, idParam, parseForm, requiredText, type FieldErrors } from '../http/validate';
import { PLACE_KINDS, PLACE_KIND_LABELS, type Place } from './repo';
import { BULK_MAX_LINES, PLACE_NAME_MAX, childKindsOf, usageReasons, type PlaceService } from './service';

const nameField = () => requiredText('名称', PLACE_NAME_MAX).pipe(z.string().regex(/^[^\r\n]+$/, '名称不能换行'));

const addSchema = z.object({
  parentId: z.preprocess((v) => (v === '' || v === undefined ? null : v), idParam('上级地点').nullable()),
  kind: z.enum(PLACE_KINDS, { message: '请选择地点类型' }),
  name: nameField(),
  noPropertyCompany: checkbox(),
});
const renameSchema = z.object({ name: nameField() });
const flagSchema = z.object({ noPropertyCompany: checkbox() });
const bulkSchema = z.object({
  kind: z.enum(['grid', 'compound'], { message: '请选择网格或楼院/小区' }),
  names: formText('名称列表', BULK_MAX_LINES * (PLACE_NAME_MAX + 2)),
});

const idOf = (req: Request) => idParam('地点').catch(0).parse(req.params.id);

export function placeRoutes({ places: service }: { places: PlaceService }): Router {
  const router = Router();
  const staff = requireRole('admin', 'staff');
  const kinds = PLACE_KINDS.map((k) => ({ value: k, label: PLACE_KIND_LABELS[k] }));

  /** The detail page is also where its forms re-render with errors (form says which one failed). */
  async function renderPlace(req: Request, res: Response, place: Place, status = 200, form: { name?: string; values?: Record<string, unknown>; errors?: FieldErrors } = {}) {
    const user = req.user!;
    const usage = await service.usage(place);
    res.status(status).render('places/show', {
      title: place.name,
      place,
      kindLabels: PLACE_KIND_LABELS,
      // Staff may open only places inside their scope: the ancestors above it are named, not linked (403 there).
      ancestors: await Promise.all((await service.ancestors(place)).map(async (a) => ({ ...a, linked: await service.mayView(user, a) }))),
      children: await service.children(place),
      reasons: usageReasons(usage),
      editable: await service.mayEdit(user, place),
      childKinds: await service.mayAddUnder(user, place) ? childKindsOf(place.kind) : [],
      form: form.name ?? null,
      values: form.values ?? {},
      errors: form.errors ?? {},
    });
  }

  router.get('/places', staff, async (req, res) => {
    const user = req.user!;
    res.render('places/index', {
      title: '地点管理',
      tree: await service.tree(user),
      kindLabels: PLACE_KIND_LABELS,
      kinds,
      canAddTop: service.rootOf(user) === null,
      topKinds: childKindsOf(null),
      values: {},
      errors: {},
    });
  });

  router.post('/places', staff, async (req, res) => {
    const user = req.user!;
    const fail = async (errors: FieldErrors) => {
      // Adding under a place happens on its page; adding a district happens on the tree page.
      const parentId = idParam('上级地点').catch(0).parse(req.body?.parentId);
      if (parentId) return await renderPlace(req, res, await service.get(user, parentId), 400, { name: 'add', values: req.body, errors });
      res.status(400).render('places/index', {
        title: '地点管理', tree: await service.tree(user), kindLabels: PLACE_KIND_LABELS, kinds,
        canAddTop: service.rootOf(user) === null, topKinds: childKindsOf(null), values: req.body, errors,
      });
    };
    const parsed = parseForm(addSchema, req.body);
    if (!parsed.ok) return await fail(parsed.errors);
    const v = parsed.value;
    const result = await service.addChild(user, v);
    if (!result.ok) return await fail(result.errors);
    flash(res, `已添加${PLACE_KIND_LABELS[v.kind]}「${v.name}」`);
    res.redirect(303, v.parentId ? `/places/${v.parentId}` : '/places');
  });

  router.get('/places/:id', staff, async (req, res) => {
    await renderPlace(req, res, await service.get(req.user!, idOf(req)));
  });

  router.post('/places/:id/rename', staff, async (req, res) => {
    const user = req.user!;
    const id = idOf(req);
    const fail = async (errors: FieldErrors) => renderPlace(req, res, await service.get(user, id), 400, { name: 'rename', values: req.body, errors });
    const parsed = parseForm(renameSchema, req.body);
    if (!parsed.ok) return await fail(parsed.errors);
    const result = await service.rename(user, id, parsed.value.name);
    if (!result.ok) return await fail(result.errors);
    flash(res, `已改名为「${result.value.name}」`);
    res.redirect(303, `/places/${id}`);
  });

  router.post('/places/:id/flag', staff, async (req, res) => {
    const parsed = parseForm(flagSchema, req.body);
    const noPropertyCompany = parsed.ok && parsed.value.noPropertyCompany;
    const place = await service.setNoPropertyCompany(req.user!, idOf(req), noPropertyCompany);
    flash(res, noPropertyCompany ? `已标记「${place.name}」为无主管楼院` : `已取消「${place.name}」的无主管楼院标记`);
    res.redirect(303, `/places/${place.id}`);
  });

  router.post('/places/:id/delete', staff, async (req, res) => {
    const place = await service.remove(req.user!, idOf(req));
    flash(res, `已删除「${place.name}」`);
    res.redirect(303, place.parentId ? `/places/${place.parentId}` : '/places');
  });

  router.post('/places/:id/bulk', staff, async (req, res) => {
    const user = req.user!;
    const id = idOf(req);
    const fail = async (errors: FieldErrors) => renderPlace(req, res, await service.get(user, id), 400, { name: 'bulk', values: req.body, errors });
    const parsed = parseForm(bulkSchema, req.body);
    if (!parsed.ok) return await fail(parsed.errors);
    const result = await service.bulkAdd(user, id, parsed.value.kind, parsed.value.names);
    if (!result.ok) return await fail(result.errors);
    const { added, skipped } = result.value;
    const label = PLACE_KIND_LABELS[parsed.value.kind];
    flash(res, `已添加 ${added.length} 个${label}` + (skipped.length ? `；${skipped.length} 个已存在，已跳过：${skipped.join('、')}` : ''));
    res.redirect(303, `/places/${id}`);
  });

  return router;
}
