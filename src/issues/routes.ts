import { Router, type Request, type Response } from 'express';
import { z } from 'zod';
import type { Viewer } from '../access/rules';
import type { AuditRepo } from '../audit/repo';
import { describeAudit } from './audit-trail';
import { requireRole } from '../auth/middleware';
import type { CampaignService } from '../campaigns/service';
import { flash } from '../http/flash';
import { helpers } from '../http/view-helpers';
import { invalid } from '../lib/errors';
import { checkbox, firstValue, idList, idParam, optionalText, parseForm, queryId, requiredText, type FieldErrors } from '../http/validate';
import { CHANNEL_LABELS, KIND_LABELS } from '../submissions/types';
import type { Issue, IssueRepo } from './repo';
import {
  ISSUE_STATUSES, ISSUE_STATUS_LABELS, PRIORITIES, PRIORITY_LABELS, nextStatuses,
  type IssueStatus, type Priority,
} from './rules';
import type { IssueService } from './service';
import type { TriageService } from './triage';
import { publicTitle } from './title';

// ---- one schema per form ----

const optionalId = (label: string) =>
  z.preprocess((v) => (v === '' || v === undefined || v === null ? null : v), idParam(label).nullable());
const priority = z.preprocess((v) => (v === undefined || v === '' ? '2' : v),
  z.enum(PRIORITIES.map(String) as [string, ...string[]], { message: '请选择紧急程度' })).transform((v) => Number(v) as Priority);
const submissionIds = idList('建议').refine((a) => a.length > 0, '请至少勾选一条建议');

