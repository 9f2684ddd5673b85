import type { Config } from '../config';
import { campaignAccess, reachesCommunity, type Reach, type Viewer } from '../access/rules';
import type { Campaign, CampaignRepo, Organizer } from '../campaigns/repo';
import type { Engine } from '../db/engine';
import { NotFoundError, forbidden, notFound } from '../lib/errors';
import type { Place, PlaceRepo } from '../places/repo';
import { createQrRepo, type QrCode, type QrRepo } from './repo';
import type { ScanCounter } from './scan-counter';
import type { QrSvgCache } from './svg';
import { newQrToken, qrUrl } from './token';
import { titleChunks } from './title-lines';

export const LABEL_MAX = 80;
export const LABELS_PER_PAGE = 12;

export const BULK_LEVELS = ['community', 'grid', 'compound'] as const;
export type BulkLevel = (typeof BULK_LEVELS)[number];
export const BULK_LEVEL_LABELS: Record<BulkLevel, string> = {
  community: '每个社区一个', grid: '每个网格一个', compound: '每个楼院/小区一个',
};

export const QR_MESSAGES = {
  wideCreate: '不指定地点的二维码是整个活动通用的，只有能管理这个征求意见活动的工作人员才能生成。请选择您负责的社区、网格或楼院。',
  wideRename: '这是整个活动通用的二维码，只有能管理这个征求意见活动的工作人员才能改名。',
  bulk: '批量生成会为活动覆盖的所有地点生成二维码，只有能管理这个征求意见活动的工作人员才能操作。请在上面为您负责的地点逐个生成。',
};

export const QR_SORTS = ['created', 'label', 'scans', 'submissions', 'conversion'] as const;
export type QrSort = (typeof QR_SORTS)[number];

/** One row of the staff list: what a poster brought in. */
export interface QrStats extends QrCode {
  url: string;
  placeName: string | null;
  scans: number;
  submissions: number;
  /** Submissions per scan (0..1), null before the first scan. */
  conversion: number | null;
  /** Whether this user may rename it (a campaign-wide code only with manage access to the campaign). */
  changeable?: boolean;
}

/** One poster: the code, its URL and SVG, its community (null: campaign-wide) and whom residents can call. */
export interface PrintableCode { code: QrCode; url: string; svg: string; communityId: number | null; organizer: Organizer }

/** A community choice on the poster sheet: print one community's posters at a time. */
export interface SheetCommunity { id: number; name: string; count: number }

/** Orders the list so staff see the posters that work best first; ties keep creation order. */
export function sortCodes(codes: QrStats[], sort: QrSort): QrStats[] {
  const out = [...codes];
  const byNumber = (f: (c: QrStats) => number | null) => (a: QrStats, b: QrStats) =>
    (f(b) ?? -1) - (f(a) ?? -1) || a.id - b.id;
  switch (sort) {
    case 'label': return out.sort((a, b) => a.label.localeCompare(b.label, 'zh-CN') || a.id - b.id);
    case 'scans': return out.sort(byNumber((c) => c.scans));
    case 'submissions': return out.sort(byNumber((c) => c.submissions));
    case 'conversion': return out.sort(byNumber((c) => c.conversion));
    default: return out.sort((a, b) => a.id - b.id);
  }
}

export function conversionOf(scans: number, submissions: number): number | null {
  return scans > 0 ? submissions / scans : null;
}

/** A place's label as printed on posters: "永安社区", "永安社区 第三网格", "永安社区 永安里小区". */
export function placeLabel(place: Place, community: Place | undefined): string {
  const label = place.kind === 'community' || !community ? place.name : `${community.name} ${place.name}`;
  return label.slice(0, LABEL_MAX);
}

/** "2026-11-30" → "2026年11月30日", how dates are written on a notice board. */
export function chineseDate(isoDate: string): string {
  const m = /^(\d{4})-(\d{2})-(\d{2})/.exec(isoDate);
  return m ? `${m[1]}年${Number(m[2])}月${Number(m[3])}日` : isoDate;
}

