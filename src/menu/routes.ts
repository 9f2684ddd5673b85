import { Router, type Request, type Response } from 'express';
import { z } from 'zod';
import { isStaff, menuCommunities, type Viewer } from '../access/rules';
import type { AuditRepo } from '../audit/repo';
import { describeAudit } from '../issues/audit-trail';
import { requireRole } from '../auth/middleware';
import type { Config } from '../config';
import { flash } from '../http/flash';
import { checkbox, idParam, optionalText, parseForm, type FieldErrors, pickedId } from '../http/validate';
import type { IssueRepo } from '../issues/repo';
import { publicTitle } from '../issues/title';
import { notFound } from '../lib/errors';
import type { PlaceRepo } from '../places/repo';
import { maskPhonesInText } from '../lib/personal-data';
import { photoMultipart } from '../submissions/photo-multipart';
import { PHOTO_MESSAGES, PHOTO_NAME_RE, removePhoto, sendPhoto, sniffPhotoFile, storePhotoFile } from '../submissions/upload';
import type { ServiceItem, ServiceItemRepo } from './repo';
import { CLAIM_STATUS_LABELS, claimError, isActiveClaim } from './rules';
import type { MenuService } from './service';

const itemSchema = z.object({
  communityId: pickedId('请选择社区'),
  title: publicTitle('服务事项名称', 100),
  description: z.preprocess((v) => v ?? '', optionalText('说明', 1000)).transform((v) => v ?? ''),
  allowMultipleClaimers: checkbox(),
});
const noteSchema = z.object({ text: z.preprocess((v) => v ?? '', optionalText('进展', 500)).transform((v) => v ?? '') });

const idOf = (req: Request) => idParam('编号').catch(0).parse(req.params.id);

export const CLAIMER_KIND_LABELS = { member: '在职党员', unit: '共建单位' } as const;

export interface MenuRouteDeps {
  config: Readonly<Pick<Config, 'uploadsDir' | 'uploadMaxBytes'>>;
  menu: MenuService;
  items: Pick<ServiceItemRepo, 'claims' | 'claimOf' | 'notes' | 'itemOfNotePhoto'>;
  issueRepo: Pick<IssueRepo, 'submissions'>;
  audit: Pick<AuditRepo, 'listFor'>;
  places: Pick<PlaceRepo, 'ofKind'>;
}

