import request from 'supertest';
import { loginAs, makeTestApp, type TestApp } from '../helpers/app';
import { addQrSubmission, createQrCampaign, seedQrPlaces, type QrWorld } from '../helpers/qr-factories';
import { createQrCodes } from '../helpers/factories';

interface CodeRow { id: number; label: string; place_id: number | null; token: string }
const codesOf = (t: TestApp, campaignId: number) =>
  t.db.prepare('SELECT id, label, place_id, token FROM qr_codes WHERE campaign_id = ? ORDER BY id').all(campaignId) as CodeRow[];

describe('QR code routes', () => {
  let t: TestApp;
  let w: QrWorld;
  let campaignId: number;
  beforeEach(() => {
    t = makeTestApp({ baseUrl: 'https://ls.example.cn' });
    w = seedQrPlaces(t.db);
    campaignId = createQrCampaign(t.db, { communityIds: [w.yongan.id, w.qingfeng.id], endsOn: '2026-11-30', title: '楼院环境整治' });
  });
  afterEach(async () => { await t.app.ctx.scanCounter.stop(); t.db.close(); });

  it('creates a code with a label and optional place, encoding BASE_URL/q/<token>', async () => {
    const admin = await loginAs(t, 'admin');
    const res = await admin.post(`/campaigns/${campaignId}/qr`).type('form')
      .send({ _csrf: admin.csrf, label: '永安社区 3号楼公告栏', placeId: String(w.yongan.id) });
    expect(res.status).toBe(303);
    expect(res.headers.location).toBe(`/campaigns/${campaignId}/qr`);
    // Place without a label: the label is the place's name.
    await admin.post(`/campaigns/${campaignId}/qr`).type('form').send({ _csrf: admin.csrf, placeId: String(w.yongan.gridIds[2]) }).expect(303);
    const [a, b] = codesOf(t, campaignId);
    expect(a).toMatchObject({ label: '永安社区 3号楼公告栏', place_id: w.yongan.id });
    expect(b).toMatchObject({ label: '永安社区 第三网格', place_id: w.yongan.gridIds[2] });
    const page = await admin.get(`/campaigns/${campaignId}/qr`).expect(200);
    expect(page.text).toContain('已生成二维码');
    expect(page.text).toContain(`https://ls.example.cn/q/${a.token}`);
  });

  it('refuses a code without label or place, or at a place the campaign does not cover, with the form again', async () => {
    const admin = await loginAs(t, 'admin');
    const empty = await admin.post(`/campaigns/${campaignId}/qr`).type('form').send({ _csrf: admin.csrf, label: '  ' });
    expect(empty.status).toBe(400);
    expect(empty.text).toContain('请填写标签');
    const outside = await admin.post(`/campaigns/${campaignId}/qr`).type('form').send({ _csrf: admin.csrf, label: '建华', placeId: String(w.outsideId) });
    expect(outside.status).toBe(400);
    expect(outside.text).toContain('请选择本次征求意见覆盖的');
    expect(outside.text).toContain('value="建华"');
    const junk = await admin.post(`/campaigns/${campaignId}/qr`).type('form').send({ _csrf: admin.csrf, label: 'x', placeId: 'abc' });
    expect(junk.status).toBe(400);
    const long = await admin.post(`/campaigns/${campaignId}/qr`).type('form').send({ _csrf: admin.csrf, label: '长'.repeat(81) });
    expect(long.status).toBe(400);
    expect(codesOf(t, campaignId)).toHaveLength(0);
  });

  it('bulk-creates one code per community, grid or compound, and never twice for the same place', async () => {
    const admin = await loginAs(t, 'admin');
    const bulk = (level: string) => admin.post(`/campaigns/${campaignId}/qr/bulk`).type('form').send({ _csrf: admin.csrf, level });
    await bulk('grid').expect(303);
    expect(codesOf(t, campaignId).map((c) => c.label)).toEqual(['永安社区 第一网格', '永安社区 第二网格', '永安社区 第三网格', '庆丰社区 第一网格']);
    await bulk('compound').expect(303);
    await bulk('community').expect(303);
    const first = codesOf(t, campaignId);
    expect(first.map((c) => c.label)).toEqual(expect.arrayContaining(['永安社区 永安里小区', '庆丰社区 庆丰苑', '永安社区', '庆丰社区']));
    expect(first).toHaveLength(4 + 3 + 2);

    const again = await bulk('grid');
    expect(again.status).toBe(303);
    await bulk('compound').expect(303);
    await bulk('community').expect(303);
    expect(codesOf(t, campaignId)).toEqual(first);
    const page = await admin.get(`/campaigns/${campaignId}/qr`);
    expect(page.text).toContain('没有重复生成');
    // The uncovered community never gets a code.
    expect(first.some((c) => c.place_id === w.outsideId)).toBe(false);

    const bad = await bulk('building');
    expect(bad.status).toBe(400);
    expect(bad.text).toContain('请选择按社区、网格还是楼院生成');
  });

  it('lists scans (stored + buffered), submissions and conversion, sortable', async () => {
    const [a, b, c] = createQrCodes(t.db, campaignId, 3);
    t.db.prepare('UPDATE qr_codes SET scan_count = ? WHERE id = ?').run(10, a);
    t.db.prepare('UPDATE qr_codes SET scan_count = ? WHERE id = ?').run(4, b);
    t.app.ctx.scanCounter.record(b);
    for (let i = 0; i < 3; i++) addQrSubmission(t.db, campaignId, b);
    addQrSubmission(t.db, campaignId, a);
    addQrSubmission(t.db, campaignId, null);
    const admin = await loginAs(t, 'admin');
    const page = await admin.get(`/campaigns/${campaignId}/qr?sort=conversion`).expect(200);
    const rows = [...page.text.matchAll(/<tr>\s*<td data-label="标签">(张贴点 \d)<br>[\s\S]*?<td data-label="扫码次数" class="num">(\d+)<\/td>\s*<td data-label="提交数" class="num">(\d+)<\/td>\s*<td data-label="转化率" class="num">([^<]+)<\/td>/g)]
      .map((m) => [m[1], Number(m[2]), Number(m[3]), m[4]]);
    // b: 5 scans (4 stored + 1 buffered), 3 submissions = 60%; a: 10 scans, 1 = 10%; c never scanned.
    expect(rows).toEqual([['张贴点 2', 5, 3, '60%'], ['张贴点 1', 10, 1, '10%'], ['张贴点 3', 0, 0, '—']]);
    const byScans = await admin.get(`/campaigns/${campaignId}/qr?sort=scans`).expect(200);
    expect(byScans.text.indexOf('张贴点 1')).toBeLessThan(byScans.text.indexOf('张贴点 2'));
    // An unknown sort falls back to creation order rather than failing.
    await admin.get(`/campaigns/${campaignId}/qr?sort=evil`).expect(200);
    expect(c).toBeGreaterThan(0);
  });

  it('renames a label; an empty label re-renders the list with the error', async () => {
    const [id] = createQrCodes(t.db, campaignId, 1);
    const admin = await loginAs(t, 'admin');
    await admin.post(`/qr/${id}/label`).type('form').send({ _csrf: admin.csrf, label: '永安社区 菜市场入口' }).expect(303);
    expect(codesOf(t, campaignId)[0].label).toBe('永安社区 菜市场入口');
    const bad = await admin.post(`/qr/${id}/label`).type('form').send({ _csrf: admin.csrf, label: '' });
    expect(bad.status).toBe(400);
    expect(bad.text).toContain('请填写标签');
    expect(codesOf(t, campaignId)[0].label).toBe('永安社区 菜市场入口');
  });

  it('downloads a code as an SVG attachment', async () => {
    const [id] = createQrCodes(t.db, campaignId, 1);
    t.db.prepare('UPDATE qr_codes SET label = ? WHERE id = ?').run('永安社区 3号楼/公告栏', id);
    const admin = await loginAs(t, 'admin');
    const res = await admin.get(`/qr/${id}.svg`).buffer(true).parse((r, cb) => {
      let s = ''; r.on('data', (d: Buffer) => { s += d.toString(); }); r.on('end', () => cb(null, s));
    }).expect(200);
    expect(res.headers['content-type']).toMatch(/^image\/svg\+xml/);
    expect(res.headers['content-disposition']).toMatch(/^attachment; filename=.*\.svg/);
    expect(res.headers['content-disposition']).not.toContain('/公告栏');
    expect(String(res.body)).toMatch(/^<svg[\s\S]*<\/svg>\s*$/);
    await admin.get('/qr/99999.svg').expect(404);
    await admin.get('/qr/abc.svg').expect(404);
  });

  it('sends anonymous visitors to login and refuses them and other roles everywhere', async () => {
    const [id] = createQrCodes(t.db, campaignId, 1);
    const anon = request(t.app);
    for (const path of [`/campaigns/${campaignId}/qr`, `/qr/${id}.svg`, `/qr/${id}/poster`, `/campaigns/${campaignId}/posters`, `/campaigns/${campaignId}/labels`]) {
      const res = await anon.get(path).set('Accept', 'text/html');
      expect(res.status).toBe(303);
      expect(res.headers.location).toBe('/login?next=' + encodeURIComponent(path));
    }
    const post = await anon.post(`/campaigns/${campaignId}/qr/bulk`).type('form').send({ level: 'grid' });
    expect([401, 403]).toContain(post.status);
    const worker = await loginAs(t, 'grid_worker', { gridIds: [w.yongan.gridIds[0]] });
    await worker.get(`/campaigns/${campaignId}/qr`).expect(403);
    await worker.get(`/campaigns/${campaignId}/posters`).expect(403);
    expect(codesOf(t, campaignId)).toHaveLength(1);
  });

  it('refuses a POST without the CSRF token', async () => {
    const admin = await loginAs(t, 'admin');
    const res = await admin.post(`/campaigns/${campaignId}/qr`).type('form').send({ label: '无令牌' });
    expect(res.status).toBe(403);
    expect(res.text).toContain('页面已过期');
    await admin.post(`/campaigns/${campaignId}/qr/bulk`).type('form').send({ level: 'grid', _csrf: 'forged' }).expect(403);
    expect(codesOf(t, campaignId)).toHaveLength(0);
  });

  it('keeps staff to their communities', async () => {
    const other = createQrCampaign(t.db, { communityIds: [w.outsideId], title: '建华社区专项' });
    createQrCodes(t.db, other, 1);
    const yonganStaff = await loginAs(t, 'staff', { scopePlaceId: w.yongan.id });
    // Another community's campaign: nothing to see, nothing to create. It answers 404 like a missing one
    // (it used to be 403, which told a prober the id exists), as the campaign's own page does.
    const [otherCode] = codesOf(t, other);
    const missingCampaign = await yonganStaff.get('/campaigns/424242/qr').expect(404);
    const missingCode = await yonganStaff.get('/qr/424242/poster').expect(404);
    for (const path of [`/campaigns/${other}/qr`, `/campaigns/${other}/qr?sort=scans`, `/campaigns/${other}/posters`, `/campaigns/${other}/labels`]) {
      const res = await yonganStaff.get(path).expect(404);
      expect(res.text).toBe(missingCampaign.text);
    }
    for (const path of [`/qr/${otherCode.id}/poster`, `/qr/${otherCode.id}.svg`]) {
      const res = await yonganStaff.get(path).expect(404);
      expect(res.text).toContain('找不到这个二维码');
    }
    const otherPoster = await yonganStaff.get(`/qr/${otherCode.id}/poster`).expect(404);
    expect(otherPoster.text).toBe(missingCode.text);
    for (const label of ['x', '']) {
      const res = await yonganStaff.post(`/qr/${otherCode.id}/label`).type('form').send({ _csrf: yonganStaff.csrf, label }).expect(404);
      expect(res.text).toContain('找不到这个二维码');
    }
    for (const form of [{ label: '全活动通用' }, { placeId: String(w.outsideId) }, { label: 'x', placeId: 'abc' }]) {
      const res = await yonganStaff.post(`/campaigns/${other}/qr`).type('form').send({ _csrf: yonganStaff.csrf, ...form });
      expect(res.status).toBe(404);
      expect(res.text).toContain('找不到这个征求意见活动');
    }
    for (const level of ['community', 'nonsense']) {
      await yonganStaff.post(`/campaigns/${other}/qr/bulk`).type('form').send({ _csrf: yonganStaff.csrf, level }).expect(404);
    }
    expect(codesOf(t, other)).toHaveLength(1);
    expect(codesOf(t, other)[0].label).toBe(otherCode.label);

    // A shared campaign: they only view it, so bulk creation (over every covered place) is refused;
    // the list hides the neighbour's codes.
    await yonganStaff.post(`/campaigns/${campaignId}/qr/bulk`).type('form').send({ _csrf: yonganStaff.csrf, level: 'grid' }).expect(403);
    expect(codesOf(t, campaignId)).toHaveLength(0);
    const admin = await loginAs(t, 'admin');
    await admin.post(`/campaigns/${campaignId}/qr/bulk`).type('form').send({ _csrf: admin.csrf, level: 'grid' }).expect(303);
    const qingfengCode = codesOf(t, campaignId).find((c) => c.place_id === w.qingfeng.gridIds[0])!;
    const list = await yonganStaff.get(`/campaigns/${campaignId}/qr`).expect(200);
    expect(list.text).toContain('永安社区 第三网格');
    expect(list.text).not.toContain('庆丰社区 第一网格');
    // The neighbour's code in the shared campaign is hidden too: 404, not 403 (changed from 403 with the rest).
    await yonganStaff.get(`/qr/${qingfengCode.id}/poster`).expect(404);
    await yonganStaff.get(`/qr/${qingfengCode.id}.svg`).expect(404);
    const bad = await yonganStaff.post(`/campaigns/${campaignId}/qr`).type('form')
      .send({ _csrf: yonganStaff.csrf, placeId: String(w.qingfeng.id) });
    expect(bad.status).toBe(400);

    // A sub-district's staff see both communities.
    const subStaff = await loginAs(t, 'staff', { scopePlaceId: w.subdistrictId });
    const all = await subStaff.get(`/campaigns/${campaignId}/qr`).expect(200);
    expect(all.text).toContain('庆丰社区 第一网格');
  });

  it('lets only those who manage a shared campaign create, rename or bulk-create campaign-wide codes', async () => {
    const yonganStaff = await loginAs(t, 'staff', { scopePlaceId: w.yongan.id });
    const qingfengStaff = await loginAs(t, 'staff', { scopePlaceId: w.qingfeng.id });
    const subStaff = await loginAs(t, 'staff', { scopePlaceId: w.subdistrictId });
    const admin = await loginAs(t, 'admin');
    // Community staff only view the shared campaign, as on its own page.
    await yonganStaff.post(`/campaigns/${campaignId}`).type('form').send({ _csrf: yonganStaff.csrf }).expect(403);

    // No place = campaign-wide: refused to community staff, with a message saying what to do instead.
    const wide = await yonganStaff.post(`/campaigns/${campaignId}/qr`).type('form').send({ _csrf: yonganStaff.csrf, label: '全活动通用' });
    expect(wide.status).toBe(403);
    expect(wide.text).toContain('请选择您负责的社区、网格或楼院');
    for (const level of ['grid', 'community', 'nonsense']) {
      const bulk = await yonganStaff.post(`/campaigns/${campaignId}/qr/bulk`).type('form').send({ _csrf: yonganStaff.csrf, level });
      expect(bulk.status).toBe(403);
      expect(bulk.text).toContain('批量生成');
    }
    expect(codesOf(t, campaignId)).toHaveLength(0);
    // A code at their own place is fine.
    await yonganStaff.post(`/campaigns/${campaignId}/qr`).type('form')
      .send({ _csrf: yonganStaff.csrf, placeId: String(w.yongan.gridIds[0]) }).expect(303);
    const yonganCode = codesOf(t, campaignId)[0];
    expect(yonganCode).toMatchObject({ place_id: w.yongan.gridIds[0] });
    await yonganStaff.post(`/qr/${yonganCode.id}/label`).type('form').send({ _csrf: yonganStaff.csrf, label: '永安 一网格公告栏' }).expect(303);
    // Yongan's code is invisible to Qingfeng's staff, so it answers 404 like a missing code (it was 403).
    await qingfengStaff.post(`/qr/${yonganCode.id}/label`).type('form').send({ _csrf: qingfengStaff.csrf, label: 'x' }).expect(404);
    expect(codesOf(t, campaignId)[0].label).toBe('永安 一网格公告栏');

    // The page offers them neither a campaign-wide code nor bulk creation.
    const yonganPage = await yonganStaff.get(`/campaigns/${campaignId}/qr`).expect(200);
    expect(yonganPage.text).not.toContain('（不指定，整个活动通用）');
    expect(yonganPage.text).not.toContain(`action="/campaigns/${campaignId}/qr/bulk"`);
    expect(yonganPage.text).toContain(`action="/qr/${yonganCode.id}/label"`);

    // Sub-district staff manage it: campaign-wide codes and bulk creation work.
    await subStaff.post(`/campaigns/${campaignId}/qr`).type('form').send({ _csrf: subStaff.csrf, label: '全活动通用' }).expect(303);
    const wideCode = codesOf(t, campaignId).find((c) => c.place_id === null)!;
    expect(wideCode.label).toBe('全活动通用');
    await subStaff.post(`/campaigns/${campaignId}/qr/bulk`).type('form').send({ _csrf: subStaff.csrf, level: 'community' }).expect(303);
    const subPage = await subStaff.get(`/campaigns/${campaignId}/qr`).expect(200);
    expect(subPage.text).toContain('（不指定，整个活动通用）');
    expect(subPage.text).toContain(`action="/campaigns/${campaignId}/qr/bulk"`);
    expect(subPage.text).toContain(`action="/qr/${wideCode.id}/label"`);

    // Another covered community's staff see the campaign-wide code and its poster, but may not rename it.
    const qingfengPage = await qingfengStaff.get(`/campaigns/${campaignId}/qr`).expect(200);
    expect(qingfengPage.text).toContain('全活动通用');
    expect(qingfengPage.text).not.toContain(`action="/qr/${wideCode.id}/label"`);
    await qingfengStaff.get(`/qr/${wideCode.id}/poster`).expect(200);
    for (const label of ['改掉', '']) {
      const res = await qingfengStaff.post(`/qr/${wideCode.id}/label`).type('form').send({ _csrf: qingfengStaff.csrf, label });
      expect(res.status).toBe(403);
      expect(res.text).toContain('只有能管理这个征求意见活动的工作人员才能改名');
    }
    expect(codesOf(t, campaignId).find((c) => c.id === wideCode.id)!.label).toBe('全活动通用');
    await subStaff.post(`/qr/${wideCode.id}/label`).type('form').send({ _csrf: subStaff.csrf, label: '街道通用' }).expect(303);
    await admin.post(`/qr/${wideCode.id}/label`).type('form').send({ _csrf: admin.csrf, label: '全街道通用' }).expect(303);
    expect(codesOf(t, campaignId).find((c) => c.id === wideCode.id)!.label).toBe('全街道通用');
  });

  it('takes only plain decimal place ids, with the place message', async () => {
    const admin = await loginAs(t, 'admin');
    // Each of these would have named a real covered place under z.coerce.number (hex, exponent, spaces, "1.0").
    const id = w.yongan.gridIds[0];
    for (const placeId of ['0x10', '1e3', `0x${id.toString(16)}`, `${id}e0`, ` ${id}`, `${id}.0`, '+' + id, '-1', '0']) {
      const res = await admin.post(`/campaigns/${campaignId}/qr`).type('form').send({ _csrf: admin.csrf, label: '张贴点', placeId });
      expect(res.status).toBe(400);
      expect(res.text).toContain('地点格式不正确');
    }
    expect(codesOf(t, campaignId)).toHaveLength(0);
    await admin.post(`/campaigns/${campaignId}/qr`).type('form').send({ _csrf: admin.csrf, placeId: String(id) }).expect(303);
    // An empty place is still "no place", i.e. a campaign-wide code.
    await admin.post(`/campaigns/${campaignId}/qr`).type('form').send({ _csrf: admin.csrf, label: '通用', placeId: '' }).expect(303);
    expect(codesOf(t, campaignId).map((c) => c.place_id)).toEqual([id, null]);
  });

  it('answers 404 for unknown or malformed campaign ids', async () => {
    const admin = await loginAs(t, 'admin');
    await admin.get('/campaigns/424242/qr').expect(404);
    await admin.get('/campaigns/abc/qr').expect(404);
    await admin.get('/campaigns/-1/posters').expect(404);
  });
});

