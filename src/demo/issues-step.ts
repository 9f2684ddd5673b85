import type { Viewer } from '../access/rules';
import type { Engine, Queries } from '../db/engine';
import { createOutcomeService } from '../issues/outcome';
import { createIssueRepo, type Issue } from '../issues/repo';
import { commonCategory, createIssueService, suggestTitle } from '../issues/service';
import { createServiceItemRepo } from '../menu/repo';
import { createMenuService } from '../menu/service';
import { createPlaceRepo } from '../places/repo';
import { ISSUE_STATUSES, type IssueStatus, type Priority, type Rating } from '../issues/rules';
import { DEMO_CAMPAIGN_TITLE } from './data';
import { seededRandom, type Random } from './random';
import type { DemoStep, DemoState } from './seed';

/**
 * The rest of the loop, so a newcomer sees it alive: the near-duplicates grouped into issues, issues at every
 * stage (new → accepted → on the menu → claimed → in progress → resolved, one declined), standing services on
 * the menu, claims by both demo claimers, and residents' ratings. Everything goes through the issue and menu
 * services (and the outcome service), so the audit trail tells the same story the pages do.
 */

/** Where issue i (most residents first) ends up; the cycle repeats. Declined is picked separately (just one). */
const STATUS_CYCLE: IssueStatus[] = [
  'resolved', 'in_progress', 'resolved', 'claimed', 'on_menu', 'accepted', 'new', 'resolved', 'in_progress',
  'on_menu', 'resolved', 'new', 'claimed', 'accepted', 'resolved', 'new',
];
/** How many single-resident issues staff have filed so far (the rest wait in the grouping queue). */
const SINGLES_TO_FILE = 30;

/** Categories the partner unit (司法局) takes on; the party member takes the rest. */
const UNIT_CATEGORIES = new Set(['邻里纠纷', '物业管理', '安全隐患']);

const NOTES: Record<string, string> = {
  环境卫生: '已到现场查看，联系了环卫所，本周六组织党员志愿者一起清运。',
  设施维修: '已联系维修师傅上门查看，配件已订购，预计三天内修好。',
  安全隐患: '已上门宣传消防安全，和物业、网格员一起排查楼道和充电线路。',
  停车交通: '已和交警中队、物业商量重新划线方案，下周施工。',
  物业管理: '已约物业公司负责人面谈，整改清单正在商定。',
  邻里纠纷: '司法所调解员已分别上门听取双方意见，约定下周调解。',
};
const DEFAULT_NOTE = '已到现场了解情况，正在协调落实，有进展会及时更新。';

const REPLIES: Record<string, string> = {
  环境卫生: '积存垃圾已清运完毕，已与环卫所约定每周二、五定时清运。感谢您的反映！',
  设施维修: '已请维修人员上门修复，网格员回访确认可以正常使用了。',
  安全隐患: '隐患已排除：楼道杂物和私拉电线已清理，张贴了安全提示，网格员每周巡查。',
  停车交通: '已重新施划停车位，高峰时段安排志愿者引导。',
  物业管理: '已约谈物业公司，整改内容在小区公告栏公示，欢迎监督。',
  绿化美化: '已修剪树木、补种绿植，遮挡采光的枝条已处理。',
  养老服务: '已安排在职党员结对帮扶，每周上门一次，有需要可随时联系社区。',
  托育教育: '党群服务中心已开设“四点半课堂”，工作日下午开放，欢迎报名。',
  文体活动: '活动室已每天开放，广场活动时间表已在公告栏张贴。',
  邻里纠纷: '司法所调解员和社区上门调解，双方已达成一致。',
};
const DEFAULT_REPLY = '已按您的意见办理完毕，感谢参与！如还有问题，欢迎再扫码告诉我们。';

const DECLINE_REASONS: Record<string, string> = {
  停车交通: '涉及市政道路改造，超出社区职责；已将意见转交区交通运输局，有结果会在这里告知。',
  物业管理: '属于物业服务合同约定事项，已督促物业公司按合同处理，本事项不再单独立项。',
};
const DEFAULT_DECLINE = '经网格员上门核实，反映的情况当天已由产权单位处理完毕，本事项不再立项。';

