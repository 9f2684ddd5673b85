import { Router, type Response } from 'express';
import { z } from 'zod';
import { campaignSlice, narrowToCommunity, subdistrictSlice } from '../access/rules';
import { requireRole } from '../auth/middleware';
import type { CampaignService } from '../campaigns/service';
import { barChart, columnChart } from '../charts/svg';
import { firstValue, idParam, queryId } from '../http/validate';
import { RATING_LABELS } from '../issues/rules';
import { notFound } from '../lib/errors';
import type { PlaceRepo } from '../places/repo';
import type { DashboardRepo, DashboardSlice } from './repo';
import { percent, type Dashboard, type DashboardService, type TimeUnit } from './service';

/** Filters from the query string: a malformed value is ignored, a repeated one counts with its first value. */
const querySchema = z.object({
  community: queryId(),
  by: firstValue(z.enum(['day', 'week'])).optional().catch(undefined),
});

const TIME_UNIT_LABELS: Record<TimeUnit, string> = { day: '按日', week: '按周' };

/** The four charts of a dashboard, rendered once on the server. */
function charts(d: Dashboard) {
  return {
    category: barChart({ id: 'chart-category', title: '按分类', bars: d.byCategory, unit: '条' }),
    community: barChart({ id: 'chart-community', title: '按社区', bars: d.byCommunity, unit: '条' }),
    channel: barChart({ id: 'chart-channel', title: '按渠道', bars: d.byChannel, unit: '条' }),
    time: columnChart({
      id: 'chart-time', title: d.timeUnit === 'week' ? '每周收到的意见（标注为当周周一）' : '每天收到的意见', bars: d.overTime, width: 900,
    }),
  };
}

export interface DashboardRouteDeps {
  campaigns: CampaignService;
  dashboard: DashboardService;
  dashboardRepo: Pick<DashboardRepo, 'campaignIdsOfSubdistrict'>;
  places: Pick<PlaceRepo, 'findById' | 'ofKind' | 'communityIdsUnder'>;
}

/** Dashboards per campaign and per sub-district, for the figures an office reports upward. */
export function dashboardRoutes({ campaigns, dashboard: service, dashboardRepo: repo, places }: DashboardRouteDeps): Router {
  const router = Router();
  const staff = requireRole('admin', 'staff');
  const nameOf = async (id: number) => (await places.findById(id))?.name ?? `#${id}`;

  const render = async (res: Response, view: Record<string, unknown>, slice: DashboardSlice, communityIds: number[], q: z.infer<typeof querySchema>) => {
    const visible = slice.communityIds === 'all' ? communityIds : communityIds.filter((c) => (slice.communityIds as number[]).includes(c));
    const dashboard = await service.build(narrowToCommunity(slice, q.community), q.by);
    // Comparing communities needs two of them: a community's own staff (or a filter on one) get no one-bar chart.
    const perCommunity = !q.community && visible.length > 1 ? await service.perCommunity(slice, visible) : null;
    const communities = [];
    for (const id of visible) communities.push({ id, name: await nameOf(id) });
    res.render('dashboard/show', {
      ...view, d: dashboard, f: dashboard.figures, charts: charts(dashboard), q, percent, perCommunity,
      communities,
      restricted: slice.communityIds !== 'all' && !slice.includeUnplaced,
      timeUnits: Object.entries(TIME_UNIT_LABELS).map(([value, label]) => ({ value, label })),
      ratingLabels: RATING_LABELS,
    });
  };

  router.get('/dashboard', staff, async (req, res) => {
    const sub = queryId().parse(req.query.subdistrict);
    if (sub) return res.redirect(303, `/subdistricts/${sub}/dashboard`);
    // Not listFor: it counts every campaign's submissions, which this page does not need.
    const list = await campaigns.visibleTo(req.user!);
    const subdistricts = [];
    for (const s of await places.ofKind('subdistrict')) {
      if (subdistrictSlice(req.user!, await places.communityIdsUnder(s.id), s.id, []) !== null) subdistricts.push(s);
    }
    res.render('dashboard/index', { title: '数据看板', campaigns: list, subdistricts });
  });

  router.get('/campaigns/:id/dashboard', staff, async (req, res) => {
    const campaign = await campaigns.get(req.user!, idParam('征求意见活动').catch(0).parse(req.params.id));
    const slice = campaignSlice(req.user!, campaign.access, [campaign.id]);
    const q = querySchema.parse(req.query);
    await render(res, {
      title: `${campaign.title} · 数据看板`, heading: campaign.title, campaign, subdistrict: null,
      basePath: `/campaigns/${campaign.id}/dashboard`, perCampaign: null,
    }, slice, await campaigns.communityIds(campaign.id), q);
  });

  router.get('/subdistricts/:id/dashboard', staff, async (req, res) => {
    const id = idParam('街道').catch(0).parse(req.params.id);
    const subdistrict = await places.findById(id);
    if (!subdistrict || subdistrict.kind !== 'subdistrict') throw notFound('街道');
    const under = await places.communityIdsUnder(id);
    const slice = subdistrictSlice(req.user!, under, id, await repo.campaignIdsOfSubdistrict(id));
    if (!slice) throw notFound('街道');
    const q = querySchema.parse(req.query);
    const perCampaign = await Promise.all(slice.campaignIds.map(async (cid) => {
      const c = (await campaigns.findById(cid))!;
      const figures = await service.figures(narrowToCommunity({ ...slice, campaignIds: [cid] }, q.community));
      return { id: cid, title: c.title, startsOn: c.startsOn, endsOn: c.endsOn, figures };
    }));
    await render(res, {
      title: `${subdistrict.name} · 数据看板`, heading: subdistrict.name, campaign: null, subdistrict,
      basePath: `/subdistricts/${id}/dashboard`, perCampaign,
    }, slice, under, q);
  });

  return router;
}
