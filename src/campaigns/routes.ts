import { Router, type Request, type Response } from 'express';
import { z } from 'zod';
import type { Viewer } from '../access/rules';
import { requireRole } from '../auth/middleware';
import type { PlaceRepo } from '../places/repo';
import { flash } from '../http/flash';
import { invalid } from '../lib/errors';
import { checkbox, dateText, formText, idList, idParam, parseForm, requiredText, type FieldErrors, pickedId } from '../http/validate';
import type { CommunityContact } from './repo';
import {
  CAMPAIGN_STATUSES, CAMPAIGN_STATUS_LABELS, CONTACT_PHONE_MESSAGE, ORGANIZER_NAME_MAX, ORGANIZER_PHONE_MAX, isContactPhone,
} from './rules';
import { acceptanceNote, datesInOrder, nextStatuses, type CampaignService } from './service';

const DATE_RE = /^\d{4}-\d{2}-\d{2}$/;

/** Optional on the form, but what is written must be a phone number; blank stays ''. */
const contactPhone = (label: string) => z.preprocess((v) => v ?? '', formText(label, ORGANIZER_PHONE_MAX))
  .refine((s) => s === '' || isContactPhone(s), CONTACT_PHONE_MESSAGE);
const contactName = (label: string) => z.preprocess((v) => v ?? '', formText(label, ORGANIZER_NAME_MAX));

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
  organizerName: contactName('主办单位'),
  organizerPhone: contactPhone('联系电话'),
  publicBoard: checkbox(),
}).refine((v) => !DATE_RE.test(v.startsOn) || !DATE_RE.test(v.endsOn) || datesInOrder(v.startsOn, v.endsOn), {
  path: ['endsOn'], message: '结束日期不能早于开始日期',
});

/** One covered community's own contact: fields contactName_<id> and contactPhone_<id> of the campaign form. */
const communityContactSchema = z.object({ name: contactName('社区联系人'), phone: contactPhone('社区联系电话') });

/** The community contacts of the campaign form, for the communities it covers; errors keyed by their fields. */
export function parseCommunityContacts(body: Record<string, unknown>, communityIds: number[]):
  { ok: true; value: CommunityContact[] } | { ok: false; errors: FieldErrors } {
  const value: CommunityContact[] = [];
  const errors: FieldErrors = {};
  for (const id of communityIds) {
    const parsed = parseForm(communityContactSchema, { name: body[`contactName_${id}`], phone: body[`contactPhone_${id}`] });
    if (!parsed.ok) {
      for (const [field, message] of Object.entries(parsed.errors)) errors[`contact${field === 'name' ? 'Name' : 'Phone'}_${id}`] = message;
    } else if (parsed.value.name || parsed.value.phone) {
      value.push({ communityId: id, ...parsed.value });
    }
  }
  return Object.keys(errors).length ? { ok: false, errors } : { ok: true, value };
}

/** The campaign form with its community contacts: one set of errors by field, or the input for the service. */
function parseCampaignForm(body: unknown) {
  const b = (body ?? {}) as Record<string, unknown>;
  const parsed = parseForm(campaignSchema, b);
  const contacts = parseCommunityContacts(b, parsed.ok ? parsed.value.communityIds : idList('社区').catch([]).parse(b.communityIds));
  if (!parsed.ok || !contacts.ok) {
    return { ok: false as const, errors: { ...(parsed.ok ? {} : parsed.errors), ...(contacts.ok ? {} : contacts.errors) } };
  }
  return { ok: true as const, value: { ...parsed.value, communityContacts: contacts.value } };
}

const statusSchema = z.object({ to: z.enum(CAMPAIGN_STATUSES, { message: '目标状态不正确' }) });

const idOf = (req: Request) => idParam('征求意见活动').catch(0).parse(req.params.id);

