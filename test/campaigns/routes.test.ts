import request from 'supertest';
import { csrfFrom, loginAs, makeTestApp, type Agent, type TestApp } from '../helpers/app';
import { seedTwoSubdistricts, type TwoSubdistricts } from '../helpers/campaign-factories';
import { createQrCodes, insertCampaign, insertSubmission } from '../helpers/factories';

const campaignRow = (t: TestApp, id: number) =>
  t.db.prepare('SELECT title, status, starts_on AS startsOn, ends_on AS endsOn, subdistrict_id AS subdistrictId, ask_photo AS askPhoto, ask_contact AS askContact FROM campaigns WHERE id = ?').get(id) as
    { title: string; status: string; startsOn: string; endsOn: string; subdistrictId: number; askPhoto: number; askContact: number } | undefined;
const linked = (t: TestApp, table: 'campaign_communities' | 'campaign_categories', id: number) =>
  t.db.prepare(`SELECT ${table === 'campaign_communities' ? 'community_id' : 'category_id'} FROM ${table} WHERE campaign_id = ? ORDER BY 1`).pluck().all(id) as number[];
const categoryIds = (t: TestApp) => t.db.prepare('SELECT id FROM categories ORDER BY id').pluck().all() as number[];

function validForm(t: TestApp, w: TwoSubdistricts, agent: Agent, over: Record<string, unknown> = {}) {
  return {
    _csrf: agent.csrf, title: '老旧小区改造征求意见', description: '请说说您身边的问题', startsOn: '2026-03-01', endsOn: '2026-03-31',
    subdistrictId: String(w.jianzhong.id), communityIds: [String(w.jianzhong.yongan), String(w.jianzhong.qingfeng)],
    categoryIds: categoryIds(t).slice(0, 3).map(String), askPhoto: 'on', ...over,
  };
}

describe('campaigns: access', () => {
  it('sends anonymous visitors to login from every page and refuses their posts', async () => {
    const t = makeTestApp();
    const w = seedTwoSubdistricts(t.db);
    const id = insertCampaign(t.db, { subdistrictId: w.jianzhong.id, communityIds: [w.jianzhong.yongan] });
    for (const path of ['/campaigns', '/campaigns/new', `/campaigns/${id}`, `/campaigns/${id}/edit`]) {
      const res = await request(t.app).get(path).set('Accept', 'text/html');
      expect(res.status).toBe(303);
      expect(res.headers.location).toBe('/login?next=' + encodeURIComponent(path));
    }
    const anon = request.agent(t.app);
    const csrf = csrfFrom((await anon.get('/login')).text);
    for (const path of ['/campaigns', `/campaigns/${id}`, `/campaigns/${id}/status`]) {
      expect((await anon.post(path).type('form').send({ _csrf: csrf, title: 'x', to: 'open' })).status).toBe(401);
    }
    expect(campaignRow(t, id)).toMatchObject({ title: '冬季征求意见', status: 'draft' });
    const worker = await loginAs(t, 'grid_worker');
    await worker.get('/campaigns').expect(403);
  });

  it('refuses a post without the CSRF token', async () => {
    const t = makeTestApp();
    const w = seedTwoSubdistricts(t.db);
    const admin = await loginAs(t, 'admin');
    const { _csrf, ...noToken } = validForm(t, w, admin);
    expect(_csrf).toBeTruthy();
    const res = await admin.post('/campaigns').type('form').send(noToken);
    expect(res.status).toBe(403);
    expect(t.db.prepare('SELECT COUNT(*) FROM campaigns').pluck().get()).toBe(0);
    const id = insertCampaign(t.db, { subdistrictId: w.jianzhong.id });
    await admin.post(`/campaigns/${id}/status`).type('form').send({ to: 'open' }).expect(403);
    expect(campaignRow(t, id)?.status).toBe('draft');
  });
});

