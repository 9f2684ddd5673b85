import request from 'supertest';
import { makeTestApp, loginAs, viewerOf, createUser, type TestApp } from '../helpers/app';
import { makeCampaign } from '../helpers/factories';
import { newPhone, submitFrom, tokenOf } from '../helpers/resident-agent';
import { runDemo } from '../../src/demo/seed';
import { PUBLIC_STATUSES } from '../../src/board/repo';
import type { Viewer } from '../../src/access/rules';
import { SUPPORTS_PER_MINUTE } from '../../src/board/routes';

const supports = (t: TestApp, issueId: number) =>
  t.db.prepare('SELECT COUNT(*) FROM issue_supports WHERE issue_id = ?').pluck().get(issueId) as number;

describe('the public board of a community, on the demo', () => {
  let t: TestApp;
  let communityId: number;
  let html: string;
  let res: request.Response;
  const marks = PUBLIC_STATUSES.map(() => '?').join(',');

  beforeAll(async () => {
    t = makeTestApp();
    await runDemo(t.app.ctx, () => undefined);
    // The community with the most published issues.
    communityId = t.db.prepare(`SELECT community_id FROM issues WHERE status IN (${marks}) GROUP BY community_id ORDER BY COUNT(*) DESC LIMIT 1`)
      .pluck().get(...PUBLIC_STATUSES) as number;
    // A reply with a phone number in it: the board masks it.
    const staff = t.db.prepare("SELECT id FROM users WHERE username = 'jianzhongjie'").pluck().get() as number;
    const issueId = t.db.prepare(`SELECT id FROM issues WHERE community_id = ? AND status IN (${marks}) ORDER BY id LIMIT 1`).pluck().get(communityId, ...PUBLIC_STATUSES) as number;
    await t.app.ctx.issueService.reply((await viewerOf(t, staff)), issueId, '已联系物业，有问题请打 13912345678 找王师傅');
    res = await request(t.app).get(`/b/${communityId}`);
    html = res.text;
  }, 120_000);
  afterAll(() => t.app.ctx.stopAll());

  it('lists the published issues with status, counts, reply, claimer and resolution date', () => {
    expect(res.status).toBe(200);
    const issues = t.db.prepare(`SELECT id, title, status FROM issues WHERE community_id = ? AND status IN (${marks})`).all(communityId, ...PUBLIC_STATUSES) as Array<{ id: number; title: string; status: string }>;
    expect(issues.length).toBeGreaterThan(0);
    for (const i of issues) expect(html).toContain(`id="issue-${i.id}"`);
    // Not yet accepted (its title may still be a resident's words) and declined issues stay off the board.
    const hidden = t.db.prepare(`SELECT id FROM issues WHERE community_id = ? AND status NOT IN (${marks})`).pluck().all(communityId, ...PUBLIC_STATUSES) as number[];
    for (const id of hidden) expect(html).not.toContain(`id="issue-${id}"`);
    expect(html).toContain('位居民反映');
    expect(html).toContain('人附议');
    expect(html).toContain('139****5678');
    expect(html).not.toContain('13912345678');
    if (issues.some((i) => i.status === 'resolved')) expect(html).toContain('办结时间');
    // Claimers: a unit by its name, a party member only as 在职党员.
    if (/认领：/.test(html)) expect(html).toMatch(/认领：(在职党员|二七区司法局)/);
    expect(html).not.toContain('张伟');
  });

  it('shows no resident name, phone or suggestion text', () => {
    const people = t.db.prepare('SELECT DISTINCT resident_name AS name, resident_phone AS phone FROM submissions WHERE community_id = ?')
      .all(communityId) as Array<{ name: string | null; phone: string | null }>;
    expect(people.filter((p) => p.name).length).toBeGreaterThan(5);
    for (const p of people) {
      if (p.name) expect(html).not.toContain(p.name);
      if (p.phone) { expect(html).not.toContain(p.phone); expect(html).not.toContain(p.phone.slice(3)); }
    }
    const titles = t.db.prepare('SELECT title FROM issues').pluck().all() as string[];
    const texts = t.db.prepare('SELECT text FROM submissions WHERE community_id = ?').pluck().all(communityId) as string[];
    for (const text of texts) if (!titles.some((title) => title.includes(text))) expect(html).not.toContain(text);
  });

  it('tells search engines to stay away, needs no JavaScript and prints', () => {
    expect(res.headers['x-robots-tag']).toBe('noindex, nofollow');
    expect(html).toContain('<meta name="robots" content="noindex, nofollow">');
    expect(html).not.toContain('<script');
    expect(html).toMatch(/class="[^"]*print-only"/);
    // Each 附议 is a plain form post.
    expect(html).toMatch(/<form method="post" action="\/b\/issues\/\d+\/support"/);
  });

  it('leads a grid or compound to its community, and refuses other places', async () => {
    const grid = t.db.prepare("SELECT id FROM places WHERE kind = 'grid' AND parent_id = ?").pluck().get(communityId) as number;
    const r = await request(t.app).get(`/b/${grid}`);
    expect(r.status).toBe(301);
    expect(r.headers.location).toBe(`/b/${communityId}`);
    const sub = t.db.prepare("SELECT id FROM places WHERE kind = 'subdistrict'").pluck().get() as number;
    for (const p of [sub, 999999, 'abc']) {
      const n = await request(t.app).get(`/b/${p}`);
      expect(n.status).toBe(404);
      expect(n.text).toContain('没有找到这个社区的公开栏');
    }
  });

  it('leaves out the issues of a campaign whose staff turned the board off', async () => {
    const { campaigns } = t.app.ctx;
    const campaignId = t.db.prepare('SELECT campaign_id FROM issues WHERE community_id = ? LIMIT 1').pluck().get(communityId) as number;
    const c = (await campaigns.findById(campaignId))!;
    const input = { ...c, communityIds: await campaigns.communityIds(campaignId), categoryIds: (await campaigns.categories(campaignId)).map((x) => x.id) };
    await campaigns.update(campaignId, { ...input, publicBoard: false });
    const off = await request(t.app).get(`/b/${communityId}`);
    expect(off.text).not.toContain('id="issue-');
    expect(off.text).toContain('暂时还没有公开的问题');
    await campaigns.update(campaignId, { ...input, publicBoard: true });
    expect((await request(t.app).get(`/b/${communityId}`)).text).toContain('id="issue-');
  });
});