export function campaignRoutes({ campaigns: service, places }: { campaigns: CampaignService; places: Pick<PlaceRepo, 'ofKind' | 'findById'> }): Router {
  const router = Router();
  const staff = requireRole('admin', 'staff');

  async function renderForm(res: Response, user: Viewer, opts: { campaignId?: number; values: Record<string, unknown>; errors?: FieldErrors; status?: number }) {
    res.status(opts.status ?? 200).render('campaigns/form', {
      title: opts.campaignId ? '编辑征求意见活动' : '新建征求意见活动',
      campaignId: opts.campaignId ?? null,
      subdistricts: (await service.subdistrictOptions(user)),
      categories: await service.categoryOptions(opts.campaignId),
      values: opts.values,
      errors: opts.errors ?? {},
    });
  }

  router.get('/campaigns', staff, async (req, res) => {
    const names = new Map((await places.ofKind('subdistrict')).map((p) => [p.id, p.name]));
    res.render('campaigns/index', {
      title: '征求意见活动', campaigns: await service.listFor(req.user!), subdistrictNames: names, statusLabels: CAMPAIGN_STATUS_LABELS,
    });
  });

  router.get('/campaigns/new', staff, async (req, res) => {
    const user = req.user!;
    const subdistricts = await service.subdistrictOptions(user);
    // Most offices run one sub-district: preselect it and all its communities; staff untick the exceptions.
    const only = subdistricts.length === 1 ? subdistricts[0] : undefined;
    await renderForm(res, user, {
      values: {
        askPhoto: true, askContact: true, publicBoard: true,
        subdistrictId: only?.id, communityIds: only?.communities.map((c) => c.id) ?? [],
        categoryIds: (await service.categoryOptions()).filter((c) => c.active).map((c) => c.id),
      },
    });
  });

  router.post('/campaigns', staff, async (req, res) => {
    const user = req.user!;
    const fail = (errors: FieldErrors) => renderForm(res, user, { values: req.body, errors, status: 400 });
    const parsed = parseCampaignForm(req.body);
    if (!parsed.ok) return await fail(parsed.errors);
    const result = await service.create(user, parsed.value);
    if (!result.ok) return await fail(result.errors);
    flash(res, `已创建「${parsed.value.title}」（草稿）。下一步：生成二维码，然后点“开始征集”。`);
    res.redirect(303, `/campaigns/${result.value}`);
  });

  router.get('/campaigns/:id', staff, async (req, res) => {
    const campaign = await service.get(req.user!, idOf(req));
    const communityIds = await service.communityIds(campaign.id);
    res.render('campaigns/show', {
      title: campaign.title,
      campaign,
      statusLabel: CAMPAIGN_STATUS_LABELS[campaign.status],
      acceptance: acceptanceNote(service.acceptance(campaign), campaign),
      subdistrict: campaign.subdistrictId ? (await places.findById(campaign.subdistrictId)) : undefined,
      communities: (await Promise.all(communityIds.map((id) => places.findById(id)))).filter((p) => p !== undefined),
      categories: await service.categories(campaign.id),
      figures: await service.figures(campaign.id),
      transitions: campaign.access === 'manage' ? nextStatuses(campaign.status) : [],
    });
  });

  router.get('/campaigns/:id/edit', staff, async (req, res) => {
    const user = req.user!;
    const campaign = await service.get(user, idOf(req), 'manage');
    await renderForm(res, user, {
      campaignId: campaign.id,
      values: {
        ...campaign,
        communityIds: await service.communityIds(campaign.id),
        categoryIds: (await service.categories(campaign.id)).map((c) => c.id),
        ...Object.fromEntries((await service.communityContacts(campaign.id))
          .flatMap((c) => [[`contactName_${c.communityId}`, c.name], [`contactPhone_${c.communityId}`, c.phone]])),
      },
    });
  });

  router.post('/campaigns/:id', staff, async (req, res) => {
    const user = req.user!;
    const id = (await service.get(user, idOf(req), 'manage')).id;
    const fail = (errors: FieldErrors) => renderForm(res, user, { campaignId: id, values: req.body, errors, status: 400 });
    const parsed = parseCampaignForm(req.body);
    if (!parsed.ok) return await fail(parsed.errors);
    const result = await service.update(user, id, parsed.value);
    if (!result.ok) return await fail(result.errors);
    flash(res, `已保存「${parsed.value.title}」`);
    res.redirect(303, `/campaigns/${id}`);
  });

  router.post('/campaigns/:id/status', staff, async (req, res) => {
    const parsed = parseForm(statusSchema, req.body);
    if (!parsed.ok) throw invalid(parsed.errors.to);
    const campaign = await service.changeStatus(req.user!, idOf(req), parsed.value.to);
    const messages = { draft: '已改为草稿', open: '已开始征集：居民现在可以扫码提交', closed: '已结束征集：居民不能再提交' };
    flash(res, `「${campaign.title}」${messages[campaign.status]}`);
    res.redirect(303, `/campaigns/${campaign.id}`);
  });

  return router;
}
