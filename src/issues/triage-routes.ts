import express, { Router, type Request, type Response } from 'express';
import { z } from 'zod';
import type { Viewer } from '../access/rules';
import { requireRole } from '../auth/middleware';
import type { CampaignService } from '../campaigns/service';
import { flash } from '../http/flash';
import { helpers } from '../http/view-helpers';
import { firstValue, idList, idParam, optionalText, parseForm, queryId } from '../http/validate';
import { ConflictError, InvalidError, NotFoundError, invalid } from '../lib/errors';
import { CHANNEL_LABELS, KIND_LABELS } from '../submissions/types';
import { PRIORITIES, type Priority } from './rules';
import { publicTitle } from './title';
import type { QueueGroup, TriageService } from './triage';

/** Groups per page of the queue: enough to work through, few enough to read on a phone. */
export const GROUPS_PER_PAGE = 20;
const TITLE_MAX = 100;
const REASON_MAX = 300;

const queueQuery = z.object({
  community: queryId(),
  category: queryId(),
  page: firstValue(z.coerce.number().int().min(1).max(100000)).catch(1),
});

// ---- one schema per form ----

const optionalId = (label: string) =>
  z.preprocess((v) => (v === '' || v === undefined || v === null ? null : v), idParam(label).nullable());
const priority = z.preprocess((v) => (v === undefined || v === '' ? '2' : v),
  z.enum(PRIORITIES.map(String) as [string, ...string[]], { message: '请选择紧急程度' })).transform((v) => Number(v) as Priority);
const submissionIds = idList('建议').refine((a) => a.length > 0, '请至少勾选一条建议');
/** Members of a group as the page listed them: "12,15,18". */
const memberList = z.preprocess((v) => (typeof v === 'string' ? v.split(',').filter(Boolean) : v), idList('建议'))
  .refine((a) => a.length > 0, '这一组没有建议，请刷新页面');