describe('附议 (support)', () => {
  let t: TestApp;
  let c: ReturnType<typeof makeCampaign>;
  let issueId: number;
  let ownCode: string;
  let owner: ReturnType<typeof newPhone>;

  beforeEach(async () => {
    t = makeTestApp();
    c = makeCampaign(t.db, { askPhoto: false });
    owner = newPhone(t);
    ownCode = await submitFrom(owner, c.qrToken, '3号楼电梯经常坏，困过人');
    const admin = createUser(t.db, { role: 'admin', username: 'boss' });
    const sub = t.db.prepare('SELECT id FROM submissions WHERE receipt_code = ?').pluck().get(ownCode) as number;
    const svc = t.app.ctx.issueService;
    issueId = await svc.create((await viewerOf(t, admin.id)), c.campaignId, [sub], { title: '3号楼电梯经常坏', categoryId: null, priority: 2 });
    await svc.changeStatus((await viewerOf(t, admin.id)), issueId, 'accepted', null);
  });
  afterEach(() => t.app.ctx.stopAll());

  async function support(phone: ReturnType<typeof newPhone>, id = issueId, extra: Record<string, string> = {}) {
    const token = await tokenOf(phone, `/b/${c.communityId}`);
    return phone.post(`/b/issues/${id}/support`).type('form').send({ _csrf: token, ...extra });
  }

  it('counts once per phone and issue, apart from the residents who raised it', async () => {
    const a = newPhone(t);
    const first = await support(a);
    expect(first.status).toBe(303);
    expect(first.headers.location).toBe(`/b/${c.communityId}#issue-${issueId}`);
    expect((await support(a)).status).toBe(303);
    expect(supports(t, issueId)).toBe(1);
    await support(newPhone(t));
    expect(supports(t, issueId)).toBe(2);
    const board = await a.get(`/b/${c.communityId}`);
    expect(board.text).toMatch(/<strong class="b-supporters">2<\/strong> 人附议/);
    expect(board.text).toContain('您已附议 ✓');
    expect(board.text).toMatch(/<strong>1<\/strong> 位居民反映/);
    // Another phone still sees the button.
    expect((await newPhone(t).get(`/b/${c.communityId}`)).text).toContain(`action="/b/issues/${issueId}/support"`);
  });

  it('refuses the phone that raised the issue, a resolved issue, an unpublished one, and a missing CSRF token', async () => {
    const own = await support(owner);
    expect(own.status).toBe(409);
    expect(own.text).toContain('这是您自己反映的问题');
    const admin = await viewerOf(t, createUser(t.db, { role: 'admin' }).id);
    const svc = t.app.ctx.issueService;
    const other = await makeIssue(t, c, admin, '路灯不亮');
    expect((await support(newPhone(t), other)).status).toBe(404);
    await svc.changeStatus(admin, issueId, 'in_progress', null);
    await svc.resolve(admin, issueId, '已修好');
    const done = await support(newPhone(t));
    expect(done.status).toBe(409);
    expect(done.text).toContain('已经办结');
    const noCsrf = await newPhone(t).post(`/b/issues/${issueId}/support`).type('form').send({});
    expect(noCsrf.status).toBe(403);
    expect(supports(t, issueId)).toBe(0);
  });

  it('is rate-limited per client with a Chinese message', async () => {
    const phone = newPhone(t);
    const token = await tokenOf(phone, `/b/${c.communityId}`);
    const statuses: number[] = [];
    for (let i = 0; i <= SUPPORTS_PER_MINUTE; i++) statuses.push((await phone.post(`/b/issues/${issueId}/support`).type('form').send({ _csrf: token })).status);
    expect(statuses.slice(0, SUPPORTS_PER_MINUTE).every((s) => s === 303)).toBe(true);
    const limited = await phone.post(`/b/issues/${issueId}/support`).type('form').send({ _csrf: token });
    expect(limited.status).toBe(429);
    expect(limited.text).toContain('附议太频繁了');
    expect(supports(t, issueId)).toBe(1);
  });

  it('is shown to staff, who sort the issue list by it, and on the dashboard', async () => {
    const admin = await viewerOf(t, createUser(t.db, { role: 'admin' }).id);
    const quiet = await makeIssue(t, c, admin, '小区绿化带没人修剪', 'accepted');
    // The quiet issue gets two more residents but no support; the elevator gets three supports.
    for (const text of ['绿化带杂草很高', '树枝挡住窗户']) await t.app.ctx.issueService.attach(admin, quiet, [(await insertSub(t, c, text))]);
    for (let i = 0; i < 3; i++) await support(newPhone(t));
    const staff = await loginAs(t, 'admin');
    const bySupport = await staff.get(`/campaigns/${c.campaignId}/issues?sort=supporters`);
    expect(bySupport.text.indexOf(`/issues/${issueId}"`)).toBeLessThan(bySupport.text.indexOf(`/issues/${quiet}"`));
    const byResidents = await staff.get(`/campaigns/${c.campaignId}/issues`);
    expect(byResidents.text.indexOf(`/issues/${quiet}"`)).toBeLessThan(byResidents.text.indexOf(`/issues/${issueId}"`));
    expect(bySupport.text).toContain('附议人数优先');
    const page = await staff.get(`/issues/${issueId}`);
    expect(page.text).toMatch(/<strong>3<\/strong><span>人附议<\/span>/);
    const dash = await staff.get(`/campaigns/${c.campaignId}/dashboard`);
    expect(dash.text).toMatch(/<strong>3<\/strong><span>居民附议（次）<\/span>/);
  });
});

