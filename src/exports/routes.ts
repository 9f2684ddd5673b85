import { Router, type Request, type Response } from 'express';
import { z } from 'zod';
import { campaignSlice, seesPersonalData } from '../access/rules';
import { requireRole } from '../auth/middleware';
import type { CampaignService } from '../campaigns/service';
import type { EngineSpec } from '../db/engine-spec';
import { firstValue, idParam, queryDate, queryId } from '../http/validate';
import type { IssueRepo } from '../issues/repo';
import { ISSUE_STATUSES } from '../issues/rules';
import { submissionFilter, submissionQuerySchema } from '../submissions/filter';
import type { ExportRepo } from './repo';
import { ISSUE_COLUMNS, SUBMISSION_COLUMNS, exportFileName, issueCells, submissionCells, withinDays, type Cell, type Column } from './service';
import { writeCsv, writeXlsx } from './writers';
import { exportInThread } from './in-thread';

const issueFilter = z.object({
  community: queryId(), category: queryId(),
  status: firstValue(z.enum(ISSUE_STATUSES)).optional().catch(undefined),
  from: queryDate(), to: queryDate(),
});

const writeTo = (out: Response, format: 'xlsx' | 'csv', sheet: string, columns: Column[], batches: Iterable<Cell[][]> | AsyncIterable<Cell[][]>) =>
  (format === 'xlsx' ? writeXlsx(out, sheet, columns, batches) : writeCsv(out, columns, batches));

const XLSX_TYPE = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';
const ISSUE_EXPORT_LIMIT = 100000;

export interface ExportRouteDeps {
  campaigns: CampaignService;
  exports: ExportRepo;
  issueRepo: Pick<IssueRepo, 'list'>;
  log: (err: unknown) => void;
  /**
   * The database a submissions export reads in a thread of its own, on an engine the thread opens
   * (src/exports/export-thread.ts); null for an in-memory database (tests), whose exports are made on the event
   * loop in slices, through `exports`.
   */
  threadEngine: EngineSpec | null;
}

/** Downloads of a campaign's submissions and issue list as .xlsx and CSV, scoped and masked like the lists. */
export function exportRoutes({ campaigns, exports: repo, issueRepo: issues, log, threadEngine }: ExportRouteDeps): Router {
  const router = Router();
  const readers = requireRole('admin', 'staff', 'grid_worker');
  const staff = requireRole('admin', 'staff');

  const campaignOf = (req: Request) => campaigns.get(req.user!, idParam('征求意见活动').catch(0).parse(req.params.id));

  async function send(res: Response, format: 'xlsx' | 'csv', fileName: string, write: () => Promise<void>) {
    res.attachment(fileName);
    res.type(format === 'xlsx' ? XLSX_TYPE : 'text/csv; charset=utf-8');
    // Personal data: never kept in shared caches or the browser's disk cache.
    res.set('Cache-Control', 'no-store');
    try {
      await write();
    } catch (err) {
      // Headers are gone once the first bytes are out: cut the download so it cannot pass for complete.
      if (res.headersSent) { log(err); res.destroy(); return; }
      throw err;
    }
  }

  const submissionsExport = (format: 'xlsx' | 'csv') => async (req: Request, res: Response) => {
    const campaign = await campaignOf(req);
    // The same slice and filter as the list page (src/submissions/filter.ts).
    const slice = campaignSlice(req.user!, campaign.access, [campaign.id]);
    const full = seesPersonalData(req.user);
    const filter = submissionFilter(slice, campaign.id, submissionQuerySchema.parse(req.query));
    const sheet = '居民意见';
    const fileName = exportFileName(campaign.title, sheet, format);
    if (threadEngine) {
      return send(res, format, fileName, () => exportInThread(res, { engine: threadEngine, campaignId: campaign.id, filter, full, format, sheet }));
    }
    const lookups = await repo.lookups(campaign.id);
    const rows = repo.submissionBatches(filter);
    async function* cells() { for await (const batch of rows) yield batch.map((r) => submissionCells(r, lookups, full)); }
    await send(res, format, fileName, () => writeTo(res, format, sheet, SUBMISSION_COLUMNS, cells()));
  };

  const issuesExport = (format: 'xlsx' | 'csv') => async (req: Request, res: Response) => {
    const campaign = await campaignOf(req);
    const q = issueFilter.parse(req.query);
    const claimers = await repo.claimersByIssue(campaign.id);
    // The same ranking as the issue list page: most residents first, then urgency.
    const list = (await issues.list({
      campaignId: campaign.id, communityIds: req.user!.reach.communityIds, communityId: q.community, categoryId: q.category,
      status: q.status, limit: ISSUE_EXPORT_LIMIT,
    })).filter((i) => withinDays(i.createdAt, q.from, q.to));
    const full = seesPersonalData(req.user);
    const batch = list.map((i) => issueCells(i, claimers.get(i.id) ?? [], full));
    await send(res, format, exportFileName(campaign.title, '问题清单', format), () => writeTo(res, format, '问题清单', ISSUE_COLUMNS, [batch]));
  };

  router.get('/campaigns/:id/submissions.xlsx', readers, submissionsExport('xlsx'));
  router.get('/campaigns/:id/submissions.csv', readers, submissionsExport('csv'));
  router.get('/campaigns/:id/issues.xlsx', staff, issuesExport('xlsx'));
  router.get('/campaigns/:id/issues.csv', staff, issuesExport('csv'));
  return router;
}
