import request from 'supertest';
import { csrfFrom, loginAs, makeTestApp, type TestApp } from '../helpers/app';
import { seedTwoSubdistricts } from '../helpers/campaign-factories';
import { insertCampaign } from '../helpers/factories';

const placeByName = (t: TestApp, name: string) =>
  t.db.prepare('SELECT id, kind, parent_id AS parentId, name, no_property_company AS flag FROM places WHERE name = ?').get(name) as
    { id: number; kind: string; parentId: number | null; name: string; flag: number } | undefined;

describe('places: access', () => {
  it('sends anonymous visitors to the login page and refuses their posts', async () => {
    const t = makeTestApp();
    const w = seedTwoSubdistricts(t.db);
    for (const path of ['/places', `/places/${w.jianzhong.yongan}`]) {
      const res = await request(t.app).get(path).set('Accept', 'text/html');
      expect(res.status).toBe(303);
      expect(res.headers.location).toBe('/login?next=' + encodeURIComponent(path));
    }
    // With a valid pre-session CSRF token the login check itself refuses.
    const anon = request.agent(t.app);
    const csrf = csrfFrom((await anon.get('/login')).text);
    const id = w.jianzhong.yongan;
    for (const path of ['/places', `/places/${id}/rename`, `/places/${id}/flag`, `/places/${id}/delete`, `/places/${id}/bulk`]) {
      const res = await anon.post(path).type('form').send({ _csrf: csrf, name: '改', parentId: String(id), kind: 'grid', names: 'x' });
      expect(res.status).toBe(401);
    }
    expect(placeByName(t, '永安社区')).toBeDefined();
    expect(t.db.prepare('SELECT COUNT(*) FROM places').pluck().get()).toBe(9);
  });

  it('refuses a post without the CSRF token, and grid workers altogether', async () => {
    const t = makeTestApp();
    const w = seedTwoSubdistricts(t.db);
    const admin = await loginAs(t, 'admin');
    const res = await admin.post(`/places/${w.jianzhong.yongan}/rename`).type('form').send({ name: '新名字' });
    expect(res.status).toBe(403);
    expect(res.text).toContain('页面已过期');
    expect(placeByName(t, '永安社区')).toBeDefined();
    const worker = await loginAs(t, 'grid_worker');
    await worker.get('/places').expect(403);
  });
});