export function chunk<T>(items: T[], size: number): T[][] {
  const pages: T[][] = [];
  for (let i = 0; i < items.length; i += size) pages.push(items.slice(i, i + size));
  return pages;
}

interface Deps {
  engine: Pick<Engine, 'unitOfWork'>;
  qrCodes: QrRepo;
  campaigns: CampaignRepo;
  places: PlaceRepo;
  scanCounter: ScanCounter;
  svgCache: QrSvgCache;
  config: Readonly<Pick<Config, 'baseUrl'>>;
}

/**
 * QR codes of a campaign. Staff reach a campaign when they may see it (campaignAccess); a code tied to a place
 * in another community stays hidden from them, a campaign-wide code (no place) does not. Changing follows the
 * same split: a code at a place is created or renamed by staff whose scope covers the place; a campaign-wide
 * code, and bulk creation over every covered place, need manage access to the campaign, like editing it.
 * What a user may not see answers 404 like a missing record; what they see but may not change answers 403.
 */
export function createQrService(deps: Deps) {
  const { qrCodes, campaigns, places } = deps;
  const urlOf = (token: string) => qrUrl(deps.config.baseUrl, token);

  const communityOf = async (placeId: number | null): Promise<number | null> => {
    if (placeId === null) return null;
    const p = await places.findById(placeId);
    if (!p) return null;
    return p.kind === 'community' ? p.id : p.kind === 'grid' || p.kind === 'compound' ? p.parentId : null;
  };

  type Access = { campaign: Campaign; scope: Reach; communityIds: number[]; manage: boolean };

  /** The campaign as this user reaches it, or null when it does not exist or they may not see it. */
  async function accessOrNull(user: Viewer, campaignId: number): Promise<Access | null> {
    const campaign = await campaigns.findById(campaignId);
    if (!campaign) return null;
    const scope = user.reach;
    const covered = await campaigns.communityIds(campaign.id);
    const level = campaignAccess(user, campaign, covered);
    if (level === 'none') return null;
    const communityIds = covered.filter((c) => reachesCommunity(scope, c));
    return { campaign, scope, communityIds, manage: level === 'manage' };
  }

  /**
   * The campaign, the covered communities this user may work on, and whether they may manage the campaign
   * (every covered community in their scope); 404 both when it does not exist and when they may not see it,
   * like the campaign's own page, so campaign ids cannot be probed.
   */
  async function access(user: Viewer, campaignId: number): Promise<Access> {
    const a = await accessOrNull(user, campaignId);
    if (!a) throw notFound('征求意见活动');
    return a;
  }

  const codeVisible = async (scope: Reach, code: QrCode): Promise<boolean> =>
    code.placeId === null || scope.communityIds === 'all' || reachesCommunity(scope, await communityOf(code.placeId));

  /** Whether a visible code may be changed: a campaign-wide one only by those who manage the campaign. */
  const codeChangeable = async (a: { scope: Reach; manage: boolean }, code: QrCode): Promise<boolean> =>
    code.placeId === null ? a.manage : codeVisible(a.scope, code);

  /**
   * One code for viewing (poster, SVG) or changing (rename). A code the user may not see (missing, in a campaign
   * they cannot see, or at another community's place) is 404 and named as a code either way, so nothing about
   * it leaks; a visible campaign-wide code without manage access is 403 for changing.
   */
  async function codeAccess(user: Viewer, qrId: number, need: 'view' | 'change' = 'view'): Promise<{ campaign: Campaign; code: QrCode }> {
    const code = await qrCodes.findById(qrId);
    const a = code ? await accessOrNull(user, code.campaignId) : null;
    if (!code || !a || !(await codeVisible(a.scope, code))) throw notFound('二维码');
    if (need === 'change' && !(await codeChangeable(a, code))) throw forbidden(QR_MESSAGES.wideRename);
    return { campaign: a.campaign, code };
  }

  /** Places a new code may be tied to: the covered communities in scope, their grids and compounds. */
  async function placeChoices(communityIds: number[]): Promise<Array<{ id: number; label: string; kind: Place['kind'] }>> {
    const out: Array<{ id: number; label: string; kind: Place['kind'] }> = [];
    for (const cid of communityIds) {
      const community = await places.findById(cid);
      if (!community) continue;
      out.push({ id: community.id, label: community.name, kind: 'community' });
      for (const child of (await places.children(cid))) {
        if (child.kind === 'grid' || child.kind === 'compound') out.push({ id: child.id, label: placeLabel(child, community), kind: child.kind });
      }
    }
    return out;
  }

  /** Bulk creation works on every covered place, so it needs manage access: 404 when not visible, 403 when only viewed. */
  async function bulkAccess(user: Viewer, campaignId: number): Promise<Access> {
    const a = await access(user, campaignId);
    if (!a.manage) throw forbidden(QR_MESSAGES.bulk);
    return a;
  }

  async function visibleCodes(user: Viewer, campaignId: number) {
    const a = await access(user, campaignId);
    const codes: QrCode[] = [];
    for (const c of await qrCodes.listByCampaign(campaignId)) if (await codeVisible(a.scope, c)) codes.push(c);
    return { ...a, codes };
  }

  async function printable(campaign: Campaign, codes: QrCode[]): Promise<PrintableCode[]> {
    // Sequential on purpose: QR encoding is CPU work, and the cache makes repeats free anyway.
    const out: PrintableCode[] = [];
    const organizers = new Map<number | null, Organizer>();
    for (const code of codes) {
      const url = urlOf(code.token);
      const communityId = await communityOf(code.placeId);
      if (!organizers.has(communityId)) organizers.set(communityId, await campaigns.organizerFor(campaign, communityId));
      out.push({ code, url, svg: await deps.svgCache.svgFor(url), communityId, organizer: organizers.get(communityId)! });
    }
    return out;
  }

  /** The communities the visible codes hang in, with how many codes each, in name order. */
  async function sheetCommunities(codes: QrCode[]): Promise<SheetCommunity[]> {
    const counts = new Map<number, number>();
    for (const c of codes) {
      const id = await communityOf(c.placeId);
      if (id !== null) counts.set(id, (counts.get(id) ?? 0) + 1);
    }
    const named: SheetCommunity[] = [];
    for (const [id, count] of counts) named.push({ id, name: (await places.findById(id))?.name ?? `#${id}`, count });
    return named
      .sort((a, b) => a.name.localeCompare(b.name, 'zh-CN') || a.id - b.id);
  }

  return {
    access,
    codeAccess,
    bulkAccess,
    urlOf,

    async list(user: Viewer, campaignId: number, sort: QrSort) {
      const { campaign, scope, communityIds, manage } = await access(user, campaignId);
      const names = new Map<number, string>();
      const nameOf = async (placeId: number | null) => {
        if (placeId === null) return null;
        if (!names.has(placeId)) {
          const p = await places.findById(placeId);
          names.set(placeId, p ? placeLabel(p, p.parentId ? (await places.findById(p.parentId)) : undefined) : '');
        }
        return names.get(placeId) || null;
      };
      const codes: QrStats[] = [];
      for (const c of await qrCodes.listWithCounts(campaignId)) {
        if (!(await codeVisible(scope, c))) continue;
        const scans = c.scanCount + deps.scanCounter.pendingFor(c.id);
        codes.push({
          ...c, url: urlOf(c.token), placeName: await nameOf(c.placeId), scans, conversion: conversionOf(scans, c.submissions),
          changeable: await codeChangeable({ scope, manage }, c),
        });
      }
      return { campaign, codes: sortCodes(codes, sort), placeChoices: await placeChoices(communityIds), manage };
    },

    /**
     * One code; the label defaults to the place's name. Errors come back by field for the form; a campaign-wide
     * code (no place) from someone who may not manage the campaign is refused with 403.
     */
    async create(user: Viewer, campaignId: number, input: { label: string | null; placeId: number | null }):
      Promise<{ ok: true; id: number } | { ok: false; errors: Record<string, string> }> {
      const { communityIds, manage } = await access(user, campaignId);
      if (input.placeId === null && !manage) throw forbidden(QR_MESSAGES.wideCreate);
      let label = input.label;
      if (input.placeId !== null) {
        const choice = (await placeChoices(communityIds)).find((p) => p.id === input.placeId);
        if (!choice) return { ok: false, errors: { placeId: '请选择本次征求意见覆盖的社区、网格或楼院。' } };
        label = label ?? choice.label;
      }
      if (!label) return { ok: false, errors: { label: '请填写标签，例如“永安社区 3号楼公告栏”。' } };
      return { ok: true, id: await qrCodes.create(campaignId, newQrToken(), label, input.placeId) };
    },

    /**
     * One code per covered community / grid / compound; places that already have a code are skipped. It works
     * on the whole campaign, so it needs manage access.
     */
    async bulk(user: Viewer, campaignId: number, level: BulkLevel): Promise<{ created: number; skipped: number }> {
      const { communityIds } = await bulkAccess(user, campaignId);
      const targets: Array<{ place: Place; community: Place }> = [];
      for (const cid of communityIds) {
        const community = await places.findById(cid);
        if (!community) continue;
        if (level === 'community') targets.push({ place: community, community });
        else for (const child of (await places.children(cid))) if (child.kind === level) targets.push({ place: child, community });
      }
      const codes = targets.map((t) => ({ token: newQrToken(), label: placeLabel(t.place, t.community), placeId: t.place.id }));
      const ids = await deps.engine.unitOfWork((tx) => createQrRepo(tx).createForFreePlaces(campaignId, codes));
      return { created: ids.length, skipped: targets.length - ids.length };
    },

    async rename(user: Viewer, qrId: number, label: string): Promise<QrCode> {
      const { code } = await codeAccess(user, qrId, 'change');
      await qrCodes.rename(code.id, label);
      return { ...code, label };
    },

    async svgOf(user: Viewer, qrId: number): Promise<{ code: QrCode; svg: string }> {
      const { code } = await codeAccess(user, qrId);
      return { code, svg: await deps.svgCache.svgFor(urlOf(code.token)) };
    },

    async poster(user: Viewer, qrId: number) {
      const { campaign, code } = await codeAccess(user, qrId);
      const [one] = await printable(campaign, [code]);
      return { campaign, poster: one, endDate: chineseDate(campaign.endsOn), titleChunks: titleChunks(campaign.title) };
    },

    /**
     * Every visible code of a campaign, ready for the batch poster sheet or the label sheet; with `communityId`,
     * only the codes hanging in that community (its own, its grids' and compounds'), so each community's posters
     * print on their own. `communities` lists the choices.
     */
    async sheet(user: Viewer, campaignId: number, communityId: number | null = null) {
      const { campaign, codes: all } = await visibleCodes(user, campaignId);
      if (all.length === 0) throw new NotFoundError('这个征求意见活动还没有二维码。请先在二维码页面生成，再来打印。');
      const communities = await sheetCommunities(all);
      const codes: QrCode[] = [];
      for (const c of all) if (communityId === null || await communityOf(c.placeId) === communityId) codes.push(c);
      if (codes.length === 0) throw new NotFoundError('这个社区在本活动中没有二维码（或不在您的负责范围内）。请返回二维码列表，选择其他社区或打印全部。');
      return {
        campaign, posters: await printable(campaign, codes), endDate: chineseDate(campaign.endsOn), communities,
        communityId, titleChunks: titleChunks(campaign.title),
      };
    },
  };
}
export type QrService = ReturnType<typeof createQrService>;
