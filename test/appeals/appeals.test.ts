import { makeTestApp, loginAs, viewerOf, createUser, type TestApp } from '../helpers/app';
import { makeCampaign, type MadeCampaign } from '../helpers/factories';
import { newPhone, submitFrom, tokenOf, type Phone } from '../helpers/resident-agent';
import type { Viewer } from '../../src/access/rules';

const feedbackRows = (t: TestApp) => t.db.prepare('SELECT submission_id, issue_id, rating FROM feedback').all();
const auditOf = (t: TestApp, action: string) => t.db.prepare('SELECT entity_type, entity_id, detail, user_id FROM audit_log WHERE action = ? ORDER BY id')
  .all(action).map((r) => ({ ...(r as object), detail: JSON.parse((r as { detail: string }).detail) })) as Array<{ entity_type: string; entity_id: number; detail: Record<string, unknown>; user_id: number | null }>;
const subId = (t: TestApp, code: string) => t.db.prepare('SELECT id FROM submissions WHERE receipt_code = ?').pluck().get(code) as number;

describe('ratings and appeals come only from the resident', () => {
  let t: TestApp;
  let c: MadeCampaign;
  let admin: Viewer;
  let phone: Phone;
  let code: string;
  let issueId: number;

  beforeEach(async () => {
    t = makeTestApp();
    c = makeCampaign(t.db, { askPhoto: false });
    admin = await viewerOf(t, createUser(t.db, { role: 'admin', username: 'boss' }).id);
    phone = newPhone(t);
    code = await submitFrom(phone, c.qrToken, '5号楼路灯不亮，晚上很黑', { name: '李桂芳', phone: '13987654321' });
    const svc = t.app.ctx.issueService;
    issueId = await svc.create(admin, c.campaignId, [subId(t, code)], { title: '5号楼路灯不亮', categoryId: null, priority: 2 });
    await svc.changeStatus(admin, issueId, 'accepted', null);
    await svc.changeStatus(admin, issueId, 'in_progress', null);
    await svc.resolve(admin, issueId, '路灯已更换');
  });
  afterEach(() => t.app.ctx.stopAll());

  async function post(agent: Phone, what: 'feedback' | 'appeal', body: Record<string, string>) {
    const token = await tokenOf(agent, `/r/${code}`);
    return agent.post(`/r/${code}/${what}`).type('form').send({ _csrf: token, ...body });
  }

  it('takes the rating from the phone that submitted, with no more proof, and records the proof', async () => {
    const page = await phone.get(`/r/${code}`);
    expect(page.text).toContain('name="rating"');
    expect(page.text).not.toContain('name="phoneLast4"');
    const res = await post(phone, 'feedback', { rating: 'satisfied' });
    expect(res.status).toBe(303);
    expect(feedbackRows(t)).toEqual([{ submission_id: subId(t, code), issue_id: issueId, rating: 'satisfied' }]);
    expect(auditOf(t, 'feedback')[0]).toMatchObject({ entity_type: 'issue', entity_id: issueId, user_id: null, detail: { proof: 'device' } });
    const staff = await loginAs(t, 'admin');
    expect((await staff.get(`/issues/${issueId}`)).text).toContain('〔凭提交意见的手机〕');
  });

  it('asks another phone for the last four digits on file, refuses wrong ones and locks after repeated guesses', async () => {
    const other = newPhone(t);
    expect((await other.get(`/r/${code}`)).text).toContain('name="phoneLast4"');
    const none = await post(other, 'feedback', { rating: 'satisfied' });
    expect(none.status).toBe(400);
    expect(none.text).toContain('请填写提交意见时留下的手机号的后四位');
    const wrong = await post(other, 'feedback', { rating: 'satisfied', phoneLast4: '1234' });
    expect(wrong.status).toBe(400);
    expect(wrong.text).toContain('手机号后四位不对');
    expect(feedbackRows(t)).toEqual([]);
    const right = await post(other, 'feedback', { rating: 'basically', phoneLast4: '4321' });
    expect(right.status).toBe(303);
    expect(auditOf(t, 'feedback')[0].detail).toMatchObject({ proof: 'phone_last4', rating: 'basically' });

    // Guessing: after five wrong tries on one code even the right digits wait.
    const code2 = await submitFrom(newPhone(t), c.qrToken, '5号楼门口路灯也坏了', { phone: '13911112222' });
    await t.app.ctx.issueService.attach(admin, issueId, [subId(t, code2)]);
    const guesser = newPhone(t);
    const token = await tokenOf(guesser, `/r/${code2}`);
    for (let i = 0; i < 5; i++) {
      expect((await guesser.post(`/r/${code2}/feedback`).type('form').send({ _csrf: token, rating: 'satisfied', phoneLast4: String(1000 + i) })).status).toBe(400);
    }
    const locked = await guesser.post(`/r/${code2}/feedback`).type('form').send({ _csrf: token, rating: 'satisfied', phoneLast4: '2222' });
    expect(locked.status).toBe(409);
    expect(locked.text).toContain('错误次数太多');
  });

  it('never lets a logged-in staff session rate or appeal, even with the code and the digits', async () => {
    for (const role of ['grid_worker', 'staff', 'admin'] as const) {
      const worker = await loginAs(t, role);
      const page = await worker.get(`/r/${code}`);
      expect(page.text).toContain('工作人员登录状态下不能代居民评价或申请复核');
      const res = await worker.post(`/r/${code}/feedback`).type('form').send({ _csrf: worker.csrf, rating: 'satisfied', phoneLast4: '4321' });
      expect(res.status).toBe(403);
      expect(res.text).toContain('不能代居民评价');
    }
    expect(feedbackRows(t)).toEqual([]);
    await post(phone, 'feedback', { rating: 'unsatisfied' });
    const worker = await loginAs(t, 'grid_worker');
    const appeal = await worker.post(`/r/${code}/appeal`).type('form').send({ _csrf: worker.csrf, reason: '代居民申请', phoneLast4: '4321' });
    expect(appeal.status).toBe(403);
    expect(t.db.prepare('SELECT COUNT(*) FROM appeals').pluck().get()).toBe(0);
  });

  it('takes a paper submission (no phone cookie) with the code and the last four digits, and refuses one with no phone on file', async () => {
    const paper = (await t.app.ctx.submissions.insert({ campaignId: c.campaignId, idempotencyKey: 'paper-1', kind: 'suggestion', text: '路灯不亮', communityId: c.communityId, channel: 'paper_survey', residentPhone: '13655556666' })).submission;
    const anonymous = (await t.app.ctx.submissions.insert({ campaignId: c.campaignId, idempotencyKey: 'paper-2', kind: 'suggestion', text: '路灯又不亮', communityId: c.communityId, channel: 'door_to_door' })).submission;
    await t.app.ctx.issueService.attach(admin, issueId, [paper.id, anonymous.id]);
    const someone = newPhone(t);
    const token = await tokenOf(someone, `/r/${paper.receiptCode}`);
    expect((await someone.post(`/r/${paper.receiptCode}/feedback`).type('form').send({ _csrf: token, rating: 'satisfied', phoneLast4: '6666' })).status).toBe(303);
    const refused = await someone.post(`/r/${anonymous.receiptCode}/feedback`).type('form').send({ _csrf: token, rating: 'satisfied', phoneLast4: '6666' });
    expect(refused.status).toBe(400);
    expect(refused.text).toContain('无法确认是您本人');
  });

  it('after 不满意 the resident may ask once for a review; the issue returns to staff flagged 复核 with the reason', async () => {
    const early = await post(phone, 'appeal', { reason: '还是不亮' });
    expect(early.status).toBe(409);
    expect(early.text).toContain('评价「不满意」后，可以申请复核');
    await post(phone, 'feedback', { rating: 'unsatisfied', comment: '只亮了一天' });
    expect((await phone.get(`/r/${code}`)).text).toContain(`action="/r/${code}/appeal"`);
    const long = await post(phone, 'appeal', { reason: '不'.repeat(201) });
    expect(long.status).toBe(400);
    expect(long.text).toContain('复核理由最多 200 个字');
    expect(long.text).toContain('不'.repeat(201)); // kept for the resident to shorten
    const ok = await post(phone, 'appeal', { reason: '换了灯第二天又不亮了，请再看看线路' });
    expect(ok.status).toBe(303);
    expect((await phone.get(`/r/${code}`)).text).toContain('复核申请：</strong>复核中');
    const again = await post(phone, 'appeal', { reason: '再申请一次' });
    expect(again.status).toBe(409);
    expect(again.text).toContain('只能申请一次复核');
    expect(auditOf(t, 'appeal')).toEqual([expect.objectContaining({ entity_type: 'issue', entity_id: issueId, user_id: null,
      detail: expect.objectContaining({ reason: '换了灯第二天又不亮了，请再看看线路', proof: 'device' }) })]);

    const staff = await loginAs(t, 'admin');
    const list = await staff.get(`/campaigns/${c.campaignId}/issues`);
    expect(list.text).toMatch(new RegExp(`/issues/${issueId}">[^<]+</a> <span class="badge review">复核</span>`));
    const page = await staff.get(`/issues/${issueId}`);
    expect(page.text).toContain('居民申请复核（建议 #');
    expect(page.text).toContain('换了灯第二天又不亮了，请再看看线路');
    const upheldWithoutAnswer = await staff.post(`/issues/${issueId}/review`).type('form').send({ _csrf: staff.csrf, outcome: 'upheld' });
    expect(upheldWithoutAnswer.status).toBe(400);
    const reopened = await staff.post(`/issues/${issueId}/review`).type('form').send({ _csrf: staff.csrf, outcome: 'reopened', answer: '已安排电工检查线路' });
    expect(reopened.status).toBe(303);
    expect(t.db.prepare('SELECT status FROM issues WHERE id = ?').pluck().get(issueId)).toBe('in_progress');
    expect(t.db.prepare('SELECT status, answer FROM appeals').get()).toEqual({ status: 'reopened', answer: '已安排电工检查线路' });
    expect((await phone.get(`/r/${code}`)).text).toContain('已安排电工检查线路');
    const dash = await staff.get(`/campaigns/${c.campaignId}/dashboard`);
    expect(dash.text).toContain('申请复核 1 · 维持 0 · 重新办理 1 · 待处理 0');
  });
});

