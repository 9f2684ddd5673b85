import request from 'supertest';
import { seedTexts } from '../../src/classify/default-model';
import { makeTestApp, loginAs, type TestApp, type Agent } from '../helpers/app';
import { makeCampaign, type MadeCampaign } from '../helpers/factories';
import { auditActions, issueStatus, issueSubmissionIds, makeSubmission } from '../helpers/issues-factories';

describe('issue list routes', () => {
  let t: TestApp;
  let c: MadeCampaign;
  let staff: Agent;

  const createIssue = async (agent: Agent, ids: number[], title = '3号楼电梯坏了', extra: Record<string, unknown> = {}) => {
    const res = await agent.post(`/campaigns/${c.campaignId}/issues`).type('form')
      .send({ _csrf: agent.csrf, submissionIds: ids.map(String), title, priority: '2', categoryId: String(c.categoryIds[1]), return: 'issue', ...extra });
    expect(res.status).toBe(303);
    return Number(/\/issues\/(\d+)/.exec(res.headers.location)![1]);
  };

  beforeEach(async () => {
    t = makeTestApp();
    c = makeCampaign(t.db);
    staff = await loginAs(t, 'staff', { scopePlaceId: c.communityId });
  });

  it('sends anonymous visitors to the login page and refuses their posts', async () => {
    const list = await request(t.app).get(`/campaigns/${c.campaignId}/issues`).set('Accept', 'text/html');
    expect(list.status).toBe(303);
    expect(list.headers.location).toMatch(/^\/login\?next=/);
    for (const path of [`/campaigns/${c.campaignId}/issues/unassigned`, `/campaigns/${c.campaignId}/issues/print`, '/issues/1']) {
      const r = await request(t.app).get(path).set('Accept', 'text/html');
      expect([path, r.status]).toEqual([path, 303]);
    }
    const post = await request(t.app).post('/issues/1/status').type('form').send({ to: 'accepted' });
    expect(post.status).toBeGreaterThanOrEqual(401);
    expect(post.status).toBeLessThan(404);
  });

  it('refuses a state change without the CSRF token and changes nothing', async () => {
    const s = makeSubmission(t.db, c);
    const id = await createIssue(staff, [s.id]);
    const res = await staff.post(`/issues/${id}/status`).type('form').send({ to: 'accepted' });
    expect(res.status).toBe(403);
    expect(res.text).toMatch(/页面已过期/);
    const forged = await staff.post(`/issues/${id}/status`).type('form').send({ _csrf: 'x'.repeat(32), to: 'accepted' });
    expect(forged.status).toBe(403);
    expect(issueStatus(t.db, id)).toBe('new');
  });

  it('creates an issue from submissions, with its audit row, and lists it ranked by residents then urgency', async () => {
    const a = [makeSubmission(t.db, c, { text: '3号楼电梯坏了' }), makeSubmission(t.db, c, { text: '三号楼电梯又坏了' }), makeSubmission(t.db, c, { text: '3号楼电梯不能用' })];
    const b = makeSubmission(t.db, c, { text: '垃圾没人清运' });
    const d = makeSubmission(t.db, c, { text: '楼道有电动车充电，有火灾隐患' });
    const lift = await createIssue(staff, a.map((s) => s.id), '3号楼电梯坏了');
    const trash = await createIssue(staff, [b.id], '垃圾清运不及时');
    const fire = await createIssue(staff, [d.id], '楼道电动车充电', { priority: '3' });
    expect(issueSubmissionIds(t.db, lift)).toEqual(a.map((s) => s.id));
    expect(auditActions(t.db, lift)).toEqual(['create']);
    const issue = t.db.prepare('SELECT * FROM issues WHERE id = ?').get(lift) as { community_id: number; compound_id: number; category_id: number; created_by: number };
    expect(issue).toMatchObject({ community_id: c.communityId, compound_id: c.compoundId, category_id: c.categoryIds[1], created_by: staff.userId });

    const list = await staff.get(`/campaigns/${c.campaignId}/issues`);
    expect(list.status).toBe(200);
    const order = [...list.text.matchAll(/<a href="\/issues\/(\d+)">/g)].map((m) => Number(m[1]));
    expect(order).toEqual([lift, fire, trash]);
    expect(list.text).toContain('永安社区');
    expect(list.text).toContain('永安里小区');

    const byUrgency = await staff.get(`/campaigns/${c.campaignId}/issues?sort=priority`);
    expect([...byUrgency.text.matchAll(/<a href="\/issues\/(\d+)">/g)].map((m) => Number(m[1]))).toEqual([fire, lift, trash]);
  });

  it('filters by status, category and community', async () => {
    const one = await createIssue(staff, [makeSubmission(t.db, c).id], '问题一');
    const two = await createIssue(staff, [makeSubmission(t.db, c).id], '问题二', { categoryId: String(c.categoryIds[2]) });
    await staff.post(`/issues/${one}/status`).type('form').send({ _csrf: staff.csrf, to: 'accepted' }).expect(303);
    const accepted = await staff.get(`/campaigns/${c.campaignId}/issues?status=accepted`);
    expect(accepted.text).toContain(`/issues/${one}"`);
    expect(accepted.text).not.toContain(`/issues/${two}"`);
    const cat = await staff.get(`/campaigns/${c.campaignId}/issues?category=${c.categoryIds[2]}`);
    expect(cat.text).toContain(`/issues/${two}"`);
    expect(cat.text).not.toContain(`/issues/${one}"`);
    const other = await staff.get(`/campaigns/${c.campaignId}/issues?community=999999`);
    expect(other.text).not.toContain(`/issues/${one}"`);
    // Nonsense filters are ignored, never a 500.
    const junk = await staff.get(`/campaigns/${c.campaignId}/issues?status=<b>&category=abc&community=-1&page=zz&sort=x`);
    expect(junk.status).toBe(200);
  });

  it('prints a clean A4 list', async () => {
    await createIssue(staff, [makeSubmission(t.db, c).id], '路灯不亮');
    const res = await staff.get(`/campaigns/${c.campaignId}/issues/print`);
    expect(res.status).toBe(200);
    expect(res.text).toContain('class="issue-print"');
    expect(res.text).toContain('路灯不亮');
    expect(res.text).toContain('序号');
  });

  it('proposes likely duplicates together and an existing issue they match', async () => {
    const existing = await createIssue(staff, [makeSubmission(t.db, c, { text: '3号楼电梯坏了好几天了' }).id], '3号楼电梯坏了');
    const s1 = makeSubmission(t.db, c, { text: '三号楼的电梯又坏了，老人上下楼很不方便' });
    const s2 = makeSubmission(t.db, c, { text: '3号楼电梯坏了没人修' });
    const s3 = makeSubmission(t.db, c, { text: '小区门口垃圾没人清理，气味很大' });
    const res = await staff.get(`/campaigns/${c.campaignId}/issues/unassigned`);
    expect(res.status).toBe(200);
    const sections = res.text.split('<fieldset class="tgroup"').slice(1);
    expect(sections).toHaveLength(2);
    const members = (section: string) => (/name="members\.\d+" value="([\d,]+)"/.exec(section)?.[1] ?? '').split(',').map(Number);
    const lift = sections.find((x) => members(x).includes(s1.id))!;
    expect(members(lift).sort()).toEqual([s1.id, s2.id].sort());
    // The group's join field offers the issue it matches.
    expect(lift).toMatch(new RegExp(`name="issue\\.\\d+"[^>]*value="#${existing} 3号楼电梯坏了"`));
    const trash = sections.find((x) => members(x).includes(s3.id))!;
    expect(members(trash)).toEqual([s3.id]);
    expect(trash).not.toContain('很像 #');
    expect(res.text).not.toContain('13812345678');
  });

  it('attaches submissions with one click, and refuses ones already in another issue', async () => {
    const first = makeSubmission(t.db, c);
    const issue = await createIssue(staff, [first.id]);
    const s = makeSubmission(t.db, c);
    const res = await staff.post(`/issues/${issue}/attach`).type('form').send({ _csrf: staff.csrf, submissionIds: String(s.id), return: 'unassigned' });
    expect(res.status).toBe(303);
    expect(res.headers.location).toBe(`/campaigns/${c.campaignId}/issues/unassigned`);
    expect(issueSubmissionIds(t.db, issue)).toEqual([first.id, s.id]);
    const other = await createIssue(staff, [makeSubmission(t.db, c).id]);
    const again = await staff.post(`/issues/${other}/attach`).type('form').send({ _csrf: staff.csrf, submissionIds: String(s.id) });
    expect(again.status).toBe(409);
    expect(again.text).toContain(`已经属于问题 #${issue}`);
    expect(issueSubmissionIds(t.db, issue)).toEqual([first.id, s.id]);
    // By number from the unassigned page.
    const s4 = makeSubmission(t.db, c);
    await staff.post(`/campaigns/${c.campaignId}/issues/attach`).type('form').send({ _csrf: staff.csrf, submissionIds: String(s4.id), issueId: `#${other}` }).expect(303);
    expect(issueSubmissionIds(t.db, other)).toContain(s4.id);
    expect(auditActions(t.db, issue)).toEqual(['create', 'attach']);
  });

  it('merges issue B into A keeping every submission, and shows B’s trail on A', async () => {
    const a = [makeSubmission(t.db, c), makeSubmission(t.db, c)];
    const b = [makeSubmission(t.db, c), makeSubmission(t.db, c), makeSubmission(t.db, c)];
    const total = t.db.prepare('SELECT COUNT(*) FROM submissions').pluck().get();
    const A = await createIssue(staff, a.map((s) => s.id), '电梯坏了');
    const B = await createIssue(staff, b.map((s) => s.id), '电梯又坏了');
    await staff.post(`/issues/${B}/status`).type('form').send({ _csrf: staff.csrf, to: 'accepted' }).expect(303);
    const res = await staff.post(`/issues/${A}/merge`).type('form').send({ _csrf: staff.csrf, sourceId: String(B) });
    expect(res.status).toBe(303);
    expect(issueSubmissionIds(t.db, A)).toEqual([...a, ...b].map((s) => s.id).sort((x, y) => x - y));
    expect(t.db.prepare('SELECT COUNT(*) FROM issues WHERE id = ?').pluck().get(B)).toBe(0);
    expect(t.db.prepare('SELECT COUNT(*) FROM submissions').pluck().get()).toBe(total);
    expect(t.db.prepare('SELECT COUNT(*) FROM submissions WHERE issue_id IS NULL').pluck().get()).toBe(0);
    expect(auditActions(t.db, A)).toEqual(['create', 'merge']);
    const page = await staff.get(`/issues/${A}`);
    expect(page.text).toContain(`合并问题 #${B}「电梯又坏了」`);
    expect(page.text).toContain(`（原问题 #${B}）`);
    expect(page.text).toMatch(/状态：待受理 → 已受理/);
    // Merging into itself or a missing issue is refused.
    expect((await staff.post(`/issues/${A}/merge`).type('form').send({ _csrf: staff.csrf, sourceId: String(A) })).status).toBe(409);
    expect((await staff.post(`/issues/${A}/merge`).type('form').send({ _csrf: staff.csrf, sourceId: String(B) })).status).toBe(404);
    const bad = await staff.post(`/issues/${A}/merge`).type('form').send({ _csrf: staff.csrf, sourceId: 'abc' });
    expect(bad.status).toBe(400);
    expect(bad.text).toContain('问题编号');
  });

  it('splits a submission into a new issue or back to unassigned, never the last one', async () => {
    const subs = [makeSubmission(t.db, c), makeSubmission(t.db, c), makeSubmission(t.db, c)];
    const id = await createIssue(staff, subs.map((s) => s.id));
    const toNew = await staff.post(`/issues/${id}/detach`).type('form').send({ _csrf: staff.csrf, submissionId: String(subs[0].id), to: 'new' });
    expect(toNew.status).toBe(303);
    const newId = t.db.prepare('SELECT issue_id FROM submissions WHERE id = ?').pluck().get(subs[0].id) as number;
    expect(newId).not.toBe(id);
    expect(auditActions(t.db, newId)).toEqual(['split_from']);
    await staff.post(`/issues/${id}/detach`).type('form').send({ _csrf: staff.csrf, submissionId: String(subs[1].id), to: 'unassigned' }).expect(303);
    expect(t.db.prepare('SELECT issue_id FROM submissions WHERE id = ?').pluck().get(subs[1].id)).toBeNull();
    const last = await staff.post(`/issues/${id}/detach`).type('form').send({ _csrf: staff.csrf, submissionId: String(subs[2].id), to: 'unassigned' });
    expect(last.status).toBe(409);
    expect(issueSubmissionIds(t.db, id)).toEqual([subs[2].id]);
    expect(auditActions(t.db, id)).toEqual(['create', 'detach', 'detach']);
    expect(t.db.prepare('SELECT COUNT(*) FROM submissions').pluck().get()).toBe(3);
  });

  it('moves status by the rules, asks for a reason to decline, and records category and priority changes', async () => {
    const id = await createIssue(staff, [makeSubmission(t.db, c).id]);
    expect((await staff.post(`/issues/${id}/status`).type('form').send({ _csrf: staff.csrf, to: 'resolved' })).status).toBe(400);
    expect((await staff.post(`/issues/${id}/status`).type('form').send({ _csrf: staff.csrf, to: 'in_progress' })).status).toBe(409);
    const noReason = await staff.post(`/issues/${id}/status`).type('form').send({ _csrf: staff.csrf, to: 'declined', reason: '' });
    expect(noReason.status).toBe(400);
    expect(noReason.text).toContain('请填写未采纳的原因');
    expect((await staff.post(`/issues/${id}/status`).type('form').send({ _csrf: staff.csrf, to: 'bogus' })).status).toBe(400);
    await staff.post(`/issues/${id}/status`).type('form').send({ _csrf: staff.csrf, to: 'accepted' }).expect(303);
    await staff.post(`/issues/${id}/edit`).type('form')
      .send({ _csrf: staff.csrf, title: '新标题', categoryId: String(c.categoryIds[3]), priority: '3' }).expect(303);
    const bad = await staff.post(`/issues/${id}/edit`).type('form').send({ _csrf: staff.csrf, title: '', priority: '9' });
    expect(bad.status).toBe(400);
    expect(bad.text).toContain('请填写问题标题');
    await staff.post(`/issues/${id}/status`).type('form').send({ _csrf: staff.csrf, to: 'declined', reason: '属于市政道路，已转交区城管局' }).expect(303);
    expect(issueStatus(t.db, id)).toBe('declined');
    expect(auditActions(t.db, id)).toEqual(['create', 'status', 'title', 'category', 'priority', 'status']);
    const page = await staff.get(`/issues/${id}`);
    expect(page.text).toContain('状态：已受理 → 未采纳（原因：属于市政道路，已转交区城管局）');
    expect(page.text).toContain('紧急程度：普通 → 紧急');
  });

  it('masks residents’ names and phones unless the role may see them', async () => {
    const id = await createIssue(staff, [makeSubmission(t.db, c).id]);
    const masked = await staff.get(`/issues/${id}`);
    expect(masked.text).toContain('138****5678');
    expect(masked.text).toContain('王**');
    expect(masked.text).not.toContain('13812345678');
    const admin = await loginAs(t, 'admin');
    const full = await admin.get(`/issues/${id}`);
    expect(full.text).toContain('13812345678');
    expect(full.text).toContain('王秀兰');
  });

  it('masks a phone number in the text, and keeps it out of issue titles for everyone', async () => {
    const s = makeSubmission(t.db, c, { text: '楼道灯坏了。请联系我13812345678' });
    // The proposal's suggested title is made from the text; a number never makes it into a title.
    const unassigned = await staff.get(`/campaigns/${c.campaignId}/issues/unassigned`).expect(200);
    expect(unassigned.text).toContain('楼道灯坏了。请联系我138****5678');
    expect(unassigned.text).not.toContain('13812345678');
    const admin = await loginAs(t, 'admin');
    const id = await createIssue(admin, [s.id], '楼道灯坏了 找 138 1234 5678');
    expect(t.db.prepare('SELECT title FROM issues WHERE id = ?').pluck().get(id)).toBe('楼道灯坏了 找 138****5678');
    await admin.post(`/issues/${id}/edit`).type('form').send({ _csrf: admin.csrf, title: '灯坏了 13912345678', priority: '2', categoryId: '' }).expect(303);
    expect(t.db.prepare('SELECT title FROM issues WHERE id = ?').pluck().get(id)).toBe('灯坏了 139****5678');
    expect((await admin.get(`/issues/${id}`)).text).toContain('请联系我13812345678');
    expect((await staff.get(`/issues/${id}`)).text).toContain('请联系我138****5678');
  });

  it('pages through the whole queue, nothing hidden behind a limit, and keeps the filter after creating an issue', async () => {
    const texts = seedTexts().map((x) => x.text);
    const subs = t.db.transaction(() => Array.from({ length: 205 }, (_, i) => makeSubmission(t.db, c, { text: texts[i * 4] })))();
    const page = await staff.get(`/campaigns/${c.campaignId}/issues/unassigned`).expect(200);
    expect(page.text).toContain('待归类建议（205）');
    const groups = Number(/（(\d+) 组，共 205 条）/.exec(page.text)?.[1]);
    const pages = Number(/第 1 \/ (\d+) 页/.exec(page.text)?.[1]);
    expect(groups).toBeGreaterThan(40);
    expect(pages).toBe(Math.ceil(groups / 20));
    const seen = new Set<number>();
    for (let p = 1; p <= pages; p++) {
      const html = (await staff.get(`/campaigns/${c.campaignId}/issues/unassigned?page=${p}`).expect(200)).text;
      for (const m of html.matchAll(/name="members\.\d+" value="([\d,]+)"/g)) for (const id of m[1].split(',')) seen.add(Number(id));
    }
    expect(seen).toEqual(new Set(subs.map((s) => s.id)));
    const res = await staff.post(`/campaigns/${c.campaignId}/issues`).type('form')
      .send({ _csrf: staff.csrf, submissionIds: [String(subs[0].id)], title: '一件事', priority: '2', return: 'unassigned', community: String(c.communityId), category: '' });
    expect(res.status).toBe(303);
    expect(res.headers.location).toBe(`/campaigns/${c.campaignId}/issues/unassigned?community=${c.communityId}`);
    expect((await staff.get(`/campaigns/${c.campaignId}/issues/unassigned`)).text).toContain('待归类建议（204）');
  });

  it('keeps another community’s staff out of an issue: cannot see, list or alter it', async () => {
    const id = await createIssue(staff, [makeSubmission(t.db, c).id], '永安社区的问题');
    const other = makeCampaign(t.db, { community: '幸福社区' });
    const outsider = await loginAs(t, 'staff', { scopePlaceId: other.communityId });
    expect((await outsider.get(`/issues/${id}`)).status).toBe(404);
    for (const [path, body] of [
      [`/issues/${id}/status`, { to: 'accepted' }], [`/issues/${id}/edit`, { title: 'x', priority: '2' }],
      [`/issues/${id}/reply`, { reply: 'x' }], [`/issues/${id}/publish`, { title: 'x' }], [`/issues/${id}/resolve`, {}],
      [`/issues/${id}/merge`, { sourceId: '1' }], [`/issues/${id}/detach`, { submissionId: '1', to: 'new' }],
    ] as Array<[string, Record<string, string>]>) {
      const r = await outsider.post(path).type('form').send({ _csrf: outsider.csrf, ...body });
      expect([path, r.status]).toEqual([path, 404]);
    }
    expect(issueStatus(t.db, id)).toBe('new');
    expect(auditActions(t.db, id)).toEqual(['create']);
    // The campaign runs in 永安社区 only: an outsider cannot open its list at all.
    expect((await outsider.get(`/campaigns/${c.campaignId}/issues`)).status).toBe(404);
    // Nor build an issue from another community's submissions through their own campaign.
    const s = makeSubmission(t.db, c);
    const r = await outsider.post(`/campaigns/${other.campaignId}/issues`).type('form').send({ _csrf: outsider.csrf, submissionIds: String(s.id), title: 'x' });
    expect(r.status).toBe(404);
  });

  it('keeps claimers and grid workers off the issue pages', async () => {
    const id = await createIssue(staff, [makeSubmission(t.db, c).id]);
    for (const role of ['claimer', 'grid_worker'] as const) {
      const agent = await loginAs(t, role, role === 'grid_worker' ? { gridIds: [c.gridId] } : {});
      expect((await agent.get(`/campaigns/${c.campaignId}/issues`)).status).toBe(403);
      expect((await agent.get(`/issues/${id}`)).status).toBe(403);
      expect((await agent.post(`/issues/${id}/status`).type('form').send({ _csrf: agent.csrf, to: 'accepted' })).status).toBe(403);
    }
  });

  it('escapes stored text on the issue pages', async () => {
    const s = makeSubmission(t.db, c, { text: '<script>alert(1)</script>电梯' });
    const id = await createIssue(staff, [s.id], '<img src=x onerror=alert(1)>');
    for (const path of [`/issues/${id}`, `/campaigns/${c.campaignId}/issues`, `/campaigns/${c.campaignId}/issues/print`]) {
      const page = await staff.get(path);
      expect(page.text).not.toContain('<script>alert');
      expect(page.text).not.toContain('<img src=x');
    }
    const page = await staff.get(`/issues/${id}`);
    expect(page.text).toContain('&lt;script&gt;');
  });

  it('refuses bad create input with a clear message, not a 500', async () => {
    const none = await staff.post(`/campaigns/${c.campaignId}/issues`).type('form').send({ _csrf: staff.csrf, title: 'x' });
    expect(none.status).toBe(400);
    expect(none.text).toContain('请至少勾选一条建议');
    const missing = await staff.post(`/campaigns/${c.campaignId}/issues`).type('form').send({ _csrf: staff.csrf, title: 'x', submissionIds: '999999' });
    expect(missing.status).toBe(404);
    expect((await staff.get('/issues/abc')).status).toBe(404);
    expect((await staff.get('/issues/99999999999999999999')).status).toBe(404);
  });
});