const attachSchema = z.object({ submissionIds });
// Staff may type "12" or "#12"; only plain digits make a number ("0x10" is not issue 16).
const issueNumber = (label: string) => z.preprocess((v) => (typeof v === 'string' ? v.replace(/^\s*#/, '').trim() : v),
  z.string({ message: `请填写${label}` }).min(1, `请填写${label}`).regex(/^[0-9]{1,15}$/, `${label}应为数字`)
    .transform(Number).refine((n) => n > 0, `${label}应为数字`));
const mergeSchema = z.object({ sourceId: issueNumber('要并入的问题编号') });
// These come from the page's own buttons: a bad value means a stale or altered page, so the message says to reload.
const detachSchema = z.object({
  submissionId: idParam('要拆出的建议编号'),
  to: z.enum(['new', 'unassigned'], { message: '请选择拆出后去哪里：拆为新问题，或移回待归类' }),
});
const statusSchema = z.object({
  to: z.enum(ISSUE_STATUSES, { message: '目标状态不正确，请刷新页面后重新选择' }),
  reason: optionalText('未采纳原因', 300),
});
const editSchema = z.object({ title: publicTitle('问题标题', 100), categoryId: optionalId('分类'), priority });
const replySchema = z.object({ reply: optionalText('给居民的回复', 500) });
const publishSchema = z.object({
  title: publicTitle('服务事项名称', 100),
  description: z.preprocess((v) => v ?? '', optionalText('说明', 1000)).transform((v) => v ?? ''),
  allowMultipleClaimers: checkbox(),
});

// A repeated parameter (?status=a&status=b) counts with its first value instead of dropping the filter.
const listQuery = z.object({
  community: firstValue(optionalId('社区')).catch(null),
  category: firstValue(optionalId('分类')).catch(null),
  status: firstValue(z.enum(ISSUE_STATUSES)).optional().catch(undefined),
  sort: firstValue(z.enum(['residents', 'priority', 'supporters'])).optional().catch(undefined),
  page: firstValue(z.coerce.number().int().min(1).max(10000)).catch(1).default(1),
});

const PAGE_SIZE = 100;
const idOf = (req: Request) => idParam('编号').catch(0).parse(req.params.id);

/** A menu item as published for an issue (src/menu), handed to the issue page as it is. */
export interface IssueMenuItem { id: number }

/**
 * What the issue pages need of the service menu, which builds on issues: the item published for an issue, and
 * publishing one. Declared here, provided by the composition root, so issues/ never imports menu/.
 */
export interface IssueMenuPage {
  ofIssue(issueId: number): Promise<{ item: IssueMenuItem; claims: unknown[]; notes: unknown[] } | null>;
  publishIssue(user: Viewer, issueId: number, fields: { title: string; description: string; allowMultipleClaimers: boolean }): Promise<number>;
}

export interface IssueRouteDeps {
  issues: IssueService;
  triage: TriageService;
  issueRepo: Pick<IssueRepo, 'submissions'>;
  audit: Pick<AuditRepo, 'listForIssue'>;
  campaigns: CampaignService;
  menu: IssueMenuPage;
  /** Residents' appeals (申请复核) of an issue, for its page (src/appeals). */
  appeals?: { ofIssue(issueId: number): Promise<{ list: unknown[]; open: unknown[] }> };
}

export function issueRoutes({ issues: service, triage, issueRepo: issues, audit, campaigns, menu, appeals }: IssueRouteDeps): Router {
  const router = Router();
  const staff = requireRole('admin', 'staff');

  const campaignFor = (user: Viewer, id: number) => campaigns.get(user, id, 'view');

  const statusOptions = ISSUE_STATUSES.map((s) => ({ value: s, label: ISSUE_STATUS_LABELS[s] }));
  const priorityOptions = PRIORITIES.map((p) => ({ value: p, label: PRIORITY_LABELS[p] }));

  /** Communities of the campaign the user may see, for the filter. */
  const communityOptions = (user: Viewer, campaignId: number) => campaigns.communitiesFor(user, campaignId);

  async function listLocals(req: Request) {
    const user = req.user!;
    const campaign = await campaignFor(user, idOf(req));
    const q = listQuery.parse(req.query);
    const filter = {
      campaignId: campaign.id, communityId: q.community ?? undefined, categoryId: q.category ?? undefined,
      status: q.status, sort: q.sort,
    };
    return { user, campaign, q, filter };
  }

  router.get('/campaigns/:id/issues', staff, async (req, res) => {
    const { user, campaign, q, filter } = await listLocals(req);
    const { issues: rows, total } = await service.list(user, { ...filter, limit: PAGE_SIZE, offset: (q.page - 1) * PAGE_SIZE });
    res.render('issues/list', {
      title: `问题清单 · ${campaign.title}`, campaign, rows, total, q, page: q.page, pages: Math.max(1, Math.ceil(total / PAGE_SIZE)),
      communities: (await communityOptions(user, campaign.id)), categories: await campaigns.categories(campaign.id),
      statusOptions, statusLabels: ISSUE_STATUS_LABELS, priorityLabels: PRIORITY_LABELS,
      unassigned: (await triage.countQueue(user, campaign.id)),
    });
  });

  router.get('/campaigns/:id/issues/print', staff, async (req, res) => {
    const { user, campaign, q, filter } = await listLocals(req);
    const { issues: rows, total } = await service.list(user, { ...filter, limit: 2000, offset: 0 });
    const names = (id: number | null, list: Array<{ id: number; name: string }>) => list.find((x) => x.id === id)?.name;
    res.render('issues/print', {
      title: `问题清单 · ${campaign.title}`, campaign, rows, total, statusLabels: ISSUE_STATUS_LABELS, priorityLabels: PRIORITY_LABELS,
      filterText: [
        q.community ? names(q.community, (await communityOptions(user, campaign.id))) : null,
        q.category ? names(q.category, await campaigns.categories(campaign.id)) : null,
        q.status ? ISSUE_STATUS_LABELS[q.status] : null,
      ].filter(Boolean).join('，') || '全部',
      printedAt: new Date().toISOString(),
    });
  });

  // ---- one issue ----

  async function renderIssue(req: Request, res: Response, issue: Issue, opts: { status?: number; form?: string; errors?: FieldErrors; values?: Record<string, unknown> } = {}) {
    const user = req.user!;
    const campaign = await campaignFor(user, issue.campaignId);
    const published = await menu.ofIssue(issue.id);
    const item = published?.item;
    res.status(opts.status ?? 200).render('issues/show', {
      title: `问题 #${issue.id} ${issue.title}`, issue, campaign, item,
      claims: published?.claims ?? [],
      notes: published?.notes ?? [],
      submissions: (await issues.submissions(issue.id)),
      trail: (await audit.listForIssue(issue.id)).map((e) => ({ ...e, text: describeAudit(e) })),
      similar: (await triage.similarIssues(user, issue)),
      nextStatuses: nextStatuses('staff', issue.status).filter((s) => s !== 'on_menu' && s !== 'resolved'),
      canPublish: issue.status === 'accepted' && !item,
      canResolve: issue.status === 'in_progress',
      categories: await campaigns.categories(issue.campaignId),
      statusLabels: ISSUE_STATUS_LABELS, priorityOptions, priorityLabels: PRIORITY_LABELS,
      channelLabels: CHANNEL_LABELS, kindLabels: KIND_LABELS,
      form: opts.form ?? null, errors: opts.errors ?? {}, values: opts.values ?? {},
      appeals: (await appeals?.ofIssue(issue.id)) ?? { list: [], open: [] },
    });
  }

  router.get('/issues/:id', staff, async (req, res) => {
    await renderIssue(req, res, (await service.loadIssue(req.user!, idOf(req))));
  });

  /** Parses one of the issue page's forms; on bad input the page comes back with 400, the input and the errors. */
  async function issueForm<S extends z.ZodTypeAny>(form: string, schema: S, req: Request, res: Response): Promise<{ issue: Issue; value: z.infer<S> } | null> {
    const issue = await service.loadIssue(req.user!, idOf(req));
    const parsed = parseForm(schema, req.body);
    if (!parsed.ok) {
      await renderIssue(req, res, issue, { status: 400, form, errors: parsed.errors, values: req.body ?? {} });
      return null;
    }
    return { issue, value: parsed.value };
  }

  const back = (res: Response, issueId: number, message: string) => { flash(res, message); res.redirect(303, `/issues/${issueId}`); };

  router.post('/issues/:id/attach', staff, async (req, res) => {
    const user = req.user!;
    const parsed = parseForm(attachSchema, req.body);
    const issue = await service.loadIssue(user, idOf(req));
    if (!parsed.ok) throw invalid(Object.values(parsed.errors).join('；'));
    await service.attach(user, issue.id, parsed.value.submissionIds);
    flash(res, `已把 ${parsed.value.submissionIds.length} 条建议并入问题 #${issue.id}「${issue.title}」。`);
    res.redirect(303, req.body?.return === 'unassigned' ? `/campaigns/${issue.campaignId}/issues/unassigned` : `/issues/${issue.id}`);
  });

  router.post('/issues/:id/merge', staff, async (req, res) => {
    const f = await issueForm('merge', mergeSchema, req, res);
    if (!f) return;
    const moved = await service.merge(req.user!, f.issue.id, f.value.sourceId);
    back(res, f.issue.id, `已把问题 #${f.value.sourceId} 合并到本问题，并入 ${moved} 条建议。`);
  });

  router.post('/issues/:id/detach', staff, async (req, res) => {
    const f = await issueForm('detach', detachSchema, req, res);
    if (!f) return;
    const newId = await service.detach(req.user!, f.issue.id, f.value.submissionId, f.value.to);
    back(res, f.issue.id, newId ? `已拆出建议 #${f.value.submissionId}，成为新问题 #${newId}。` : `已拆出建议 #${f.value.submissionId}，回到待归类。`);
  });

  router.post('/issues/:id/status', staff, async (req, res) => {
    const f = await issueForm('status', statusSchema, req, res);
    if (!f) return;
    if (f.value.to === 'declined' && !f.value.reason) {
      return await renderIssue(req, res, f.issue, { status: 400, form: 'status', errors: { reason: '请填写未采纳的原因，居民会在回执页看到它。' }, values: req.body });
    }
    await service.changeStatus(req.user!, f.issue.id, f.value.to as IssueStatus, f.value.reason);
    back(res, f.issue.id, `状态已改为「${ISSUE_STATUS_LABELS[f.value.to as IssueStatus]}」。`);
  });

  router.post('/issues/:id/edit', staff, async (req, res) => {
    const f = await issueForm('edit', editSchema, req, res);
    if (!f) return;
    await service.edit(req.user!, f.issue.id, f.value);
    back(res, f.issue.id, '已保存。');
  });

  router.post('/issues/:id/reply', staff, async (req, res) => {
    const f = await issueForm('reply', replySchema, req, res);
    if (!f) return;
    await service.reply(req.user!, f.issue.id, f.value.reply);
    back(res, f.issue.id, f.value.reply ? '回复已保存，居民在回执页可以看到。' : '已清除回复。');
  });

  router.post('/issues/:id/publish', staff, async (req, res) => {
    const f = await issueForm('publish', publishSchema, req, res);
    if (!f) return;
    const itemId = await menu.publishIssue(req.user!, f.issue.id, f.value);
    back(res, f.issue.id, `已发布到服务菜单（服务事项 #${itemId}），认领人现在可以认领。`);
  });

  router.post('/issues/:id/resolve', staff, async (req, res) => {
    const f = await issueForm('resolve', replySchema, req, res);
    if (!f) return;
    await service.resolve(req.user!, f.issue.id, f.value.reply);
    back(res, f.issue.id, '已确认办结。居民可以在回执页看到结果并评价。');
  });

  // ---- residents rate the outcome (public; the form is on /r/<code>) ----

  return router;
}
