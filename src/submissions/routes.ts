import { Router, type Request } from 'express';
import { z } from 'zod';
import type { AppContext } from '../context';
import { requireRole } from '../auth/middleware';
import { maySeePersonalData } from '../auth/roles';
import { scopeAllowsCommunity, scopeAllowsRecord, scopeOf, type Scope } from '../auth/scope';
import { flash } from '../http/flash';
import { notFound } from '../http/http-error';
import { idParam, optionalText, parseForm } from '../http/validate';
import type { SubmissionFilter } from './repo';
import type { Submission } from './types';
import { CHANNELS, CHANNEL_LABELS, KINDS, KIND_LABELS } from './types';
import { PHOTO_NAME_RE, sendPhoto, uploadsDir } from './upload';

export const PAGE_SIZE = 50;
export const REPLY_MAX = 1000;

/** List filters come from the query string; a malformed value is ignored rather than failing the page. */
const optionalId = z.coerce.number().int().positive().optional().catch(undefined);
const optionalDate = z.string().regex(/^\d{4}-\d{2}-\d{2}$/).optional().catch(undefined);
const filterSchema = z.object({
  community: optionalId,
  qr: optionalId,
  category: optionalId,
  kind: z.enum(KINDS).optional().catch(undefined),
  channel: z.enum(CHANNELS).optional().catch(undefined),
  from: optionalDate,
  to: optionalDate,
  page: z.coerce.number().int().min(1).max(100000).catch(1),
});

const replySchema = z.object({ reply: optionalText('回复', REPLY_MAX) });

/** Staff side: a campaign's submissions, one submission with its reply, and the photos residents sent. */
export function submissionRoutes(ctx: AppContext): Router {
  const router = Router();
  const { submissions, campaigns, qrCodes, places, users } = ctx;
  const readers = requireRole('admin', 'staff', 'grid_worker');
  const repliers = requireRole('admin', 'staff');
  const photosDir = uploadsDir(ctx.config.dataDir);

  const scopeFor = (req: Request): Scope => scopeOf(req.user!, { places, users });
  /** Out-of-scope records answer 404, like missing ones, so ids cannot be probed. */
  const visible = (s: Submission | undefined, scope: Scope) => !!s && scopeAllowsRecord(scope, s.communityId, s.gridId);

  router.get('/campaigns/:id/submissions', readers, (req, res) => {
    const campaign = campaigns.findById(idParam('征集活动').catch(0).parse(req.params.id));
    if (!campaign) throw notFound('征集活动');
    const scope = scopeFor(req);
    const q = filterSchema.parse(req.query);
    const filter: SubmissionFilter = {
      campaignId: campaign.id, communityIds: scope.communityIds, gridIds: scope.gridIds,
      communityId: q.community, qrCodeId: q.qr, categoryId: q.category, kind: q.kind, channel: q.channel,
      from: q.from, to: q.to,
    };
    const total = submissions.count(filter);
    const pages = Math.max(1, Math.ceil(total / PAGE_SIZE));
    const page = Math.min(q.page, pages);
    const rows = submissions.listLabelled({ ...filter, limit: PAGE_SIZE, offset: (page - 1) * PAGE_SIZE });
    const communities = campaigns.communityIds(campaign.id)
      .filter((id) => scopeAllowsCommunity(scope, id))
      .map((id) => ({ id, name: places.findById(id)?.name ?? `#${id}` }));
    res.render('submissions/list', {
      title: `${campaign.title} · 收到的意见`, campaign, rows, total, page, pages, q,
      communities, qrCodes: qrCodes.listByCampaign(campaign.id), categories: campaigns.categories(campaign.id),
      kinds: KINDS.map((k) => ({ value: k, label: KIND_LABELS[k] })),
      channels: CHANNELS.map((c) => ({ value: c, label: CHANNEL_LABELS[c] })),
      kindLabels: KIND_LABELS, channelLabels: CHANNEL_LABELS, fullPersonalData: maySeePersonalData(req.user),
    });
  });

  const loadVisible = (req: Request) => {
    const s = submissions.findLabelledById(idParam('意见').catch(0).parse(req.params.id));
    if (!s || !visible(s, scopeFor(req))) throw notFound('这条意见');
    return s;
  };

  const renderDetail = (req: Request, res: import('express').Response, status: number, extra: Record<string, unknown> = {}) => {
    const s = loadVisible(req);
    res.status(status).render('submissions/detail', {
      title: '意见详情', s, kindLabels: KIND_LABELS, channelLabels: CHANNEL_LABELS,
      fullPersonalData: maySeePersonalData(req.user),
      mayReply: req.user!.role === 'admin' || req.user!.role === 'staff',
      replyValue: s.reply ?? '', errors: {}, ...extra,
    });
  };

  router.get('/submissions/:id', readers, (req, res) => renderDetail(req, res, 200));

  router.post('/submissions/:id/reply', repliers, (req, res) => {
    const s = loadVisible(req);
    const parsed = parseForm(replySchema, req.body);
    if (!parsed.ok) {
      const raw = typeof req.body?.reply === 'string' ? req.body.reply : '';
      return renderDetail(req, res, 400, { replyValue: raw, errors: parsed.errors });
    }
    submissions.setReply(s.id, parsed.value.reply);
    flash(res, parsed.value.reply ? '回复已保存，居民凭回执码即可看到。' : '回复已清空。');
    res.redirect(303, `/submissions/${s.id}`);
  });

  router.get('/uploads/:name', readers, (req, res, next) => {
    const name = typeof req.params.name === 'string' ? req.params.name : '';
    if (!PHOTO_NAME_RE.test(name)) throw notFound('照片');
    const owner = submissions.findByPhotoFile(name);
    if (!visible(owner, scopeFor(req))) throw notFound('照片');
    sendPhoto(res, next, photosDir, name);
  });

  return router;
}