describe('campaigns: create and edit', () => {
  it('creates a draft with its communities and categories, and shows it on the hub page', async () => {
    const t = makeTestApp();
    const w = seedTwoSubdistricts(t.db);
    const admin = await loginAs(t, 'admin');
    const form = await admin.get('/campaigns/new').expect(200);
    expect(form.text).toContain('建中街街道');
    expect(form.text).toContain('淮河路街道');
    // Every active category is ticked by default.
    expect((form.text.match(/name="categoryIds" value="\d+" checked/g) ?? []).length).toBe(11);

    const res = await admin.post('/campaigns').type('form').send(validForm(t, w, admin));
    expect(res.status).toBe(303);
    const id = Number(/^\/campaigns\/(\d+)$/.exec(res.headers.location)![1]);
    expect(campaignRow(t, id)).toEqual({
      title: '老旧小区改造征求意见', status: 'draft', startsOn: '2026-03-01', endsOn: '2026-03-31',
      subdistrictId: w.jianzhong.id, askPhoto: 1, askContact: 0,
    });
    expect(linked(t, 'campaign_communities', id)).toEqual([w.jianzhong.yongan, w.jianzhong.qingfeng].sort((a, b) => a - b));
    expect(linked(t, 'campaign_categories', id)).toEqual(categoryIds(t).slice(0, 3));

    const hub = await admin.get(`/campaigns/${id}`).expect(200);
    expect(hub.text).toContain('已创建「老旧小区改造征求意见」');
    expect(hub.text).toContain('永安社区、庆丰社区');
    for (const link of ['/qr', '/submissions', '/triage', '/issues', '/dashboard']) {
      expect(hub.text).toContain(`href="/campaigns/${id}${link}"`);
    }
    // No QR codes yet: nothing to print, so no print links (they appear with the first code).
    for (const link of ['/posters', '/labels']) expect(hub.text).not.toContain(`href="/campaigns/${id}${link}"`);
    createQrCodes(t.db, id, 1);
    const withCode = await admin.get(`/campaigns/${id}`).expect(200);
    for (const link of ['/posters', '/labels']) expect(withCode.text).toContain(`href="/campaigns/${id}${link}"`);
    expect(hub.text).toContain(`href="/intake?campaign=${id}"`);
    expect(hub.text).toContain(`href="/intake/import?campaign=${id}"`);
    expect(hub.text).toContain('开始征集');
  });

  it('re-renders the form with Chinese errors by field and keeps the input', async () => {
    const t = makeTestApp();
    const w = seedTwoSubdistricts(t.db);
    const admin = await loginAs(t, 'admin');
    const res = await admin.post('/campaigns').type('form').send(validForm(t, w, admin, {
      title: '', description: '保留我的说明', startsOn: '2026-04-10', endsOn: '2026-04-01', communityIds: [], categoryIds: [],
    }));
    expect(res.status).toBe(400);
    expect(res.text).toContain('请填写标题');
    expect(res.text).toContain('结束日期不能早于开始日期');
    expect(res.text).toContain('请至少选择一个社区');
    expect(res.text).toContain('请至少选择一个居民可选的分类');
    expect(res.text).toContain('保留我的说明');
    expect(res.text).toContain('value="2026-04-10"');

    const badDate = await admin.post('/campaigns').type('form').send(validForm(t, w, admin, { startsOn: '2026-02-30', endsOn: 'next week' }));
    expect(badDate.status).toBe(400);
    expect(badDate.text).toContain('开始日期不是有效日期');
    expect(badDate.text).toContain('结束日期应为 年-月-日');

    // A community of another sub-district, and a missing sub-district, are refused by the service.
    const mixed = await admin.post('/campaigns').type('form').send(validForm(t, w, admin, { communityIds: [String(w.huaihe.xingfu)] }));
    expect(mixed.status).toBe(400);
    expect(mixed.text).toContain('不属于「建中街街道」');
    expect(mixed.text).toContain('幸福社区');
    const noSub = await admin.post('/campaigns').type('form').send(validForm(t, w, admin, { subdistrictId: '' }));
    expect(noSub.status).toBe(400);
    expect(noSub.text).toContain('请选择街道');
    const inactive = t.db.prepare("SELECT id FROM categories WHERE name = '其他'").pluck().get() as number;
    t.db.prepare('UPDATE categories SET active = 0 WHERE id = ?').run(inactive);
    const stale = await admin.post('/campaigns').type('form').send(validForm(t, w, admin, { categoryIds: [String(inactive)] }));
    expect(stale.status).toBe(400);
    expect(stale.text).toContain('已停用');
    expect(t.db.prepare('SELECT COUNT(*) FROM campaigns').pluck().get()).toBe(0);
  });

  it('takes only a plain decimal sub-district id, saying 请选择街道 otherwise', async () => {
    const t = makeTestApp();
    const w = seedTwoSubdistricts(t.db);
    const admin = await loginAs(t, 'admin');
    const id = w.jianzhong.id;
    // Hex, exponent, padded and "1.0" forms of the real sub-district id were all taken by z.coerce.number.
    for (const subdistrictId of ['0x10', '1e3', `0x${id.toString(16)}`, `${id}e0`, ` ${id}`, `${id}.0`, '+' + id, '0']) {
      const res = await admin.post('/campaigns').type('form').send(validForm(t, w, admin, { subdistrictId }));
      expect(res.status).toBe(400);
      expect(res.text).toContain('请选择街道');
      expect(res.text).toContain('value="老旧小区改造征求意见"');
    }
    expect(t.db.prepare('SELECT COUNT(*) FROM campaigns').pluck().get()).toBe(0);
    const ok = await admin.post('/campaigns').type('form').send(validForm(t, w, admin, { subdistrictId: String(id) }));
    expect(ok.status).toBe(303);
    expect(campaignRow(t, Number(/^\/campaigns\/(\d+)$/.exec(ok.headers.location)![1]))?.subdistrictId).toBe(id);
  });

  it('edits a campaign, with the same validation', async () => {
    const t = makeTestApp();
    const w = seedTwoSubdistricts(t.db);
    const admin = await loginAs(t, 'admin');
    const id = insertCampaign(t.db, { subdistrictId: w.jianzhong.id, communityIds: [w.jianzhong.yongan] });
    const form = await admin.get(`/campaigns/${id}/edit`).expect(200);
    expect(form.text).toContain('value="冬季征求意见"');
    expect(form.text).toContain(`name="communityIds" value="${w.jianzhong.yongan}" checked`);

    const bad = await admin.post(`/campaigns/${id}`).type('form').send(validForm(t, w, admin, { title: '改过的标题', endsOn: '2026-01-01' }));
    expect(bad.status).toBe(400);
    expect(bad.text).toContain('结束日期不能早于开始日期');
    expect(bad.text).toContain('value="改过的标题"');
    expect(campaignRow(t, id)?.title).toBe('冬季征求意见');

    await admin.post(`/campaigns/${id}`).type('form').send(validForm(t, w, admin, { title: '改过的标题', communityIds: String(w.jianzhong.qingfeng) })).expect(303);
    expect(campaignRow(t, id)?.title).toBe('改过的标题');
    expect(linked(t, 'campaign_communities', id)).toEqual([w.jianzhong.qingfeng]);
    await admin.get('/campaigns/9999/edit').expect(404);
    await admin.get('/campaigns/abc').expect(404);
  });

  it('lists campaigns newest first', async () => {
    const t = makeTestApp();
    const w = seedTwoSubdistricts(t.db);
    insertCampaign(t.db, { title: '春季活动', subdistrictId: w.jianzhong.id });
    insertCampaign(t.db, { title: '夏季活动', subdistrictId: w.jianzhong.id });
    const admin = await loginAs(t, 'admin');
    const res = await admin.get('/campaigns').expect(200);
    expect(res.text.indexOf('夏季活动')).toBeLessThan(res.text.indexOf('春季活动'));
    expect(res.text.indexOf('夏季活动')).toBeGreaterThan(0);
  });
});

