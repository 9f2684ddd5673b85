import { Router, type Request, type Response } from 'express';
import { z } from 'zod';
import { requireRole } from '../auth/middleware';
import { CAMPAIGN_STATUS_LABELS } from '../campaigns/rules';
import { flash } from '../http/flash';
import { notFound } from '../lib/errors';
import { idParam, optionalText, parseForm, queryId, requiredText, type FieldErrors } from '../http/validate';
import {
  BULK_LEVELS, BULK_LEVEL_LABELS, LABELS_PER_PAGE, LABEL_MAX, QR_SORTS, chunk, type QrService, type QrSort,
} from './service';

const createSchema = z.object({
  label: optionalText('标签', LABEL_MAX),
  // Strict decimal ids only ('0x10', '1e3' are refused); idParam('地点') says 地点格式不正确 as before.
  placeId: z.preprocess((v) => (v === '' || v === undefined ? null : v), idParam('地点').nullable()),
});
const bulkSchema = z.object({ level: z.enum(BULK_LEVELS, { message: '请选择按社区、网格还是楼院生成' }) });
const renameSchema = z.object({ label: requiredText('标签', LABEL_MAX) });

const SORT_LABELS: Record<QrSort, string> = {
  created: '生成顺序', label: '标签', scans: '扫码次数', submissions: '提交数', conversion: '转化率',
};

/** Route ids that are not positive integers are simply "not found", never a 500. */
const idOf = (value: unknown, what: string) => {
  const id = idParam(what).catch(0).parse(value);
  if (!id) throw notFound(what);
  return id;
};

/** A file name for downloads: the label without characters file systems dislike. */
const fileName = (label: string) => label.replace(/[\\/:*?"<>|\s]+/g, '_').slice(0, 60) || 'qr';

export function qrRoutes({ qr: service }: { qr: QrService }): Router {
  const router = Router();
  const staff = requireRole('admin', 'staff');

  const sortOf = (req: Request): QrSort => {
    const s = req.query.sort;
    return (QR_SORTS as readonly unknown[]).includes(s) ? (s as QrSort) : 'created';
  };

  const renderList = async (req: Request, res: Response, campaignId: number, status = 200,
    form: { errors?: FieldErrors; values?: Record<string, unknown>; renameId?: number } = {}) => {
    const sort = sortOf(req);
    const { campaign, codes, placeChoices, manage } = await service.list(req.user!, campaignId, sort);
    res.status(status).render('qr/list', {
      title: `二维码 · ${campaign.title}`, campaign, codes, placeChoices, manage, sort, sorts: QR_SORTS, sortLabels: SORT_LABELS,
      statusLabel: CAMPAIGN_STATUS_LABELS[campaign.status], bulkLevels: BULK_LEVELS, bulkLabels: BULK_LEVEL_LABELS,
      errors: form.errors ?? {}, values: form.values ?? {}, renameId: form.renameId ?? null,
    });
  };

  router.get('/campaigns/:id/qr', staff, async (req, res) => {
    await renderList(req, res, idOf(req.params.id, '征求意见活动'));
  });

  router.post('/campaigns/:id/qr', staff, async (req, res) => {
    const campaignId = idOf(req.params.id, '征求意见活动');
    const parsed = parseForm(createSchema, req.body);
    const result = parsed.ok ? (await service.create(req.user!, campaignId, parsed.value)) : parsed;
    if (!result.ok) return await renderList(req, res, campaignId, 400, { errors: result.errors, values: req.body });
    flash(res, '已生成二维码。');
    res.redirect(303, `/campaigns/${campaignId}/qr`);
  });

  router.post('/campaigns/:id/qr/bulk', staff, async (req, res) => {
    const campaignId = idOf(req.params.id, '征求意见活动');
    await service.bulkAccess(req.user!, campaignId); // refuse view-only staff before looking at the form
    const parsed = parseForm(bulkSchema, req.body);
    if (!parsed.ok) return await renderList(req, res, campaignId, 400, { errors: parsed.errors, values: req.body });
    const { created, skipped } = await service.bulk(req.user!, campaignId, parsed.value.level);
    flash(res, `已生成 ${created} 个二维码` + (skipped ? `；${skipped} 个地点已有二维码，没有重复生成。` : '。'));
    res.redirect(303, `/campaigns/${campaignId}/qr`);
  });

  router.post('/qr/:id/label', staff, async (req, res) => {
    const qrId = idOf(req.params.id, '二维码');
    const parsed = parseForm(renameSchema, req.body);
    if (!parsed.ok) {
      const { code } = await service.codeAccess(req.user!, qrId, 'change');
      return await renderList(req, res, code.campaignId, 400, { errors: { label: parsed.errors.label }, values: req.body, renameId: qrId });
    }
    const code = await service.rename(req.user!, qrId, parsed.value.label);
    flash(res, `已改名为“${code.label}”。`);
    res.redirect(303, `/campaigns/${code.campaignId}/qr`);
  });

  router.get('/qr/:id.svg', staff, async (req, res) => {
    const { code, svg } = await service.svgOf(req.user!, idOf(req.params.id, '二维码'));
    res.attachment(`${fileName(code.label)}.svg`);
    res.type('image/svg+xml').send(svg);
  });

  router.get('/qr/:id/poster', staff, async (req, res) => {
    const { campaign, poster, endDate, titleChunks } = await service.poster(req.user!, idOf(req.params.id, '二维码'));
    res.render('qr/poster', {
      title: `海报 · ${poster.code.label}`, campaign, posters: [poster], endDate, titleChunks, backUrl: `/campaigns/${campaign.id}/qr`,
      communities: [], communityId: null, sheetUrl: null,
    });
  });

  // ?community=<id> prints one community's posters (or labels) at a time.
  router.get('/campaigns/:id/posters', staff, async (req, res) => {
    const sheet = await service.sheet(req.user!, idOf(req.params.id, '征求意见活动'), queryId().parse(req.query.community) ?? null);
    const chosen = sheet.communities.find((c) => c.id === sheet.communityId);
    res.render('qr/poster', {
      ...sheet, title: `${chosen ? chosen.name : '全部'}海报 · ${sheet.campaign.title}`, backUrl: `/campaigns/${sheet.campaign.id}/qr`,
      sheetUrl: `/campaigns/${sheet.campaign.id}/posters`,
    });
  });

  router.get('/campaigns/:id/labels', staff, async (req, res) => {
    const sheet = await service.sheet(req.user!, idOf(req.params.id, '征求意见活动'), queryId().parse(req.query.community) ?? null);
    const { campaign, posters } = sheet;
    res.render('qr/labels', {
      title: `二维码小标签 · ${campaign.title}`, campaign, pages: chunk(posters, LABELS_PER_PAGE), count: posters.length,
      backUrl: `/campaigns/${campaign.id}/qr`, communities: sheet.communities, communityId: sheet.communityId,
      sheetUrl: `/campaigns/${campaign.id}/labels`,
    });
  });

  return router;
}