const STANDING_SERVICES: Array<{ community: string; title: string; description: string; claimer?: string; note?: string }> = [
  {
    community: '永安社区', title: '帮独居老人买菜', claimer: 'dangyuan', note: '本周二已帮永安里3位独居老人买菜送到家。',
    description: '每周二、周五上午，为行动不便的独居老人代买蔬菜和日用品，送货上门。',
  },
  {
    community: '解放路社区', title: '法律咨询', claimer: 'sifaju', note: '本月咨询日接待居民12人次，主要是房屋租赁和赡养问题。',
    description: '每月第一个周六上午在党群服务中心提供免费法律咨询：婚姻家庭、房屋租赁、劳动争议。',
  },
  {
    community: '工人新村社区', title: '义务理发',
    description: '每月15日上午在社区广场为老人义务理发，行动不便的可预约上门。',
  },
];

const RATING_COMMENTS: Record<Rating, string[]> = {
  satisfied: ['师傅来得很快，谢谢社区！', '终于解决了，给党员志愿者点赞', ''],
  basically: ['解决了，希望以后能定期检查', '', '等的时间有点长'],
  unsatisfied: ['拖得太久了，希望下次快一点'],
};

const priorityOf = (category: string | null, residents: number): Priority =>
  category === '安全隐患' || residents >= 4 ? 3 : category === '文体活动' || category === '绿化美化' || category === '其他' ? 1 : 2;