describe('campaigns: states', () => {
  it('opens, closes and reopens, and refuses a jump from draft to closed', async () => {
    const t = makeTestApp();
    const w = seedTwoSubdistricts(t.db);
    const admin = await loginAs(t, 'admin');
    const id = insertCampaign(t.db, { subdistrictId: w.jianzhong.id, communityIds: [w.jianzhong.yongan] });
    const to = (status: string) => admin.post(`/campaigns/${id}/status`).type('form').send({ _csrf: admin.csrf, to: status });

    const refused = await to('closed');
    expect(refused.status).toBe(409);
    expect(refused.text).toContain('活动当前是「草稿」，不能直接改为「已结束」');
    expect(campaignRow(t, id)?.status).toBe('draft');

    await to('open').expect(303);
    expect(campaignRow(t, id)?.status).toBe('open');
    expect((await admin.get(`/campaigns/${id}`)).text).toContain('已开始征集');
    expect((await to('draft')).status).toBe(409);
    await to('closed').expect(303);
    expect(campaignRow(t, id)?.status).toBe('closed');
    expect((await admin.get(`/campaigns/${id}`)).text).toContain('重新开启');
    await to('open').expect(303);
    expect(campaignRow(t, id)?.status).toBe('open');

    const nonsense = await to('archived');
    expect(nonsense.status).toBe(400);
    expect(nonsense.text).toContain('目标状态不正确');
  });
});