describe('similar issues on a fresh receipt', () => {
  it('offers the open public issues of the community that look like the same problem, to support in one tap', async () => {
    const t = makeTestApp();
    const c = makeCampaign(t.db, { askPhoto: false });
    const admin = await viewerOf(t, createUser(t.db, { role: 'admin' }).id);
    const lift = await makeIssue(t, c, admin, '3号楼电梯经常坏，困过人', 'accepted');
    const trash = await makeIssue(t, c, admin, '垃圾桶太少，垃圾满了没人清', 'accepted');
    const unpublished = await makeIssue(t, c, admin, '3号楼电梯又停运了');
    const other = makeCampaign(t.db, { askPhoto: false, community: '解放路社区' });
    const elsewhere = await makeIssue(t, other, admin, '3号楼电梯坏了', 'accepted');
    const phone = newPhone(t);
    const code = await submitFrom(phone, c.qrToken, '3号楼的电梯又坏了，老人上下楼很困难');
    const receipt = await phone.get(`/r/${code}?new=1`);
    expect(receipt.text).toContain('社区里已有相似的问题');
    expect(receipt.text).toContain(`id="issue-${lift}"`);
    for (const id of [trash, unpublished, elsewhere]) expect(receipt.text).not.toContain(`id="issue-${id}"`);
    expect(receipt.text).toContain(`<input type="hidden" name="receipt" value="${code}">`);
    expect(receipt.text).toContain(`href="/b/${c.communityId}"`);
    const token = await tokenOf(phone, `/r/${code}`);
    const res = await phone.post(`/b/issues/${lift}/support`).type('form').send({ _csrf: token, receipt: code });
    expect(res.status).toBe(303);
    expect(res.headers.location).toBe(`/r/${code}#similar`);
    expect(supports(t, lift)).toBe(1);
    expect((await phone.get(`/r/${code}`)).text).toContain('您已附议 ✓');
    // Once the submission is part of an issue, the offer is gone.
    await t.app.ctx.issueService.attach(admin, lift, [t.db.prepare('SELECT id FROM submissions WHERE receipt_code = ?').pluck().get(code) as number]);
    expect((await phone.get(`/r/${code}`)).text).not.toContain('社区里已有相似的问题');
    await t.app.ctx.stopAll();
  });
});