describe('a declined suggestion can be rated and appealed', () => {
  it('不立项: rated without an issue, the appeal puts it back in the triage queue flagged 复核; declining again ends it upheld', async () => {
    const t = makeTestApp();
    const c = makeCampaign(t.db, { askPhoto: false });
    const admin = await viewerOf(t, createUser(t.db, { role: 'admin' }).id);
    const phone = newPhone(t);
    const code = await submitFrom(phone, c.qrToken, '希望小区里建一个游泳池');
    const id = subId(t, code);
    await t.app.ctx.triageService.decline(admin, c.campaignId, [id], '小区没有场地，暂不具备条件');

    const page = await phone.get(`/r/${code}`);
    expect(page.text).toContain('未采纳');
    expect(page.text).toContain('name="rating"');
    expect(page.text).toContain(`action="/r/${code}/appeal"`);
    const token = await tokenOf(phone, `/r/${code}`);
    expect((await phone.post(`/r/${code}/feedback`).type('form').send({ _csrf: token, rating: 'unsatisfied' })).status).toBe(303);
    expect(t.db.prepare('SELECT issue_id, rating FROM feedback WHERE submission_id = ?').get(id)).toEqual({ issue_id: null, rating: 'unsatisfied' });
    expect((await phone.post(`/r/${code}/appeal`).type('form').send({ _csrf: token, reason: '旁边空地可以建，请再考虑' })).status).toBe(303);
    expect(t.db.prepare('SELECT declined_at FROM submissions WHERE id = ?').pluck().get(id)).toBeNull();
    expect(t.db.prepare('SELECT kind, status, proof FROM appeals').get()).toEqual({ kind: 'submission', status: 'open', proof: 'device' });

    const staff = await loginAs(t, 'admin');
    const queue = await staff.get(`/campaigns/${c.campaignId}/issues/unassigned`);
    expect(queue.text).toContain('<span class="badge review">复核</span> 居民申请复核：旁边空地可以建，请再考虑');
    expect((await phone.get(`/r/${code}`)).text).toContain('复核中');

    await t.app.ctx.triageService.decline(admin, c.campaignId, [id], '经复核，空地属于规划绿地，不能建设');
    expect(t.db.prepare('SELECT status, answer FROM appeals').get()).toEqual({ status: 'upheld', answer: '经复核，空地属于规划绿地，不能建设' });
    const receipt = (await phone.get(`/r/${code}`)).text;
    expect(receipt).toContain('维持原结果');
    expect(receipt).not.toContain(`action="/r/${code}/appeal"`);
    const dash = await staff.get(`/campaigns/${c.campaignId}/dashboard`);
    expect(dash.text).toContain('申请复核 1 · 维持 1 · 重新办理 0 · 待处理 0');
    await t.app.ctx.stopAll();
  });

  it('an appeal of a 不立项 that staff then make into an issue ends reopened', async () => {
    const t = makeTestApp();
    const c = makeCampaign(t.db, { askPhoto: false });
    const admin = await viewerOf(t, createUser(t.db, { role: 'admin' }).id);
    const phone = newPhone(t);
    const code = await submitFrom(phone, c.qrToken, '楼下的井盖松了，踩上去会响');
    await t.app.ctx.triageService.decline(admin, c.campaignId, [subId(t, code)], '不清楚是哪里');
    const token = await tokenOf(phone, `/r/${code}`);
    expect((await phone.post(`/r/${code}/appeal`).type('form').send({ _csrf: token, reason: '就在3号楼门口' })).status).toBe(303);
    await t.app.ctx.issueService.create(admin, c.campaignId, [subId(t, code)], { title: '3号楼门口井盖松动', categoryId: null, priority: 2 });
    expect(t.db.prepare('SELECT status FROM appeals').pluck().get()).toBe('reopened');
    await t.app.ctx.stopAll();
  });
});