describe('campaigns: figures', () => {
  it('shows QR codes, scans and submissions online/offline on the hub', async () => {
    const t = makeTestApp();
    const w = seedTwoSubdistricts(t.db);
    const admin = await loginAs(t, 'admin');
    const id = insertCampaign(t.db, { subdistrictId: w.jianzhong.id, communityIds: [w.jianzhong.yongan], status: 'open' });
    const other = insertCampaign(t.db, { subdistrictId: w.jianzhong.id });
    const qr = t.db.prepare('INSERT INTO qr_codes (campaign_id, token, label, scan_count) VALUES (?, ?, ?, ?)');
    qr.run(id, 'tokA', '公告栏', 17);
    qr.run(id, 'tokB', '楼道', 25);
    qr.run(other, 'tokC', '别的活动', 999);
    const sub = t.db.prepare(`INSERT INTO submissions (campaign_id, receipt_code, idempotency_key, kind, text, channel)
      VALUES (?, ?, ?, 'suggestion', '路灯坏了', ?)`);
    ['online', 'online', 'online', 'door_to_door', 'meeting'].forEach((ch, i) => sub.run(id, 'R' + i, 'k' + i, ch));
    sub.run(other, 'RX', 'kx', 'online');

    const res = await admin.get(`/campaigns/${id}`).expect(200);
    const figures = [...res.text.matchAll(/<li><strong>(\d+)<\/strong><span>([^<]+)<\/span><\/li>/g)].map((m) => [m[2], Number(m[1])]);
    expect(Object.fromEntries(figures)).toEqual({ 二维码: 2, 扫码次数: 42, 线上意见: 3, 线下录入: 2 });
  });

  it('counts submissions per campaign in the list, following later changes and deletions', async () => {
    const t = makeTestApp();
    const w = seedTwoSubdistricts(t.db);
    const admin = await loginAs(t, 'admin');
    const busy = insertCampaign(t.db, { title: '春季活动', subdistrictId: w.jianzhong.id, communityIds: [w.jianzhong.yongan], status: 'open' });
    const quiet = insertCampaign(t.db, { title: '夏季活动', subdistrictId: w.jianzhong.id });
    const moved = insertCampaign(t.db, { title: '秋季活动', subdistrictId: w.jianzhong.id });
    const ids = (['online', 'online', 'door_to_door', 'meeting'] as const).map((channel) =>
      insertSubmission(t.db, { campaignId: busy, channel, communityId: w.jianzhong.yongan }));
    insertSubmission(t.db, { campaignId: moved, channel: 'hotline' });
    // One is moved to another campaign and one deleted: the list and the hub still agree with the table.
    t.db.prepare('UPDATE submissions SET campaign_id = ?, channel = ? WHERE id = ?').run(moved, 'online', ids[0]);
    t.db.prepare('DELETE FROM submissions WHERE id = ?').run(ids[3]);

    const res = await admin.get('/campaigns').expect(200);
    const counts = Object.fromEntries([...res.text.matchAll(/<a href="\/campaigns\/\d+">([^<]+)<\/a>[\s\S]*?<td data-label="意见">(\d+)<\/td>\s*<\/tr>/g)]
      .map((m) => [m[1], Number(m[2])]));
    expect(counts).toEqual({ 春季活动: 2, 夏季活动: 0, 秋季活动: 2 });
    const hub = async (id: number) => Object.fromEntries([...(await admin.get(`/campaigns/${id}`).expect(200)).text
      .matchAll(/<li><strong>(\d+)<\/strong><span>(线上意见|线下录入)<\/span><\/li>/g)].map((m) => [m[2], Number(m[1])]));
    expect(await hub(busy)).toEqual({ 线上意见: 1, 线下录入: 1 });
    expect(await hub(quiet)).toEqual({ 线上意见: 0, 线下录入: 0 });
    expect(await hub(moved)).toEqual({ 线上意见: 1, 线下录入: 1 });
  });
});