describe('my submissions at /r', () => {
  it('lists this phone’s own submissions with codes and status; another phone sees none; lookup by code stays', async () => {
    const t = makeTestApp();
    const c = makeCampaign(t.db, { askPhoto: false });
    const mine = newPhone(t);
    const first = await submitFrom(mine, c.qrToken, '楼道灯坏了，晚上很黑');
    const second = await submitFrom(mine, c.qrToken, '希望增加快递柜');
    const theirs = await submitFrom(newPhone(t), c.qrToken, '垃圾桶太少了');
    (await t.app.ctx.triageService.decline((await viewerOf(t, createUser(t.db, { role: 'admin' }).id)), c.campaignId,
      [t.db.prepare('SELECT id FROM submissions WHERE receipt_code = ?').pluck().get(second) as number], '快递柜由快递公司设置，已转达'));

    const list = await mine.get('/r');
    expect(list.status).toBe(200);
    expect(list.headers['cache-control']).toBe('private, no-store');
    expect(list.headers['x-robots-tag']).toBe('noindex, nofollow');
    for (const code of [first, second]) {
      expect(list.text).toContain(`href="/r/${code}"`);
      expect(list.text).toContain(`${code.slice(0, 4)}-${code.slice(4)}`);
    }
    expect(list.text).toContain('已收到，等待处理');
    expect(list.text).toContain('不立项');
    expect(list.text).not.toContain(theirs);
    expect(list.text.indexOf(second)).toBeLessThan(list.text.indexOf(first)); // newest first

    const stranger = await newPhone(t).get('/r');
    expect(stranger.text).not.toContain(first);
    expect(stranger.text).not.toContain(second);
    expect(stranger.text).toContain('这部手机还没有提交过意见');
    // Lookup by code works from any phone, as before.
    const lookup = await newPhone(t).get(`/r?code=${first.toLowerCase()}`);
    expect(lookup.status).toBe(303);
    expect(lookup.headers.location).toBe(`/r/${first}`);
    // The cookie holds only a random id; the database keeps its hash.
    const key = t.db.prepare('SELECT resident_key FROM submissions WHERE receipt_code = ?').pluck().get(first) as string;
    expect(key).toMatch(/^[0-9a-f]{40}$/);
    await t.app.ctx.stopAll();
  });
});

// ---- helpers ----

let n = 0;
async function insertSub(t: TestApp, c: ReturnType<typeof makeCampaign>, text: string): Promise<number> {
  return (await t.app.ctx.submissions.insert({ campaignId: c.campaignId, idempotencyKey: `board-${++n}-${Math.random()}`, kind: 'suggestion', text, communityId: c.communityId })).submission.id;
}
async function makeIssue(t: TestApp, c: ReturnType<typeof makeCampaign>, admin: Viewer, title: string, status?: 'accepted'): Promise<number> {
  const id = await t.app.ctx.issueService.create(admin, c.campaignId, [(await insertSub(t, c, title))], { title, categoryId: null, priority: 2 });
  if (status) await t.app.ctx.issueService.changeStatus(admin, id, status, null);
  return id;
}
