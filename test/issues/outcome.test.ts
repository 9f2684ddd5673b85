import request from 'supertest';
import { makeTestApp, csrfFrom, loginAs, viewerOf, type TestApp } from '../helpers/app';
import { makeCampaign, type MadeCampaign } from '../helpers/factories';
import { auditActions, issueServices, makeSubmission } from '../helpers/issues-factories';
import type { Viewer } from '../../src/access/rules';
import type { Submission } from '../../src/submissions/types';

describe('the resident sees the outcome and rates it once', () => {
  let t: TestApp;
  let c: MadeCampaign;
  let sub: Submission;
  let issueId: number;
  let admin: Viewer;

  const svc = () => issueServices(t.db);

  beforeEach(async () => {
    t = makeTestApp();
    c = makeCampaign(t.db);
    sub = makeSubmission(t.db, c, { text: '3号楼电梯坏了' });
    const id = Number(t.db.prepare("INSERT INTO users (username, display_name, password_hash, role) VALUES ('boss', '王主任', 'x', 'admin')").run().lastInsertRowid);
    admin = await viewerOf(t, id);
    issueId = await svc().issueService.create(admin, c.campaignId, [sub.id], { title: '3号楼电梯坏了', categoryId: null, priority: 2 });
  });

  /** Walks the issue to resolved the way staff and a claimer would. */
  async function resolve(reply = '电梯已修好') {
    const { issueService } = svc();
    await issueService.changeStatus(admin, issueId, 'accepted', null);
    await issueService.changeStatus(admin, issueId, 'in_progress', null);
    await issueService.resolve(admin, issueId, reply);
  }

  /** A resident's browser: loads the receipt page (pre-session cookie + token), then posts the rating. */
  async function rate(body: Record<string, string>, code = sub.receiptCode) {
    const agent = request.agent(t.app);
    const page = await agent.get(`/r/${sub.receiptCode}`);
    // Without the form (not resolved yet) the same pre-session token comes from any public page.
    const token = page.text.includes('name="_csrf"') ? csrfFrom(page.text) : csrfFrom((await agent.get('/login')).text);
    // Another phone than the one that submitted: the resident proves the receipt with the last four digits on file.
    return { page, res: await agent.post(`/r/${code}/feedback`).type('form').send({ _csrf: token, phoneLast4: '5678', ...body }) };
  }

  it('shows the residents’ label for each status, the reply, and the decline reason', async () => {
    expect((await request(t.app).get(`/r/${sub.receiptCode}`)).text).toContain('已受理');
    const { issueService } = svc();
    await issueService.changeStatus(admin, issueId, 'declined', '属于市政道路，已转交区城管局');
    await issueService.reply(admin, issueId, '已转交，请留意');
    const page = await request(t.app).get(`/r/${sub.receiptCode}`);
    expect(page.text).toContain('未采纳');
    expect(page.text).toContain('属于市政道路，已转交区城管局');
    expect(page.text).toContain('已转交，请留意');
    // A declined suggestion has an outcome the resident may rate and appeal (申请复核).
    expect(page.text).toContain('name="rating"');
    expect(page.text).toContain(`action="/r/${sub.receiptCode}/appeal"`);
  });

  it('says only "received" while the submission is not in an issue', async () => {
    const loose = makeSubmission(t.db, c);
    expect((await t.app.ctx.outcomes.forSubmission(loose))).toBeNull();
    const page = await request(t.app).get(`/r/${loose.receiptCode}`);
    expect(page.status).toBe(200);
    expect(page.text).toContain('已收到，等待工作人员处理');
  });

  it('offers the rating form only when resolved, takes one rating, and refuses a second kindly', async () => {
    const early = await rate({ rating: 'satisfied' });
    expect(early.page.text).not.toContain('name="rating"');
    expect(early.res.status).toBe(409);
    expect(early.res.text).toContain('办结后才能评价');

    await resolve();
    const { page, res } = await rate({ rating: 'basically', comment: '修得挺快' });
    expect(page.text).toContain('已办结');
    expect(page.text).toContain('电梯已修好');
    expect(page.text).toContain('name="rating" value="satisfied"');
    expect(page.text).toContain('基本满意');
    expect(res.status).toBe(303);
    expect(res.headers.location).toBe(`/r/${sub.receiptCode}`);
    expect(t.db.prepare('SELECT rating, comment, issue_id FROM feedback').all()).toEqual([{ rating: 'basically', comment: '修得挺快', issue_id: issueId }]);
    expect(auditActions(t.db, issueId)).toContain('feedback');
    // Staff read the resident's words on the issue page's history.
    const staffPage = await (await loginAs(t, 'admin')).get(`/issues/${issueId}`);
    expect(staffPage.text).toContain('居民评价：基本满意');
    expect(staffPage.text).toContain('修得挺快');

    const after = await request(t.app).get(`/r/${sub.receiptCode}`);
    expect(after.text).toContain('您的评价：<strong>基本满意</strong>');
    expect(after.text).not.toContain('name="rating"');

    const second = await rate({ rating: 'unsatisfied' });
    expect(second.res.status).toBe(409);
    expect(second.res.text).toContain('您已经评价过了，每个回执只能评价一次。感谢您的反馈！');
    expect(t.db.prepare('SELECT COUNT(*) FROM feedback').pluck().get()).toBe(1);
  });

  it('refuses bad ratings, long comments, unknown codes and missing CSRF with clear messages', async () => {
    await resolve();
    const bad = await rate({ rating: 'great' });
    expect(bad.res.status).toBe(400);
    expect(bad.res.text).toContain('请选择 满意、基本满意 或 不满意');
    const long = await rate({ rating: 'satisfied', comment: '好'.repeat(201) });
    expect(long.res.status).toBe(400);
    expect(long.res.text).toContain('想说的话最多 200 个字');
    // The refusal stays on the resident's receipt page, in their layout, with the choice and the words kept.
    expect(long.res.text).toContain('class="r-page"');
    expect(long.res.text).not.toContain('class="staff"');
    expect(long.res.text).toContain('name="rating" value="satisfied" required checked');
    expect(long.res.text).toContain('好'.repeat(201));
    expect((await rate({ rating: 'satisfied' }, 'ZZZZ2222')).res.status).toBe(404);
    expect((await rate({ rating: 'satisfied' }, '<script>')).res.status).toBe(404);
    const noCsrf = await request(t.app).post(`/r/${sub.receiptCode}/feedback`).type('form').send({ rating: 'satisfied' });
    expect(noCsrf.status).toBe(403);
    expect(t.db.prepare('SELECT COUNT(*) FROM feedback').pluck().get()).toBe(0);
  });

  it('escapes the reply and the comment', async () => {
    await resolve('<script>alert(1)</script>');
    await rate({ rating: 'satisfied', comment: '<img src=x onerror=alert(1)>' });
    const page = await request(t.app).get(`/r/${sub.receiptCode}`);
    expect(page.text).not.toContain('<script>alert');
    expect(page.text).not.toContain('<img src=x');
  });

  it('rate-limits the public rating endpoint', async () => {
    const limited = makeTestApp({ publicRateLimit: 2 });
    const cc = makeCampaign(limited.db);
    const s = makeSubmission(limited.db, cc);
    const agent = request.agent(limited.app);
    const token = csrfFrom((await agent.get('/login')).text);
    const statuses: number[] = [];
    for (let i = 0; i < 4; i++) statuses.push((await agent.post(`/r/${s.receiptCode}/feedback`).type('form').send({ _csrf: token, rating: 'satisfied' })).status);
    expect(statuses.slice(0, 2)).toEqual([409, 409]);
    expect(statuses[3]).toBe(429);
  });
});