describe('campaigns: staff scope', () => {
  it('shows community staff only campaigns touching their community, and hides others even by URL', async () => {
    const t = makeTestApp();
    const w = seedTwoSubdistricts(t.db);
    const mine = insertCampaign(t.db, { title: '永安社区夜市意见', subdistrictId: w.jianzhong.id, communityIds: [w.jianzhong.yongan] });
    const wide = insertCampaign(t.db, { title: '建中街全街道征集', subdistrictId: w.jianzhong.id, communityIds: [w.jianzhong.yongan, w.jianzhong.qingfeng] });
    const neighbour = insertCampaign(t.db, { title: '庆丰社区专项', subdistrictId: w.jianzhong.id, communityIds: [w.jianzhong.qingfeng] });
    const foreign = insertCampaign(t.db, { title: '淮河路的活动', subdistrictId: w.huaihe.id, communityIds: [w.huaihe.xingfu] });
    const staff = await loginAs(t, 'staff', { scopePlaceId: w.jianzhong.yongan });

    const list = await staff.get('/campaigns').expect(200);
    expect(list.text).toContain('永安社区夜市意见');
    expect(list.text).toContain('建中街全街道征集');
    expect(list.text).not.toContain('庆丰社区专项');
    expect(list.text).not.toContain('淮河路的活动');

    for (const id of [neighbour, foreign]) {
      await staff.get(`/campaigns/${id}`).expect(404);
      await staff.get(`/campaigns/${id}/edit`).expect(404);
      await staff.post(`/campaigns/${id}`).type('form').send(validForm(t, w, staff, { title: '被改了' })).expect(404);
      await staff.post(`/campaigns/${id}/status`).type('form').send({ _csrf: staff.csrf, to: 'open' }).expect(404);
    }
    expect(campaignRow(t, foreign)).toMatchObject({ title: '淮河路的活动', status: 'draft' });

    // The sub-district-wide campaign: visible, but a community may not change the other communities' campaign.
    const hub = await staff.get(`/campaigns/${wide}`).expect(200);
    expect(hub.text).not.toContain(`/campaigns/${wide}/edit`);
    await staff.get(`/campaigns/${wide}/edit`).expect(403);
    await staff.post(`/campaigns/${wide}/status`).type('form').send({ _csrf: staff.csrf, to: 'open' }).expect(403);
    expect(campaignRow(t, wide)?.status).toBe('draft');

    // Their own campaign they manage; the form offers only their community and refuses others.
    await staff.post(`/campaigns/${mine}/status`).type('form').send({ _csrf: staff.csrf, to: 'open' }).expect(303);
    const form = await staff.get('/campaigns/new').expect(200);
    expect(form.text).toContain('永安社区');
    expect(form.text).not.toContain('庆丰社区');
    expect(form.text).not.toContain('淮河路街道');
    const sneaky = await staff.post('/campaigns').type('form').send(validForm(t, w, staff));
    expect(sneaky.status).toBe(400);
    expect(sneaky.text).toContain('不在您的负责范围内：庆丰社区');
    await staff.post('/campaigns').type('form').send(validForm(t, w, staff, { communityIds: String(w.jianzhong.yongan) })).expect(303);
  });

  it('lets sub-district staff manage their sub-district and not another', async () => {
    const t = makeTestApp();
    const w = seedTwoSubdistricts(t.db);
    const wide = insertCampaign(t.db, { title: '建中街全街道征集', subdistrictId: w.jianzhong.id, communityIds: [w.jianzhong.yongan, w.jianzhong.qingfeng] });
    const foreign = insertCampaign(t.db, { title: '淮河路的活动', subdistrictId: w.huaihe.id, communityIds: [w.huaihe.xingfu] });
    const staff = await loginAs(t, 'staff', { scopePlaceId: w.jianzhong.id });
    await staff.get(`/campaigns/${wide}/edit`).expect(200);
    await staff.post(`/campaigns/${wide}/status`).type('form').send({ _csrf: staff.csrf, to: 'open' }).expect(303);
    await staff.get(`/campaigns/${foreign}`).expect(404);
    const foreignSub = await staff.post('/campaigns').type('form').send(validForm(t, w, staff, { subdistrictId: String(w.huaihe.id), communityIds: String(w.huaihe.xingfu) }));
    expect(foreignSub.status).toBe(400);
    expect(foreignSub.text).toContain('请选择您负责的街道');
  });
});