describe('places: tree and editing (admin)', () => {
  it('builds district → sub-district → community → grid and compound, refusing the wrong kind', async () => {
    const t = makeTestApp();
    const admin = await loginAs(t, 'admin');
    const add = (body: Record<string, string>) => admin.post('/places').type('form').send({ _csrf: admin.csrf, ...body });
    await add({ parentId: '', kind: 'district', name: '二七区' }).expect(303);
    const d = placeByName(t, '二七区')!;
    await add({ parentId: String(d.id), kind: 'subdistrict', name: '建中街街道' }).expect(303);
    const s = placeByName(t, '建中街街道')!;
    await add({ parentId: String(s.id), kind: 'community', name: '永安社区' }).expect(303);
    const c = placeByName(t, '永安社区')!;
    const ok = await add({ parentId: String(c.id), kind: 'grid', name: '第一网格' });
    expect(ok.status).toBe(303);
    expect(ok.headers.location).toBe(`/places/${c.id}`);
    await add({ parentId: String(c.id), kind: 'compound', name: '铁路家属院', noPropertyCompany: 'on' }).expect(303);
    expect(placeByName(t, '铁路家属院')).toMatchObject({ kind: 'compound', parentId: c.id, flag: 1 });

    const wrong = await add({ parentId: String(s.id), kind: 'grid', name: '错层网格' });
    expect(wrong.status).toBe(400);
    expect(wrong.text).toContain('下只能添加：社区');
    expect(wrong.text).toContain('value="错层网格"');
    const dup = await add({ parentId: String(c.id), kind: 'grid', name: '第一网格' });
    expect(dup.status).toBe(400);
    expect(dup.text).toContain('已有名为「第一网格」的网格');
    const empty = await add({ parentId: String(c.id), kind: 'grid', name: '  ' });
    expect(empty.status).toBe(400);
    expect(empty.text).toContain('请填写名称');

    const tree = await admin.get('/places').expect(200);
    for (const name of ['二七区', '建中街街道', '永安社区', '第一网格', '铁路家属院', '无主管']) expect(tree.text).toContain(name);
  });

  it('renames, toggles the 无主管楼院 flag, and deletes only unused places', async () => {
    const t = makeTestApp();
    const w = seedTwoSubdistricts(t.db);
    const admin = await loginAs(t, 'admin');
    const post = (path: string, body: Record<string, string> = {}) => admin.post(path).type('form').send({ _csrf: admin.csrf, ...body });

    await post(`/places/${w.jianzhong.yonganGrids[0]}/rename`, { name: '第一网格（东）' }).expect(303);
    expect(placeByName(t, '第一网格（东）')?.id).toBe(w.jianzhong.yonganGrids[0]);
    const clash = await post(`/places/${w.jianzhong.yonganGrids[0]}/rename`, { name: '第二网格' });
    expect(clash.status).toBe(400);
    expect(clash.text).toContain('已有名为「第二网格」');

    await post(`/places/${w.jianzhong.yonganCompound}/flag`).expect(303); // checkbox absent = off
    expect(placeByName(t, '铁路家属院')?.flag).toBe(0);
    await post(`/places/${w.jianzhong.yonganCompound}/flag`, { noPropertyCompany: 'on' }).expect(303);
    expect(placeByName(t, '铁路家属院')?.flag).toBe(1);
    const notCompound = await post(`/places/${w.jianzhong.yongan}/flag`, { noPropertyCompany: 'on' });
    expect(notCompound.status).toBe(400);
    expect(notCompound.text).toContain('只有楼院/小区');

    // A community with grids, one used by a campaign, a grid with a submission: all refused with reasons.
    const hasChildren = await post(`/places/${w.jianzhong.yongan}/delete`);
    expect(hasChildren.status).toBe(409);
    expect(hasChildren.text).toContain('下面还有 3 个下级地点');
    const campaignId = insertCampaign(t.db, { subdistrictId: w.jianzhong.id, communityIds: [w.jianzhong.qingfeng] });
    const used = await post(`/places/${w.jianzhong.qingfeng}/delete`);
    expect(used.status).toBe(409);
    expect(used.text).toContain('被 1 个征求意见活动使用');
    t.db.prepare(`INSERT INTO submissions (campaign_id, receipt_code, idempotency_key, kind, text, grid_id)
      VALUES (?, 'R1', 'k1', 'suggestion', '路灯坏了', ?)`).run(campaignId, w.jianzhong.yonganGrids[1]);
    const withSubmission = await post(`/places/${w.jianzhong.yonganGrids[1]}/delete`);
    expect(withSubmission.status).toBe(409);
    expect(withSubmission.text).toContain('1 条居民意见');
    t.db.prepare('INSERT INTO qr_codes (campaign_id, token, label, place_id) VALUES (?, ?, ?, ?)').run(campaignId, 'tok123', '公告栏', w.jianzhong.yonganCompound);
    expect((await post(`/places/${w.jianzhong.yonganCompound}/delete`)).text).toContain('1 个二维码');
    expect(placeByName(t, '永安社区')).toBeDefined();

    // The detail page says why instead of offering the button.
    const page = await admin.get(`/places/${w.jianzhong.qingfeng}`).expect(200);
    expect(page.text).toContain('不能删除：被 1 个征求意见活动使用');

    const del = await post(`/places/${w.jianzhong.yonganGrids[0]}/delete`);
    expect(del.status).toBe(303);
    expect(del.headers.location).toBe(`/places/${w.jianzhong.yongan}`);
    expect(placeByName(t, '第一网格（东）')).toBeUndefined();
  });

  it('bulk-adds grids and compounds one per line, skipping blanks, repeats and existing names', async () => {
    const t = makeTestApp();
    const w = seedTwoSubdistricts(t.db);
    const admin = await loginAs(t, 'admin');
    const res = await admin.post(`/places/${w.jianzhong.yongan}/bulk`).type('form')
      .send({ _csrf: admin.csrf, kind: 'grid', names: '第一网格\r\n\r\n 第三网格 \n第四网格\n第三网格\n' });
    expect(res.status).toBe(303);
    const grids = t.db.prepare("SELECT name FROM places WHERE parent_id = ? AND kind = 'grid' ORDER BY id").pluck().all(w.jianzhong.yongan);
    expect(grids).toEqual(['第一网格', '第二网格', '第三网格', '第四网格']);
    const page = await admin.get(`/places/${w.jianzhong.yongan}`);
    expect(page.text).toContain('已添加 2 个网格；1 个已存在，已跳过：第一网格');

    await admin.post(`/places/${w.jianzhong.yongan}/bulk`).type('form').send({ _csrf: admin.csrf, kind: 'compound', names: '永安里小区\n交通路3号院' }).expect(303);
    expect(placeByName(t, '交通路3号院')).toMatchObject({ kind: 'compound', parentId: w.jianzhong.yongan, flag: 0 });

    const tooLong = await admin.post(`/places/${w.jianzhong.yongan}/bulk`).type('form').send({ _csrf: admin.csrf, kind: 'grid', names: 'a\n' + 'x'.repeat(61) });
    expect(tooLong.status).toBe(400);
    expect(tooLong.text).toContain('第 2 行太长');
    const none = await admin.post(`/places/${w.jianzhong.yongan}/bulk`).type('form').send({ _csrf: admin.csrf, kind: 'grid', names: '\n \n' });
    expect(none.status).toBe(400);
    expect(none.text).toContain('请至少填写一个名称');
    const notCommunity = await admin.post(`/places/${w.jianzhong.id}/bulk`).type('form').send({ _csrf: admin.csrf, kind: 'grid', names: 'x' });
    expect(notCommunity.status).toBe(400);
  });

  it('shows a readable tree for 15 communities', async () => {
    const t = makeTestApp();
    const admin = await loginAs(t, 'admin');
    const w = seedTwoSubdistricts(t.db);
    for (let i = 1; i <= 13; i++) {
      const id = Number(t.db.prepare("INSERT INTO places (kind, parent_id, name) VALUES ('community', ?, ?)").run(w.jianzhong.id, `第${i}社区`).lastInsertRowid);
      for (let g = 1; g <= 5; g++) t.db.prepare("INSERT INTO places (kind, parent_id, name) VALUES ('grid', ?, ?)").run(id, `网格${g}`);
    }
    const res = await admin.get('/places').expect(200);
    expect((res.text.match(/<details/g) ?? []).length).toBe(16);
    expect(res.text).toContain('5 个网格 · 0 个楼院/小区');
  });
});