describe('posters and label sheets', () => {
  let t: TestApp;
  let w: QrWorld;
  beforeEach(() => {
    t = makeTestApp({ baseUrl: 'https://ls.example.cn' });
    w = seedQrPlaces(t.db);
  });
  afterEach(async () => { await t.app.ctx.scanCounter.stop(); t.db.close(); });

  it('prints one poster with title, invitation, inline SVG QR, label and end date; no inline styles', async () => {
    const campaignId = createQrCampaign(t.db, { communityIds: [w.yongan.id], endsOn: '2026-11-30', title: '楼院<环境>整治' });
    const [id] = createQrCodes(t.db, campaignId, 1);
    t.db.prepare('UPDATE qr_codes SET label = ? WHERE id = ?').run('永安社区 <b>3号楼</b>', id);
    const admin = await loginAs(t, 'admin');
    const res = await admin.get(`/qr/${id}/poster`).expect(200);
    expect(res.text).toContain('<svg');
    // The title comes in no-break pieces (src/qr/title-lines.ts); read as text it is the escaped title.
    expect(res.text.replace(/<span class="nb">|<\/span>|<wbr>/g, '')).toContain('楼院&lt;环境&gt;整治');
    expect(res.text).not.toContain('<环境>');
    expect(res.text).toContain('永安社区 &lt;b&gt;3号楼&lt;/b&gt;');
    expect(res.text).toContain('截止日期：2026年11月30日');
    expect(res.text).toContain('扫一扫，说出您的意见和微心愿');
    expect(res.text).toContain('/static/css/print.css');
    // No inline style or script (the strict CSP); the print button's script is a file.
    expect(res.text).not.toMatch(/style=|<style|<script(?![^>]*\ssrc="\/static\/)/);
    expect(res.text).not.toContain('class="topbar');
    expect(res.headers['content-security-policy']).toContain("style-src 'self'");
  });

  it('prints every code of a campaign, one poster each', async () => {
    const campaignId = createQrCampaign(t.db, { communityIds: [w.yongan.id] });
    createQrCodes(t.db, campaignId, 7);
    const admin = await loginAs(t, 'admin');
    const res = await admin.get(`/campaigns/${campaignId}/posters`).expect(200);
    expect(res.text.match(/<section class="a4 poster">/g)).toHaveLength(7);
    expect(res.text.match(/<svg/g)).toHaveLength(7);
    for (let i = 1; i <= 7; i++) expect(res.text).toContain(`张贴点 ${i}<`);
  });

  it('groups labels 12 to a page', async () => {
    const campaignId = createQrCampaign(t.db, { communityIds: [w.yongan.id] });
    createQrCodes(t.db, campaignId, 25);
    const admin = await loginAs(t, 'admin');
    const res = await admin.get(`/campaigns/${campaignId}/labels`).expect(200);
    const pages = res.text.split('<section class="a4 label-page">').slice(1);
    expect(pages.map((p) => (p.match(/class="qr-label"/g) ?? []).length)).toEqual([12, 12, 1]);
  });

  it('says kindly when a campaign has no codes to print yet', async () => {
    const campaignId = createQrCampaign(t.db, { communityIds: [w.yongan.id] });
    const admin = await loginAs(t, 'admin');
    const res = await admin.get(`/campaigns/${campaignId}/posters`);
    expect(res.status).toBe(404);
    expect(res.text).toContain('还没有二维码');
  });
});
