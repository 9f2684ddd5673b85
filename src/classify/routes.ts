import { Router } from 'express';
import { z } from 'zod';
import { reachesRecord } from '../access/rules';
import { requireRole } from '../auth/middleware';
import type { CampaignService } from '../campaigns/service';
import { flash } from '../http/flash';
import { invalid, notFound } from '../lib/errors';
import { firstValue, idParam, optionalText, parseForm } from '../http/validate';
import { CHANNEL_LABELS, KIND_LABELS } from '../submissions/types';
import type { PlaceRepo } from '../places/repo';
import type { SubmissionRepo } from '../submissions/repo';
import { TRIAGE_THRESHOLD, messages, type ClassifyService } from './service';

const PAGE_SIZE = 50;

const correctionSchema = z.object({
  categoryId: idParam('分类').pipe(z.number()),
  next: optionalText('返回地址', 500),
});

/** Only same-site paths are followed after the correction, never an absolute URL. */
function safeNext(next: string | null): string | null {
  return next && /^\/(?!\/)[^\\]*$/.test(next) ? next : null;
}

/** The triage inbox (待分类) and the category correction every staff page can post to. */
export interface ClassifyRouteDeps {
  campaigns: CampaignService;
  classify: ClassifyService;
  submissions: Pick<SubmissionRepo, 'findById'>;
  places: Pick<PlaceRepo, 'ofKind'>;
}

export function classifyRoutes({ campaigns, classify, submissions, places }: ClassifyRouteDeps): Router {
  const router = Router();
  const staff = requireRole('admin', 'staff');

  router.get('/campaigns/:id/triage', staff, async (req, res) => {
    // The same lookup as the campaign's own page: 404 for a campaign the user may not see, like a missing one.
    const campaign = await campaigns.get(req.user!, idParam('征求意见').catch(0).parse(req.params.id));
    const scope = req.user!.reach;
    const total = await classify.triageCount(campaign.id, scope.communityIds);
    const pages = Math.max(1, Math.ceil(total / PAGE_SIZE));
    // Only a plain decimal page number counts ('0x10' or '1e3' is page 1, not some far page); repeated: the first.
    const page = Math.min(pages, firstValue(idParam('页码')).catch(1).parse(req.query.page));
    const items = [];
    for (const s of await classify.triage(campaign.id, scope.communityIds, PAGE_SIZE, (page - 1) * PAGE_SIZE)) {
      items.push({ submission: s, suggestions: (await classify.suggest(s.text, campaign.id)).slice(0, 3) });
    }
    const communityNames = new Map((await places.ofKind('community')).map((p) => [p.id, p.name]));
    res.render('classify/triage', {
      title: `待分类 · ${campaign.title}`, campaign, items, total, page, pages, communityNames,
      categories: await classify.categoriesFor(campaign.id), channelLabels: CHANNEL_LABELS, kindLabels: KIND_LABELS,
      threshold: TRIAGE_THRESHOLD, next: req.originalUrl,
    });
  });

  router.post('/submissions/:id/category', staff, async (req, res) => {
    const submission = await submissions.findById(idParam('意见').catch(0).parse(req.params.id));
    // Outside the user's reach answers like a missing one, so ids cannot be probed.
    if (!submission || !reachesRecord(req.user!.reach, submission.communityId, submission.gridId)) throw notFound('意见');
    const parsed = parseForm(correctionSchema, req.body);
    const back = safeNext(parsed.ok ? parsed.value.next : null) ?? `/campaigns/${submission.campaignId}/triage`;
    if (!parsed.ok) throw invalid(parsed.errors.categoryId ?? messages.unknownCategory);
    const category = await classify.correct(submission, parsed.value.categoryId, req.user!.id);
    flash(res, `已将这条意见归入「${category.name}」，以后相似的意见会参考这次的分类。`);
    res.redirect(303, back);
  });

  return router;
}
