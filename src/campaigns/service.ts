import { campaignAccess, reachesCommunity, type CampaignAccess, type Viewer } from '../access/rules';
import type { CategoryRepo } from '../categories/repo';
import type { Engine } from '../db/engine';
import { conflict, forbidden, notFound } from '../lib/errors';
import type { FieldErrors } from '../http/validate';
import type { Place, PlaceRepo } from '../places/repo';
import { createCampaignRepo, type Campaign, type CampaignFigures, type CampaignInput, type CampaignRepo, type CampaignSummary, type Category } from './repo';
import { CAMPAIGN_STATUS_LABELS, acceptanceOf, canTransition, chinaToday, type Acceptance, type CampaignStatus } from './rules';

type Result<T> = { ok: true; value: T } | { ok: false; errors: FieldErrors };

interface AccessDeps { campaigns: CampaignRepo; places: PlaceRepo }

/**
 * Loads a campaign for a request, or throws: 404 when the user may not see it (URL guessing learns nothing),
 * 403 when they may see but not change it. Other domains' campaign pages (QR codes, submissions…) use this.
 */
export async function findCampaignFor(deps: Pick<AccessDeps, 'campaigns'>, user: Viewer, id: number, need: 'view' | 'manage' = 'view'):
  Promise<Campaign & { access: CampaignAccess }> {
  const campaign = Number.isSafeInteger(id) && id > 0 ? await deps.campaigns.findById(id) : undefined;
  if (!campaign) throw notFound('征求意见活动');
  const access = campaignAccess(user, campaign, await deps.campaigns.communityIds(id));
  if (access === 'none') throw notFound('征求意见活动');
  if (need === 'manage' && access !== 'manage') throw forbidden();
  return { ...campaign, access };
}

/** What residents see when they scan, in words for staff on the campaign's page. */
export function acceptanceNote(a: Acceptance, c: Pick<Campaign, 'startsOn' | 'endsOn'>): string {
  switch (a) {
    case 'open': return '居民现在可以扫码提交意见。';
    case 'draft': return '草稿：居民扫码会看到“尚未开始”，暂不能提交。确认内容后请点“开始征集”。';
    case 'not_started': return `已开启，但还没到开始日期（${c.startsOn}），居民暂时不能提交。`;
    case 'ended': return `已过结束日期（${c.endsOn}），居民不能再提交；如需延长，请修改结束日期。`;
    case 'closed': return '已结束：居民扫码会看到“活动已结束”，不能再提交。';
  }
}

export const TRANSITION_LABELS: Record<string, string> = {
  'draft>open': '开始征集', 'open>closed': '结束征集', 'closed>open': '重新开启',
};

/** The status buttons to offer: every allowed move from the current status. */
export function nextStatuses(from: CampaignStatus): Array<{ to: CampaignStatus; label: string }> {
  return (['draft', 'open', 'closed'] as const).filter((to) => canTransition(from, to))
    .map((to) => ({ to, label: TRANSITION_LABELS[`${from}>${to}`] ?? CAMPAIGN_STATUS_LABELS[to] }));
}

/** Checks the form's raw values that zod cannot know about: dates in order. */
export function datesInOrder(startsOn: string, endsOn: string): boolean {
  return endsOn >= startsOn;
}

export interface SubdistrictOption { id: number; name: string; communities: Array<{ id: number; name: string }> }

