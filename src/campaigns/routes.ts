import { Router, type Request, type Response } from 'express';
import { z } from 'zod';
import type { Viewer } from '../access/rules';
import { requireRole } from '../auth/middleware';
import type { PlaceRepo } from '../places/repo';
import { flash } from '../http/flash';
import { invalid } from '../lib/errors';
import { checkbox, dateText, formText, idList, idParam, parseForm, requiredText, type FieldErrors, pickedId } from '../http/validate';
import { CAMPAIGN_STATUSES, CAMPAIGN_STATUS_LABELS } from './rules';
import { acceptanceNote, datesInOrder, nextStatuses, type CampaignService } from './service';

const DATE_RE = /^\d{4}-\d{2}-\d{2}$/;

/** The one campaign form, for creating and editing. */
export const campaignSchema = z.object({
  title: requiredText('标题', 100),
  description: z.preprocess((v) => v ?? '', formText('给居民的说明', 2000)),
  startsOn: dateText('开始日期'),
  endsOn: dateText('结束日期'),
  subdistrictId: z.preprocess((v) => (v === '' ? undefined : v), pickedId('请选择街道')),
  communityIds: idList('社区').refine((a) => a.length > 0, '请至少选择一个社区'),
  categoryIds: idList('分类').refine((a) => a.length > 0, '请至少选择一个居民可选的分类'),
  askPhoto: checkbox(),
  askContact: checkbox(),
  publicBoard: checkbox(),
}).refine((v) => !DATE_RE.test(v.startsOn) || !DATE_RE.test(v.endsOn) || datesInOrder(v.startsOn, v.endsOn), {
  path: ['endsOn'], message: '结束日期不能早于开始日期',
});

const statusSchema = z.object({ to: z.enum(CAMPAIGN_STATUSES, { message: '目标状态不正确' }) });

const idOf = (req: Request) => idParam('征求意见活动').catch(0).parse(req.params.id);

export function campaignRoutes({ campaigns: service, places }: { campaigns: CampaignService; places: Pick<PlaceRepo, 'ofKind' | 'findById'> }): Router {
  const router = Router();
  const staff = requireRole('admin', 'staff');

  function renderForm(res: Response, user: Viewer, opts: { campaignId?: number; values: Record<string, unknown>; errors?: FieldErrors; status?: number }) {
    res.status(opts.status ?? 200).render('campaigns/form', {
      title: opts.campaignId ? '编辑征求意见活动' : '新建征求意见活动',
      campaignId: opts.campaignId ?? null,
      subdistricts: service.subdistrictOptions(user),
      categories: service.categoryOptions(opts.campaignId),
      values: opts.values,
      errors: opts.errors ?? {},
    });
  }

  router.get('/campaigns', staff, (req, res) => {
    const names = new Map(places.ofKind('subdistrict').map((p) => [p.id, p.name]));
    res.render('campaigns/index', {
      title: '征求意见活动', campaigns: service.listFor(req.user!), subdistrictNames: names, statusLabels: CAMPAIGN_STATUS_LABELS,
    });
  });

  router.get('/campaigns/new', staff, (req, res) => {
    const user = req.user!;
    const subdistricts = service.subdistrictOptions(user);
    // Most offices run one sub-district: preselect it and all its communities; staff untick the exceptions.
    const only = subdistricts.length === 1 ? subdistricts[0] : undefined;
    renderForm(res, user, {
      values: {
        askPhoto: true, askContact: true, publicBoard: true,
        subdistrictId: only?.id, communityIds: only?.communities.map((c) => c.id) ?? [],
        categoryIds: service.categoryOptions().filter((c) => c.active).map((c) => c.id),
      },
    });
  });

  router.post('/campaigns', staff, (req, res) => {
    const user = req.user!;
    const fail = (errors: FieldErrors) => renderForm(res, user, { values: req.body, errors, status: 400 });
    const parsed = parseForm(campaignSchema, req.body);
    if (!parsed.ok) return fail(parsed.errors);
    const result = service.create(user, parsed.value);
    if (!result.ok) return fail(result.errors);
    flash(res, `已创建「${parsed.value.title}」（草稿）。下一步：生成二维码，然后点“开始征集”。`);
    res.redirect(303, `/campaigns/${result.value}`);
  });

  router.get('/campaigns/:id', staff, (req, res) => {
    const campaign = service.get(req.user!, idOf(req));
    const communityIds = service.communityIds(campaign.id);
    res.render('campaigns/show', {
      title: campaign.title,
      campaign,
      statusLabel: CAMPAIGN_STATUS_LABELS[campaign.status],
      acceptance: acceptanceNote(service.acceptance(campaign), campaign),
      subdistrict: campaign.subdistrictId ? places.findById(campaign.subdistrictId) : undefined,
      communities: communityIds.map((id) => places.findById(id)).filter((p) => p !== undefined),
      categories: service.categories(campaign.id),
      figures: service.figures(campaign.id),
      transitions: campaign.access === 'manage' ? nextStatuses(campaign.status) : [],
    });
  });

  router.get('/campaigns/:id/edit', staff, (req, res) => {
    const user = req.user!;
    const campaign = service.get(user, idOf(req), 'manage');
    renderForm(res, user, {
      campaignId: campaign.id,
      values: {
        ...campaign,
        communityIds: service.communityIds(campaign.id),
        categoryIds: service.categories(campaign.id).map((c) => c.id),
      },
    });
  });

  router.post('/campaigns/:id', staff, (req, res) => {
    const user = req.user!;
    const id = service.get(user, idOf(req), 'manage').id;
    const fail = (errors: FieldErrors) => renderForm(res, user, { campaignId: id, values: req.body, errors, status: 400 });
    const parsed = parseForm(campaignSchema, req.body);
    if (!parsed.ok) return fail(parsed.errors);
    const result = service.update(user, id, parsed.value);
    if (!result.ok) return fail(result.errors);
    flash(res, `已保存「${parsed.value.title}」`);
    res.redirect(303, `/campaigns/${id}`);
  });

  router.post('/campaigns/:id/status', staff, (req, res) => {
    const parsed = parseForm(statusSchema, req.body);
    if (!parsed.ok) throw invalid(parsed.errors.to);
    const campaign = service.changeStatus(req.user!, idOf(req), parsed.value.to);
    const messages = { draft: '已改为草稿', open: '已开始征集：居民现在可以扫码提交', closed: '已结束征集：居民不能再提交' };
    flash(res, `「${campaign.title}」${messages[campaign.status]}`);
    res.redirect(303, `/campaigns/${campaign.id}`);
  });

  return router;
}