/** The service menu (/menu): staff publish and close items; claimers claim, report progress and mark done. */
export function menuRoutes({ config, menu, items, issueRepo: issues, audit, places }: MenuRouteDeps): Router {
  const router = Router();
  const staff = requireRole('admin', 'staff');
  const claimer = requireRole('claimer');
  const menuReaders = requireRole('admin', 'staff', 'claimer');
  const photosDir = config.uploadsDir;
  const noteForm = photoMultipart({ fileSize: config.uploadMaxBytes, files: 1, fields: 10, fieldSize: 8 * 1024, parts: 12 }, { photosDir });
  const upload = noteForm.withPhoto;

  /** Whether the claim button applies to this user and item (the same rule the POST enforces). */
  const claimable = async (user: Viewer, item: ServiceItem) => user.role === 'claimer' && claimError({
    user, item, claims: await items.claims(item.id), claimerCommunityIds: user.reach.serves, issueStatus: item.issueStatus,
  }) === null;

  router.get('/menu', menuReaders, async (req, res) => {
    const user = req.user!;
    const list = await menu.openMenu(user);
    res.render('menu/menu', {
      title: '服务菜单', items: await Promise.all(list.map(async (item) => ({ item, canClaim: await claimable(user, item), mine: await items.claimOf(item.id, user.id) }))),
      isStaff: isStaff(user), claimStatusLabels: CLAIM_STATUS_LABELS,
    });
  });

  router.get('/menu/mine', claimer, async (req, res) => {
    res.render('menu/mine', { title: '我的认领', rows: (await menu.myClaims(req.user!)), claimStatusLabels: CLAIM_STATUS_LABELS });
  });

  async function renderItem(req: Request, res: Response, item: ServiceItem, opts: { status?: number; errors?: FieldErrors; values?: Record<string, unknown> } = {}) {
    const user = req.user!;
    const claims = await items.claims(item.id);
    const mine = claims.find((c) => c.claimerUserId === user.id && isActiveClaim(c));
    // Claimers see where and what, never who: no names or phone numbers of residents on this page, not even
    // a number a resident typed into the text itself.
    const texts = item.issueId ? (await issues.submissions(item.issueId)).map((s) => ({
      text: maskPhonesInText(s.text), building: s.building, compoundName: s.compoundName,
    })) : [];
    res.status(opts.status ?? 200).render('menu/item', {
      title: item.title, item, claims, mine, texts, notes: (await items.notes(item.id)),
      canClaim: await claimable(user, item), isStaff: isStaff(user),
      trail: isStaff(user) && !item.issueId ? (await audit.listFor('service_item', item.id)).map((e) => ({ ...e, text: describeAudit(e) })) : [],
      claimStatusLabels: CLAIM_STATUS_LABELS, claimerKindLabels: CLAIMER_KIND_LABELS,
      errors: opts.errors ?? {}, values: opts.values ?? {},
    });
  }

  router.get('/menu/items/:id', menuReaders, async (req, res) => {
    await renderItem(req, res, (await menu.loadItem(req.user!, idOf(req))));
  });

  router.post('/menu/items/:id/claim', claimer, async (req, res) => {
    const item = await menu.loadItem(req.user!, idOf(req));
    await menu.claim(req.user!, item.id);
    flash(res, `已认领「${item.title}」。办理中请随时添加进展，办完后点“标记完成”。`);
    res.redirect(303, `/menu/items/${item.id}`);
  });

  // Multipart: the CSRF token comes in the query string (?_csrf=) because the body is parsed here, later.
  router.post('/menu/items/:id/notes', claimer, upload, async (req, res) => {
    const user = req.user!;
    const item = await menu.loadItem(user, idOf(req));
    const parsed = parseForm(noteSchema, req.body);
    if (!parsed.ok) return await renderItem(req, res, item, { status: 400, errors: parsed.errors, values: req.body ?? {} });
    let photo: string | null = null;
    if (req.file && req.file.size > 0) {
      const ext = await sniffPhotoFile(req.file.path);
      if (!ext) return await renderItem(req, res, item, { status: 400, errors: { photo: PHOTO_MESSAGES.badType }, values: req.body ?? {} });
      photo = await storePhotoFile(photosDir, req.file.path, ext);
    } else if (noteForm.photoLost(req)) {
      return await renderItem(req, res, item, { status: 400, errors: { photo: PHOTO_MESSAGES.notArrived }, values: req.body ?? {} });
    }
    if (!parsed.value.text && !photo) {
      return await renderItem(req, res, item, { status: 400, errors: { text: '请填写进展情况，或附一张照片。' }, values: req.body ?? {} });
    }
    try {
      await menu.addNote(user, item.id, parsed.value.text, photo);
    } catch (err) {
      if (photo) await removePhoto(photosDir, photo);
      throw err;
    }
    flash(res, '进展已保存。');
    res.redirect(303, `/menu/items/${item.id}`);
  });

  router.post('/menu/items/:id/done', claimer, async (req, res) => {
    const item = await menu.loadItem(req.user!, idOf(req));
    await menu.markDone(req.user!, item.id);
    flash(res, '已标记完成，社区工作人员确认后办结。谢谢您！');
    res.redirect(303, `/menu/items/${item.id}`);
  });

  router.post('/menu/items/:id/withdraw', claimer, async (req, res) => {
    const item = await menu.loadItem(req.user!, idOf(req));
    await menu.withdraw(req.user!, item.id);
    flash(res, `已退回「${item.title}」的认领。`);
    res.redirect(303, '/menu/mine');
  });

  // ---- staff ----

  async function communityOptions(user: Viewer) {
    const ids = menuCommunities(user);
    return (await places.ofKind('community')).filter((c) => ids === 'all' || ids.includes(c.id));
  }

  async function renderManage(req: Request, res: Response, opts: { status?: number; errors?: FieldErrors; values?: Record<string, unknown> } = {}) {
    const user = req.user!;
    res.status(opts.status ?? 200).render('menu/manage', {
      title: '服务菜单管理', items: (await menu.manageList(user)), communities: await communityOptions(user),
      errors: opts.errors ?? {}, values: opts.values ?? {},
    });
  }

  router.get('/menu/manage', staff, (req, res) => renderManage(req, res));

  router.post('/menu/items', staff, async (req, res) => {
    const parsed = parseForm(itemSchema, req.body);
    if (!parsed.ok) return await renderManage(req, res, { status: 400, errors: parsed.errors, values: req.body ?? {} });
    const { communityId, ...fields } = parsed.value;
    const id = await menu.createStanding(req.user!, communityId, fields);
    flash(res, `已把「${fields.title}」加入服务菜单（服务事项 #${id}）。`);
    res.redirect(303, '/menu/manage');
  });

  router.post('/menu/items/:id/close', staff, async (req, res) => {
    const item = await menu.loadItem(req.user!, idOf(req));
    await menu.close(req.user!, item.id);
    flash(res, `已关闭「${item.title}」，不再接受认领。`);
    res.redirect(303, req.body?.return === 'item' ? `/menu/items/${item.id}` : '/menu/manage');
  });

  // Progress photos: only files named by a claim note are served, to staff and claimers, never executed.
  router.get('/menu/photos/:name', menuReaders, async (req, res, next) => {
    const name = typeof req.params.name === 'string' ? req.params.name : '';
    const itemId = PHOTO_NAME_RE.test(name) ? (await items.itemOfNotePhoto(name)) : undefined;
    // The same 404 for a photo of an item the user may not see (another community's) as for no such photo.
    if (!itemId || !(await menu.mayView(req.user!, itemId))) throw notFound('照片');
    sendPhoto(res, next, photosDir, name);
  });

  return router;
}