export function createCampaignService(deps: AccessDeps & {
  engine: Pick<Engine, 'unitOfWork'>; categories: CategoryRepo; pendingScans?: (qrCodeId: number) => number;
}) {
  const { campaigns, places, categories } = deps;

  /** Sub-districts the user may run campaigns in, each with the communities they may pick. */
  async function subdistrictOptions(user: Viewer): Promise<SubdistrictOption[]> {
    const reach = user.reach;
    const allowed = reach.communityIds === 'all' ? null : new Set(reach.communityIds);
    const options: SubdistrictOption[] = [];
    for (const s of await places.ofKind('subdistrict')) {
      options.push({
        id: s.id,
        name: s.name,
        communities: (await places.children(s.id)).filter((c) => c.kind === 'community' && (!allowed || allowed.has(c.id)))
          .sort((a, b) => a.id - b.id).map((c) => ({ id: c.id, name: c.name })),
      });
    }
    return options.filter((s) => !allowed || s.communities.length > 0 || s.id === user.scopePlaceId);
  }

  /** Active categories, plus inactive ones the campaign already offers (so editing does not drop them unseen). */
  async function categoryOptions(campaignId?: number): Promise<Category[]> {
    const linked = campaignId ? await campaigns.categories(campaignId) : [];
    const active = await categories.listActive();
    return [...active, ...linked.filter((c) => !c.active)];
  }

  async function check(user: Viewer, input: CampaignInput, campaignId?: number): Promise<FieldErrors> {
    const errors: FieldErrors = {};
    const options = await subdistrictOptions(user);
    const sub = options.find((s) => s.id === input.subdistrictId);
    if (!sub) errors.subdistrictId = '请选择您负责的街道';
    const bad = input.communityIds.filter((id) => !sub?.communities.some((c) => c.id === id));
    if (sub && bad.length) {
      const names = (await Promise.all(bad.map(async (id) => (await places.findById(id))?.name ?? `#${id}`))).join('、');
      errors.communityIds = `这些社区不属于「${sub.name}」或不在您的负责范围内：${names}`;
    }
    const offered = new Map((await categoryOptions(campaignId)).map((c) => [c.id, c]));
    const unknown = input.categoryIds.filter((id) => !offered.has(id));
    if (unknown.length) errors.categoryIds = '所选分类不存在或已停用，请刷新页面后重新选择';
    if (!datesInOrder(input.startsOn, input.endsOn)) errors.endsOn = '结束日期不能早于开始日期';
    return errors;
  }

  return {
    subdistrictOptions,
    categoryOptions,

    /** The campaigns a user may see, newest first. */
    async listFor(user: Viewer): Promise<Array<CampaignSummary & { access: CampaignAccess }>> {
      return (await campaigns.listSummaries())
        .map((c) => ({ ...c, access: campaignAccess(user, c, c.communityIds) }))
        .filter((c) => c.access !== 'none');
    },

    /**
     * The campaign for a request, or a domain error: not found when the user may not see it (URL guessing learns
     * nothing), not allowed when they may see but not change it. Every campaign page of every domain asks here.
     */
    get: (user: Viewer, id: number, need: 'view' | 'manage' = 'view') => findCampaignFor(deps, user, id, need),
    /** Campaigns the user may see at all, newest first (without the per-campaign counts of listFor). */
    async visibleTo(user: Viewer): Promise<Campaign[]> {
      const visible: Campaign[] = [];
      for (const c of await campaigns.list()) if (campaignAccess(user, c, await campaigns.communityIds(c.id)) !== 'none') visible.push(c);
      return visible;
    },
    findById: (id: number) => campaigns.findById(id),
    communityIds: (id: number) => campaigns.communityIds(id),
    communityContacts: (id: number) => campaigns.communityContacts(id),
    /** The communities a campaign covers that the user reaches, with their names, for filters. */
    async communitiesFor(user: Viewer, id: number): Promise<Place[]> {
      const found: Place[] = [];
      for (const c of (await campaigns.communityIds(id)).filter((c) => reachesCommunity(user.reach, c))) {
        const p = await places.findById(c);
        if (p) found.push(p);
      }
      return found;
    },
    categories: (id: number) => campaigns.categories(id),

    async create(user: Viewer, input: CampaignInput): Promise<Result<number>> {
      const errors = await check(user, input);
      if (Object.keys(errors).length) return { ok: false, errors };
      return { ok: true, value: await deps.engine.unitOfWork((tx) => createCampaignRepo(tx).create(input, user.id)) };
    },

    async update(user: Viewer, id: number, input: CampaignInput): Promise<Result<Campaign>> {
      const campaign = await findCampaignFor(deps, user, id, 'manage');
      const errors = await check(user, input, id);
      if (Object.keys(errors).length) return { ok: false, errors };
      await deps.engine.unitOfWork((tx) => createCampaignRepo(tx).update(id, input));
      return { ok: true, value: { ...campaign, ...input } };
    },

    /** Moves a campaign along draft → open → closed (→ open again); anything else is refused in Chinese. */
    async changeStatus(user: Viewer, id: number, to: CampaignStatus): Promise<Campaign> {
      const campaign = await findCampaignFor(deps, user, id, 'manage');
      if (campaign.status === to) return campaign; // a double-clicked button changes nothing twice
      if (!canTransition(campaign.status, to)) {
        throw conflict(`活动当前是「${CAMPAIGN_STATUS_LABELS[campaign.status]}」，不能直接改为「${CAMPAIGN_STATUS_LABELS[to]}」。`);
      }
      await campaigns.setStatus(id, to);
      return { ...campaign, status: to };
    },

    /** QR codes, scans (including ones still buffered in memory) and submissions online/offline. */
    async figures(id: number): Promise<CampaignFigures> {
      const f = await campaigns.figures(id);
      const pending = deps.pendingScans ? (await campaigns.qrCodeIds(id)).reduce((n, q) => n + deps.pendingScans!(q), 0) : 0;
      return { ...f, scans: f.scans + pending };
    },

    acceptance: (c: Campaign, today = chinaToday()) => acceptanceOf(c, today),
  };
}
export type CampaignService = ReturnType<typeof createCampaignService>;