/** The older single-group forms (an issue made from ticked submissions, or joined by its number). */
const createSchema = z.object({ submissionIds, title: publicTitle('问题标题', TITLE_MAX), categoryId: optionalId('分类'), priority });
const issueNumber = (label: string) => z.preprocess((v) => (typeof v === 'string' ? v.replace(/^\s*#/, '').trim() : v),
  z.string({ message: `请填写${label}` }).min(1, `请填写${label}`).regex(/^[0-9]{1,15}$/, `${label}应为数字`)
    .transform(Number).refine((n) => n > 0, `${label}应为数字`));
const attachByNumberSchema = z.object({ submissionIds, issueId: issueNumber('问题编号') });

/** The queue page's one form: which button was pressed, and the fields of the group or member it names. */
const actionSchema = z.object({
  do: z.string({ message: '请选择要做的操作' }).regex(/^(create|join|decline|split|move):[0-9]{1,15}$|^bulk-(create|decline)$|^refresh$/, '操作不正确，请刷新页面后再试'),
});
const groupCreateSchema = z.object({ members: memberList, title: publicTitle('问题标题', TITLE_MAX), categoryId: optionalId('分类') });
const groupJoinSchema = z.object({ members: memberList, issue: z.preprocess((v) => (typeof v === 'string' ? v.trim() : v),
  z.string({ message: '请输入要并入的问题编号或标题中的几个字' }).min(1, '请输入要并入的问题编号或标题中的几个字').max(120, '问题标题最多 120 个字')) });
const declineSchema = z.object({ members: memberList, reason: optionalText('不立项原因', REASON_MAX) });
const moveSchema = z.object({ of: idParam('所在的组'), to: optionalId('要移到的组') });

/** The queue page posts a few fields per group and per member: more than the app-wide form limits allow. */
export const isTriageForm = (path: string) => /^\/campaigns\/\d+\/issues\/unassigned$/.test(path);
export const triageFormBody = () => express.urlencoded({ extended: false, limit: '256kb', parameterLimit: 3000 });

export interface TriageRouteDeps {
  triage: TriageService;
  /** Suggestions back in the queue on appeal (src/appeals), flagged 复核. */
  appeals?: { openInQueue(campaignId: number): Promise<Map<number, string>> };
  campaigns: CampaignService;
}

/**
 * The unassigned queue (待归类建议): proposed groups across the whole campaign, paged, each one a compact block
 * with one action to make it an issue or join it to one; split and move members; decline with a reply; act on
 * several groups at once. Works without JavaScript; public/js/triage.js adds keys (j/k, x, Enter).
 */
export function triageRoutes({ triage, campaigns, appeals }: TriageRouteDeps): Router {
  const router = Router();
  const staff = requireRole('admin', 'staff');
  const idOf = (req: Request) => idParam('编号').catch(0).parse(req.params.id);
  const queuePath = (campaignId: number) => `/campaigns/${campaignId}/issues/unassigned`;

  /** Back to the queue with the filters and page the form carried. */
  const backTo = (campaignId: number, body: Record<string, unknown> | undefined) => {
    const keep = queryId();
    const page = firstValue(z.coerce.number().int().min(1).max(100000)).catch(1).parse(body?.page);
    return queuePath(campaignId) + helpers.qs({ community: keep.parse(body?.community), category: keep.parse(body?.category), page: page > 1 ? page : undefined });
  };

  async function render(req: Request, res: Response, status = 200, formError: string | null = null, pageOverride?: number) {
    const user = req.user!;
    const campaign = await campaigns.get(user, idOf(req));
    const q = queueQuery.parse(req.query);
    const all = await triage.groups(user, campaign.id, { communityId: q.community, categoryId: q.category });
    const pages = Math.max(1, Math.ceil(all.length / GROUPS_PER_PAGE));
    const page = Math.min(pageOverride ?? q.page, pages);
    const groups = all.slice((page - 1) * GROUPS_PER_PAGE, page * GROUPS_PER_PAGE);
    // What staff typed stays in the form when an action is refused.
    const values = status === 200 ? {} : (req.body ?? {}) as Record<string, unknown>;
    res.status(status).render('issues/unassigned', {
      title: `待归类建议 · ${campaign.title}`, campaign, groups, q, page, pages, formError, values,
      total: all.reduce((n, g) => n + g.members.length, 0), groupCount: all.length,
      queueTotal: (await triage.countQueue(user, campaign.id)),
      communities: (await campaigns.communitiesFor(user, campaign.id)), categories: await campaigns.categories(campaign.id),
      openIssues: await openIssuesByCommunity(user, campaign.id, groups),
      moveTargets: moveTargets(groups),
      channelLabels: CHANNEL_LABELS, kindLabels: KIND_LABELS,
      // Declined suggestions back on a resident's appeal (申请复核): submission id → the resident's reason.
      reviews: (await appeals?.openInQueue(campaign.id)) ?? new Map<number, string>(),
    });
  }

  /** For the join fields' suggestion lists: the open issues of each community on the page. */
  async function openIssuesByCommunity(user: Viewer, campaignId: number, groups: QueueGroup[]) {
    const wanted = new Set(groups.map((g) => g.communityId));
    const out = new Map<number | null, Array<{ id: number; title: string }>>();
    for (const issue of (await triage.openIssues(user, campaignId))) {
      if (!wanted.has(issue.communityId)) continue;
      out.set(issue.communityId, [...(out.get(issue.communityId) ?? []), { id: issue.id, title: issue.title }]);
    }
    return out;
  }

  /** Where a member may be moved: the other groups of its community on this page. */
  function moveTargets(groups: QueueGroup[]) {
    const out = new Map<number, Array<{ key: number; label: string }>>();
    for (const g of groups) {
      out.set(g.key, groups.filter((o) => o.key !== g.key && o.communityId === g.communityId && g.communityId !== null)
        .map((o) => ({ key: o.key, label: `${o.suggestedTitle}（${o.members.length} 条）` })));
    }
    return out;
  }

  router.get('/campaigns/:id/issues/unassigned', staff, (req, res) => render(req, res));

  /** A group's fields are named after its key: title.12, members.12 … */
  const groupFields = (body: Record<string, unknown>, key: number, names: string[]) =>
    Object.fromEntries(names.map((n) => [n, body[`${n}.${key}`]]));
  const refuse = (err: unknown) => err instanceof InvalidError || err instanceof ConflictError || err instanceof NotFoundError;
  const parsed = <S extends z.ZodTypeAny>(schema: S, input: unknown): z.infer<S> => {
    const p = parseForm(schema, input);
    if (!p.ok) throw invalid(Object.values(p.errors).join('；'));
    return p.value;
  };

  router.post('/campaigns/:id/issues/unassigned', staff, async (req, res) => {
    const user = req.user!;
    const campaign = await campaigns.get(user, idOf(req));
    const body = (req.body ?? {}) as Record<string, unknown>;
    try {
      const action = parsed(actionSchema, body).do;
      const [verb, arg] = action.split(':');
      const key = arg === undefined ? 0 : Number(arg);
      let message: string | null = null;
      if (verb === 'refresh') {
        // Enter in a text field without JavaScript: nothing to do.
      } else if (verb === 'create') {
        const v = parsed(groupCreateSchema, groupFields(body, key, ['members', 'title', 'categoryId']));
        const id = await triage.create(user, campaign.id, v.members, { title: v.title, categoryId: v.categoryId, priority: 2 });
        message = `已建立问题 #${id}「${v.title}」（${v.members.length} 条建议）。`;
      } else if (verb === 'join') {
        const v = parsed(groupJoinSchema, groupFields(body, key, ['members', 'issue']));
        const issue = await triage.join(user, campaign.id, v.members, v.issue);
        message = `已把 ${v.members.length} 条建议并入问题 #${issue.id}「${issue.title}」。`;
      } else if (verb === 'decline') {
        const v = parsed(declineSchema, groupFields(body, key, ['members', 'reason']));
        const n = await triage.decline(user, campaign.id, v.members, v.reason ?? '');
        message = `已把 ${n} 条建议设为不立项，居民会在回执页看到原因。`;
      } else if (verb === 'split' || verb === 'move') {
        // The member's own group (of.<id>) and, to move it, the group chosen in to.<id>.
        const v = parsed(moveSchema, { of: body[`of.${key}`], to: verb === 'move' ? body[`to.${key}`] : null });
        if (verb === 'move' && v.to === null) throw invalid('请先选择要移到哪一组。');
        const from = parsed(memberList, body[`members.${v.of}`]);
        const to = v.to === null ? [] : parsed(memberList, body[`members.${v.to}`]);
        await triage.correct(user, campaign.id, key, from, to);
        message = verb === 'split' ? `已把建议 #${key} 拆出，单独成组。` : `已把建议 #${key} 移到另一组。`;
      } else {
        const picks = idList('组').parse(body.pick);
        if (picks.length === 0) throw invalid('请先勾选要批量处理的组。');
        if (verb === 'bulk-create') {
          const made: number[] = [];
          for (const k of picks) {
            const v = parsed(groupCreateSchema, groupFields(body, k, ['members', 'title', 'categoryId']));
            made.push((await triage.create(user, campaign.id, v.members, { title: v.title, categoryId: v.categoryId, priority: 2 })));
          }
          message = `已建立 ${made.length} 个问题：${made.map((id) => `#${id}`).join('、')}。`;
        } else {
          const reason = parsed(z.object({ reason: optionalText('不立项原因', REASON_MAX) }), { reason: body.bulkReason }).reason ?? '';
          const members = picks.flatMap((k) => parsed(memberList, body[`members.${k}`]));
          const n = await triage.decline(user, campaign.id, members, reason);
          message = `已把 ${picks.length} 组共 ${n} 条建议设为不立项。`;
        }
      }
      if (message) flash(res, message);
      res.redirect(303, backTo(campaign.id, body));
    } catch (err) {
      if (!refuse(err)) throw err;
      await render(req, res, (err as { kind?: string }).kind === 'not_found' ? 404 : 400, (err as Error).message,
        firstValue(z.coerce.number().int().min(1).max(100000)).catch(1).parse(body.page));
    }
  });

  router.post('/submissions/:id/undecline', staff, async (req, res) => {
    const id = idOf(req);
    await triage.undecline(req.user!, id);
    flash(res, '已取消不立项，这条建议回到了待归类。');
    res.redirect(303, `/submissions/${id}`);
  });

  // ---- the older single-group forms, kept for links and scripts that post them ----

  router.post('/campaigns/:id/issues', staff, async (req, res) => {
    const user = req.user!;
    const campaign = await campaigns.get(user, idOf(req));
    const p = parseForm(createSchema, req.body);
    if (!p.ok) return render(req, res, 400, Object.values(p.errors).join('；'));
    const v = p.value;
    const id = await triage.create(user, campaign.id, v.submissionIds, { title: v.title, categoryId: v.categoryId, priority: v.priority });
    flash(res, `已建立问题 #${id}「${v.title}」（${v.submissionIds.length} 条建议）。`);
    res.redirect(303, req.body?.return === 'issue' ? `/issues/${id}` : backTo(campaign.id, req.body));
  });

  router.post('/campaigns/:id/issues/attach', staff, async (req, res) => {
    const user = req.user!;
    const campaign = await campaigns.get(user, idOf(req));
    const p = parseForm(attachByNumberSchema, req.body);
    if (!p.ok) return render(req, res, 400, Object.values(p.errors).join('；'));
    try {
      const issue = await triage.joinNumber(user, campaign.id, p.value.submissionIds, p.value.issueId);
      flash(res, `已把 ${p.value.submissionIds.length} 条建议并入问题 #${issue.id}「${issue.title}」。`);
    } catch (err) {
      if (err instanceof InvalidError) return render(req, res, 400, err.message);
      throw err;
    }
    res.redirect(303, backTo(campaign.id, req.body));
  });

  return router;
}
