import { Router, type Request, type Response } from 'express';
import { z } from 'zod';
import type { Config } from '../config';
import { campaignSlice, reachesCommunity, reachesRecord, type Reach } from '../access/rules';
import { requireRole } from '../auth/middleware';
import type { CampaignService } from '../campaigns/service';
import { flash } from '../http/flash';
import { firstValue, idParam, invalidDates, optionalText, parseForm } from '../http/validate';
import { notFound } from '../lib/errors';
import type { PlaceRepo } from '../places/repo';
import type { QrCode, QrRepo } from '../qr/repo';
import { submissionFilter, submissionQuerySchema } from './filter';
import type { SubmissionRepo } from './repo';
import type { Submission } from './types';
import { CHANNELS, CHANNEL_LABELS, KINDS, KIND_LABELS } from './types';
import { PHOTO_NAME_RE, sendPhoto } from './upload';

export const PAGE_SIZE = 50;
export const REPLY_MAX = 1000;

const pageSchema = firstValue(z.coerce.number().int().min(1).max(100000)).catch(1);

const replySchema = z.object({ reply: optionalText('回复', REPLY_MAX) });

export interface SubmissionRouteDeps {
  config: Readonly<Pick<Config, 'uploadsDir'>>;
  campaigns: CampaignService;
  submissions: SubmissionRepo;
  qrCodes: Pick<QrRepo, 'listByCampaign'>;
  places: Pick<PlaceRepo, 'findById'>;
}

/** Staff side: a campaign's submissions, one submission with its reply, and the photos residents sent. */
export function submissionRoutes({ config, campaigns, submissions, qrCodes, places }: SubmissionRouteDeps): Router {
  const router = Router();
  const readers = requireRole('admin', 'staff', 'grid_worker');
  const repliers = requireRole('admin', 'staff');
  const photosDir = config.uploadsDir;

  /** Out-of-scope records answer 404, like missing ones, so ids cannot be probed. */
  const visible = (s: Submission | undefined, reach: Reach) => !!s && reachesRecord(reach, s.communityId, s.gridId);

  /** The community a QR code's place lies in: itself for a community, its parent for a grid or compound. */
  const communityOfPlace = async (placeId: number): Promise<number | null> => {
    const p = await places.findById(placeId);
    if (!p) return null;
    return p.kind === 'community' ? p.id : p.kind === 'grid' || p.kind === 'compound' ? p.parentId : null;
  };

  router.get('/campaigns/:id/submissions', readers, async (req, res) => {
    const user = req.user!;
    // The campaign pages' own check: a campaign outside the user's scope answers 404, like a missing one.
    const campaign = await campaigns.get(user, idParam('征求意见活动').catch(0).parse(req.params.id));
    const scope = user.reach;
    const q = submissionQuerySchema.parse(req.query);
    const notices = invalidDates(req.query as Record<string, unknown>, ['from', 'to'])
      .map((d) => `日期“${d}”不正确，已忽略。`);
    // The same slice and filter as the exports and the dashboard (src/submissions/filter.ts).
    const slice = campaignSlice(user, campaign.access, [campaign.id]);
    const filter = submissionFilter(slice, campaign.id, q);
    const total = await submissions.count(filter);
    const pages = Math.max(1, Math.ceil(total / PAGE_SIZE));
    const page = Math.min(pageSchema.parse(req.query.page), pages);
    const rows = await submissions.listLabelled({ ...filter, limit: PAGE_SIZE, offset: (page - 1) * PAGE_SIZE });
    const communities = (await campaigns.communitiesFor(user, campaign.id)).map((p) => ({ id: p.id, name: p.name }));
    // The QR filter offers only codes placed inside the user's scope. A grid worker gets codes at their grids
    // and at their grids' community itself (a community-wide poster covers their grids), not other grids' or
    // compounds'. A code without a place is campaign-wide: only for those who see the whole campaign.
    const wholeCampaign = slice.includeUnplaced;
    const qrVisible = async (c: QrCode) => {
      if (c.placeId === null) return wholeCampaign;
      const community = await communityOfPlace(c.placeId);
      if (scope.gridIds) return scope.gridIds.includes(c.placeId) || (community === c.placeId && reachesCommunity(scope, community));
      return reachesCommunity(scope, community);
    };
    const visibleCodes: QrCode[] = [];
    for (const c of await qrCodes.listByCampaign(campaign.id)) if (await qrVisible(c)) visibleCodes.push(c);
    // Grid workers may not open the campaign page itself: their way back is the intake page.
    const back = user.role === 'grid_worker'
      ? { href: `/intake?campaign=${campaign.id}`, label: '线下录入' }
      : { href: `/campaigns/${campaign.id}`, label: campaign.title };
    res.render('submissions/list', {
      title: `${campaign.title} · 收到的意见`, campaign, rows, total, page, pages, q: { ...q, page }, notices, back,
      communities, qrCodes: visibleCodes, categories: await campaigns.categories(campaign.id),
      kinds: KINDS.map((k) => ({ value: k, label: KIND_LABELS[k] })),
      channels: CHANNELS.map((c) => ({ value: c, label: CHANNEL_LABELS[c] })),
      kindLabels: KIND_LABELS, channelLabels: CHANNEL_LABELS,
    });
  });

  const loadVisible = async (req: Request) => {
    const s = await submissions.findLabelledById(idParam('意见').catch(0).parse(req.params.id));
    if (!s || !visible(s, req.user!.reach)) throw notFound('意见');
    return s;
  };

  const renderDetail = async (req: Request, res: Response, status: number, extra: Record<string, unknown> = {}) => {
    const s = await loadVisible(req);
    res.status(status).render('submissions/detail', {
      title: '意见详情', s, kindLabels: KIND_LABELS, channelLabels: CHANNEL_LABELS,
      mayReply: req.user!.role === 'admin' || req.user!.role === 'staff',
      replyValue: s.reply ?? '', errors: {}, ...extra,
    });
  };

  router.get('/submissions/:id', readers, (req, res) => renderDetail(req, res, 200));

  router.post('/submissions/:id/reply', repliers, async (req, res) => {
    const s = await loadVisible(req);
    const parsed = parseForm(replySchema, req.body);
    if (!parsed.ok) {
      const raw = typeof req.body?.reply === 'string' ? req.body.reply : '';
      return renderDetail(req, res, 400, { replyValue: raw, errors: parsed.errors });
    }
    await submissions.setReply(s.id, parsed.value.reply);
    flash(res, parsed.value.reply ? '回复已保存，居民凭回执码即可看到。' : '回复已清空。');
    res.redirect(303, `/submissions/${s.id}`);
  });

  router.get('/uploads/:name', readers, async (req, res, next) => {
    const name = typeof req.params.name === 'string' ? req.params.name : '';
    if (!PHOTO_NAME_RE.test(name)) throw notFound('照片');
    const owner = await submissions.findByPhotoFile(name);
    if (!visible(owner, req.user!.reach)) throw notFound('照片');
    sendPhoto(res, next, photosDir, name);
  });

  return router;
}
