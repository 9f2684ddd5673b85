import { Router, type Request, type Response } from 'express';
import { z } from 'zod';
import type { AppContext } from '../context';
import { requireRole } from '../auth/middleware';
import { maySeePersonalData } from '../auth/roles';
import { scopeOf } from '../auth/scope';
import { findCampaignFor } from '../campaigns/service';
import { campaignSlice } from '../dashboard/service';
import { firstValue, idParam, queryDate, queryId } from '../http/validate';
import { createIssueRepo } from '../issues/repo';
import { ISSUE_STATUSES } from '../issues/rules';
import { CHANNELS, KINDS } from '../submissions/types';
import { createExportRepo } from './repo';
import { ISSUE_COLUMNS, SUBMISSION_COLUMNS, exportFileName, issueCells, submissionCells, withinDays, type Cell, type Column } from './service';
import { writeCsv, writeXlsx } from './writers';

/** The list pages' filters: a malformed value (or an impossible date) is ignored, a repeated one counts once, as on the lists. */
const submissionFilter = z.object({
  community: queryId(), qr: queryId(), category: queryId(),
  kind: firstValue(z.enum(KINDS)).optional().catch(undefined),
  channel: firstValue(z.enum(CHANNELS)).optional().catch(undefined),
  from: queryDate(), to: queryDate(),
});
const issueFilter = z.object({
  community: queryId(), category: queryId(),
  status: firstValue(z.enum(ISSUE_STATUSES)).optional().catch(undefined),
  from: queryDate(), to: queryDate(),
});

const XLSX_TYPE = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';
const ISSUE_EXPORT_LIMIT = 100000;

/** Downloads of a campaign's submissions and issue list as .xlsx and CSV, scoped and masked like the lists. */
export function exportRoutes(ctx: AppContext): Router {
  const router = Router();
  const { campaigns, places, users } = ctx;
  const readers = requireRole('admin', 'staff', 'grid_worker');
  const staff = requireRole('admin', 'staff');
  const repo = createExportRepo(ctx.db);
  const issues = createIssueRepo(ctx.db);

  const campaignOf = (req: Request) =>
    findCampaignFor({ campaigns, places, users }, req.user!, idParam('征求意见活动').catch(0).parse(req.params.id));

  async function send(res: Response, format: 'xlsx' | 'csv', fileName: string, sheet: string, columns: Column[], batches: Iterable<Cell[][]>) {
    res.attachment(fileName);
    res.type(format === 'xlsx' ? XLSX_TYPE : 'text/csv; charset=utf-8');
    // Personal data: never kept in shared caches or the browser's disk cache.
    res.set('Cache-Control', 'no-store');
    try {
      if (format === 'xlsx') await writeXlsx(res, sheet, columns, batches);
      else await writeCsv(res, columns, batches);
    } catch (err) {
      // Headers are gone once the first bytes are out: cut the download so it cannot pass for complete.
      if (res.headersSent) { ctx.log(err); res.destroy(); return; }
      throw err;
    }
  }

  const submissionsExport = (format: 'xlsx' | 'csv') => async (req: Request, res: Response) => {
    const campaign = campaignOf(req);
    const scope = scopeOf(req.user!, { places, users });
    const slice = campaignSlice(scope, campaign.access, [campaign.id]);
    const q = submissionFilter.parse(req.query);
    const lookups = repo.lookups(campaign.id);
    const full = maySeePersonalData(req.user);
    const rows = repo.submissionBatches({
      campaignId: campaign.id, communityIds: slice.communityIds, includeUnplaced: slice.includeUnplaced, gridIds: scope.gridIds,
      communityId: q.community, qrCodeId: q.qr, categoryId: q.category, kind: q.kind, channel: q.channel, from: q.from, to: q.to,
    });
    function* cells() { for (const batch of rows) yield batch.map((r) => submissionCells(r, lookups, full)); }
    await send(res, format, exportFileName(campaign.title, '居民意见', format), '居民意见', SUBMISSION_COLUMNS, cells());
  };

  const issuesExport = (format: 'xlsx' | 'csv') => async (req: Request, res: Response) => {
    const campaign = campaignOf(req);
    const scope = scopeOf(req.user!, { places, users });
    const q = issueFilter.parse(req.query);
    const claimers = repo.claimersByIssue(campaign.id);
    // The same ranking as the issue list page: most residents first, then urgency.
    const list = issues.list({
      campaignId: campaign.id, communityIds: scope.communityIds, communityId: q.community, categoryId: q.category,
      status: q.status, limit: ISSUE_EXPORT_LIMIT,
    }).filter((i) => withinDays(i.createdAt, q.from, q.to));
    const batch = list.map((i) => issueCells(i, claimers.get(i.id) ?? []));
    await send(res, format, exportFileName(campaign.title, '问题清单', format), '问题清单', ISSUE_COLUMNS, [batch]);
  };

  router.get('/campaigns/:id/submissions.xlsx', readers, submissionsExport('xlsx'));
  router.get('/campaigns/:id/submissions.csv', readers, submissionsExport('csv'));
  router.get('/campaigns/:id/issues.xlsx', staff, issuesExport('xlsx'));
  router.get('/campaigns/:id/issues.csv', staff, issuesExport('csv'));
  return router;
}