describe('places: staff scope', () => {
  it('lets sub-district staff manage inside their sub-district only', async () => {
    const t = makeTestApp();
    const w = seedTwoSubdistricts(t.db);
    const staff = await loginAs(t, 'staff', { scopePlaceId: w.jianzhong.id });
    const post = (path: string, body: Record<string, string> = {}) => staff.post(path).type('form').send({ _csrf: staff.csrf, ...body });

    const tree = await staff.get('/places').expect(200);
    expect(tree.text).toContain('永安社区');
    expect(tree.text).not.toContain('淮河路街道');
    expect(tree.text).not.toContain('幸福社区');
    expect(tree.text).not.toContain('添加区');

    await post('/places', { parentId: String(w.jianzhong.id), kind: 'community', name: '交通路社区' }).expect(303);
    await post(`/places/${w.jianzhong.qingfeng}/rename`, { name: '庆丰社区（新）' }).expect(303);
    // Their own sub-district, the district, and another office's places are not theirs to change.
    await post(`/places/${w.jianzhong.id}/rename`, { name: '改名街道' }).expect(403);
    // Another office's places answer like missing ones (404), so their ids cannot be probed.
    await post('/places', { parentId: String(w.huaihe.id), kind: 'community', name: '偷加社区' }).expect(404);
    await post('/places', { parentId: '', kind: 'district', name: '新区' }).expect(403);
    await post(`/places/${w.huaihe.xingfu}/delete`).expect(404);
    await staff.get(`/places/${w.huaihe.xingfu}`).expect(404);
    expect(placeByName(t, '幸福社区')).toBeDefined();
    expect(placeByName(t, '偷加社区')).toBeUndefined();
  });

  it('lets community staff add grids to their community but not touch the community itself', async () => {
    const t = makeTestApp();
    const w = seedTwoSubdistricts(t.db);
    const staff = await loginAs(t, 'staff', { scopePlaceId: w.jianzhong.yongan });
    await staff.post('/places').type('form').send({ _csrf: staff.csrf, parentId: String(w.jianzhong.yongan), kind: 'grid', name: '第五网格' }).expect(303);
    await staff.post(`/places/${w.jianzhong.yongan}/rename`).type('form').send({ _csrf: staff.csrf, name: 'x' }).expect(403);
    await staff.post(`/places/${w.jianzhong.qingfeng}/rename`).type('form').send({ _csrf: staff.csrf, name: 'x' }).expect(404);
    const page = await staff.get(`/places/${w.jianzhong.yongan}`).expect(200);
    expect(page.text).toContain('批量添加');
    expect(page.text).not.toContain('/rename');
  });
});