export const issuesStep: DemoStep = {
  name: '问题清单、服务菜单、认领和评价 issues, service menu, claims and ratings',
  // The accounts as viewers (their reach read from the database), before the step's transaction.
  async before(state: DemoState) {
    for (const username of ['jianzhongjie', 'dangyuan', 'sifaju']) {
      const id = state.accounts.get(username);
      const u = id === undefined ? undefined : await state.ctx.users.findById(id);
      if (u) state.viewers.set(username, await state.ctx.access.viewerOf(u));
    }
  },
  async run(state: DemoState, tx: Queries) {
    const { ctx } = state;
    const campaignId = state.campaignId;
    if (campaignId === undefined) throw new Error('demo step order: campaign is missing');
    // The services as the composition root builds them, but on the step's own transaction: each of their changes
    // joins it (a unit of work cannot open inside another), so a crash leaves the whole step or nothing.
    const joined: Pick<Engine, 'unitOfWork'> = { unitOfWork: (work) => work(tx) };
    const issues = createIssueRepo(tx);
    const menu = createMenuService({ engine: joined, items: createServiceItemRepo(tx), places: createPlaceRepo(tx) });
    const issueService = createIssueService({ engine: joined, issues, menu });
    // The submissions repo has not moved to the seam: on SQLite it reads on the same connection, in this transaction.
    const outcomes = createOutcomeService({ engine: joined, issues, submissions: ctx.submissions });
    const existing = await issues.count({ campaignId, communityIds: 'all' });
    if (existing > 0) return { added: 0, existing, note: `「${DEMO_CAMPAIGN_TITLE}」已有问题清单，跳过 issue list exists, skipped` };

    const user = (username: string): Viewer => {
      const v = state.viewers.get(username);
      if (!v) throw new Error(`demo step order: account ${username} is missing`);
      return v;
    };
    const staff = user('jianzhongjie');
    const claimers = { member: user('dangyuan'), unit: user('sifaju') };
    const rng: Random = seededRandom(20261126);
    const categoryName = async (id: number | null) => (id === null ? null : issues.categoryName(id));

    // Group as staff would on the grouping page: every likely-duplicate group, and some single reports.
    // Vague texts without a category stay for the triage inbox.
    const queue = await issues.queue({ campaignId, communityIds: 'all' });
    const proposals = ctx.grouping.proposeNow({
      items: queue.map((s) => ({ key: s.id, community: s.communityId, text: s.text, categoryId: s.categoryId })), issues: [],
    }).map((p) => {
      const submissions = p.members.map((m) => queue[m]);
      return { submissions, suggestedTitle: suggestTitle(queue[p.representative].text), suggestedCategoryId: commonCategory(submissions) };
    }).filter((p) => p.submissions.every((s) => s.categoryId !== null));
    // Staff are half-way through: every other multi-resident group is an issue, the rest wait in the queue.
    const groups = proposals.filter((p) => p.submissions.length > 1).sort((a, b) => b.submissions.length - a.submissions.length)
      .filter((_, i) => i % 2 === 0);
    const singles = proposals.filter((p) => p.submissions.length === 1).filter((_, i) => i % 3 === 0).slice(0, SINGLES_TO_FILE);
    const created: Issue[] = [];
    for (const p of [...groups, ...singles]) {
      const category = await categoryName(p.suggestedCategoryId);
      const id = await issueService.create(staff, campaignId, p.submissions.map((s) => s.id), {
        title: p.suggestedTitle, categoryId: p.suggestedCategoryId, priority: priorityOf(category, p.submissions.length),
      });
      created.push((await issues.findById(id))!);
    }

    // Targets: the cycle, then exactly one declined (a 'new' one, preferably a matter outside the community's remit).
    const targets = created.map((_, i) => STATUS_CYCLE[i % STATUS_CYCLE.length]);
    const fresh = targets.map((t, i) => (t === 'new' ? i : -1)).filter((i) => i >= 0);
    const declineAt = fresh.find((i) => created[i].categoryName !== null && created[i].categoryName! in DECLINE_REASONS) ?? fresh[fresh.length - 1];
    if (declineAt !== undefined) targets[declineAt] = 'declined';

    // One issue the community handles itself, without the menu (accepted → in progress).
    const selfHandledAt = targets.indexOf('in_progress');
    // Claimers by category, but each of them gets at least one issue.
    const claimed = targets.map((t, i) => (['claimed', 'in_progress', 'resolved'].includes(t) && i !== selfHandledAt ? i : -1)).filter((i) => i >= 0);
    const claimerOf = new Map(claimed.map((i) => [i, UNIT_CATEGORIES.has(created[i].categoryName ?? '') ? claimers.unit : claimers.member]));
    for (const who of [claimers.unit, claimers.member]) {
      if (claimed.length > 1 && ![...claimerOf.values()].includes(who)) claimerOf.set(claimed[who === claimers.unit ? 1 : 0], who);
    }

    let ratings = 0;
    for (const [i, issue] of created.entries()) {
      const to = targets[i];
      const category = issue.categoryName ?? '';
      if (to === 'new') continue;
      if (to === 'declined') {
        await issueService.changeStatus(staff, issue.id, 'declined', DECLINE_REASONS[category] ?? DEFAULT_DECLINE);
        continue;
      }
      await issueService.changeStatus(staff, issue.id, 'accepted', null);
      if (to === 'accepted') continue;
      if (i === selfHandledAt) {
        await issueService.changeStatus(staff, issue.id, 'in_progress', null);
        await issueService.reply(staff, issue.id, '社区已安排专人办理，预计两周内完成，完成后会在这里告诉您。');
        continue;
      }
      const place = [issue.communityName, issue.compoundName].filter(Boolean).join(' ');
      const itemId = await menu.publishIssue(staff, issue.id, {
        title: issue.title, description: `${place}：${issue.residents} 位居民反映。`, allowMultipleClaimers: issue.residents >= 4,
      });
      if (to === 'on_menu') continue;
      const claimer = claimerOf.get(i)!;
      await menu.claim(claimer, itemId);
      if (to === 'claimed') continue;
      await menu.addNote(claimer, itemId, NOTES[category] ?? DEFAULT_NOTE, null);
      if (to === 'in_progress') continue;
      await menu.markDone(claimer, itemId);
      await issueService.resolve(staff, issue.id, REPLIES[category] ?? DEFAULT_REPLY);
      // About half the residents come back to rate; the first always does, so every resolved issue has one.
      for (const [k, s] of (await issues.submissions(issue.id)).entries()) {
        if (k > 0 && !rng.chance(0.5)) continue;
        const rating = rng.weighted<Rating>(['satisfied', 'basically', 'unsatisfied'], (r) => ({ satisfied: 14, basically: 5, unsatisfied: 1 })[r]);
        await outcomes.rate(s.receiptCode, rating, rng.pick(RATING_COMMENTS[rating]) || null, 'demo');
        ratings++;
      }
    }

    let standingClaims = 0;
    for (const s of STANDING_SERVICES) {
      const community = await createPlaceRepo(tx).findByName('community', s.community);
      if (!community) continue;
      const itemId = await menu.createStanding(staff, community.id, { title: s.title, description: s.description, allowMultipleClaimers: true });
      if (!s.claimer) continue;
      const claimer = user(s.claimer);
      await menu.claim(claimer, itemId);
      if (s.note) await menu.addNote(claimer, itemId, s.note, null);
      standingClaims++;
    }

    const byStatus = new Map<IssueStatus, number>();
    for (const t of targets) byStatus.set(t, (byStatus.get(t) ?? 0) + 1);
    const spread = ISSUE_STATUSES.filter((s) => byStatus.has(s)).map((s) => `${s} ${byStatus.get(s)}`).join(', ');
    const issueClaims = claimed.length;
    return {
      added: created.length,
      existing: 0,
      note: `问题 issues ${created.length}（${groups.length} 个由多条相似建议合并 merged from near-duplicates）：${spread}；`
        + `常设服务 standing services ${STANDING_SERVICES.length}；认领 claims ${issueClaims + standingClaims}；评价 ratings ${ratings}`,
    };
  },
};
