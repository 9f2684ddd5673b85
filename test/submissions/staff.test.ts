import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import request from 'supertest';
import { loginAs, makeTestApp, type TestApp } from '../helpers/app';
import { makeCampaign, type MadeCampaign } from '../helpers/factories';
import type { NewSubmission } from '../../src/submissions/types';
import { storePhoto } from '../../src/submissions/upload';
import { tinyPng, pixelsOf } from './photos';

const tmpDirs: string[] = [];
function app(): TestApp {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'linsheng-staff-'));
  tmpDirs.push(dataDir);
  return makeTestApp({ dataDir });
}
afterAll(() => { for (const d of tmpDirs) fs.rmSync(d, { recursive: true, force: true }); });

let seq = 0;
async function record(t: TestApp, c: MadeCampaign, over: Partial<NewSubmission> = {}) {
  return (await t.app.ctx.submissionService.record({
    campaignId: c.campaignId, qrCodeId: c.qrCodeId, idempotencyKey: `test:${++seq}`, kind: 'suggestion', text: `意见${seq}`,
    communityId: c.communityId, gridId: c.gridId, ...over,
  })).submission;
}

/** Two communities of one campaign-world; 永安 has two grids. */
function world(t: TestApp) {
  const a = makeCampaign(t.db, { community: '永安社区', grid: '第一网格' });
  const a2 = makeCampaign(t.db, { community: '永安社区', grid: '第二网格' });
  const b = makeCampaign(t.db, { community: '庆丰社区', grid: '第一网格' });
  return { a, a2, b };
}

describe('staff submissions pages refuse anonymous visitors', () => {
  it('redirects list, detail and photos to the login page', async () => {
    const t = app();
    const { a } = world(t);
    const s = await record(t, a);
    const photo = await storePhoto(path.join(t.config.dataDir, 'uploads'), tinyPng(), 'png');
    await record(t, a, { photoFile: photo });
    for (const url of [`/campaigns/${a.campaignId}/submissions`, `/submissions/${s.id}`, `/uploads/${photo}`]) {
      const res = await request(t.app).get(url);
      expect(res.status).toBe(303);
      expect(res.headers.location).toBe('/login?next=' + encodeURIComponent(url));
    }
    expect((await request(t.app).post(`/submissions/${s.id}/reply`).type('form').send({ reply: 'x' })).status).toBe(403);
  });

  it('refuses claimers', async () => {
    const t = app();
    const { a } = world(t);
    const claimer = await loginAs(t, 'claimer');
    expect((await claimer.get(`/campaigns/${a.campaignId}/submissions`)).status).toBe(403);
  });
});

describe('GET /campaigns/:id/submissions', () => {
  it('lists newest first with text, labels, thumbnail and masked personal data for staff without the flag', async () => {
    const t = app();
    const { a } = world(t);
    const photo = await storePhoto(path.join(t.config.dataDir, 'uploads'), tinyPng(), 'png');
    await record(t, a, { text: '较早的一条', residentPhone: '13812345678', residentName: '王秀兰' });
    // A number typed into the text itself is personal data too.
    const inText = await record(t, a, { text: '楼道灯坏了，请联系我 139-1234-5678' });
    await record(t, a, { text: '<script>alert(1)</script>', photoFile: photo, kind: 'wish', channel: 'door_to_door', categoryId: a.categoryIds[0] });
    t.db.prepare("UPDATE submissions SET created_at = '2026-01-01T00:00:00.000Z' WHERE text = '较早的一条'").run();
    const staff = await loginAs(t, 'staff', { scopePlaceId: a.subdistrictId });
    const res = await staff.get(`/campaigns/${a.campaignId}/submissions`).expect(200);
    expect(res.text.indexOf('&lt;script&gt;alert(1)&lt;/script&gt;')).toBeGreaterThan(-1);
    expect(res.text).not.toContain('<script>alert(1)</script>');
    expect(res.text.indexOf('&lt;script&gt;')).toBeLessThan(res.text.indexOf('较早的一条'));
    expect(res.text).toContain(`src="/uploads/${photo}"`);
    expect(res.text).toContain('138****5678');
    expect(res.text).toContain('王**');
    expect(res.text).not.toContain('13812345678');
    expect(res.text).not.toContain('王秀兰');
    expect(res.text).toContain('楼道灯坏了，请联系我 139****5678');
    expect(res.text).not.toContain('139-1234-5678');
    const detail = await staff.get(`/submissions/${inText.id}`).expect(200);
    expect(detail.text).toContain('139****5678');
    expect(detail.text).not.toContain('139-1234-5678');
    expect(res.text).toContain('入户走访');
    expect(res.text).toContain('线上扫码');
    expect(res.text).toContain('微心愿');
    expect(res.text).toContain('环境卫生');

    const admin = await loginAs(t, 'admin');
    const full = await admin.get(`/campaigns/${a.campaignId}/submissions`).expect(200);
    expect(full.text).toContain('13812345678');
    expect(full.text).toContain('王秀兰');
    expect(full.text).toContain('楼道灯坏了，请联系我 139-1234-5678');
    const flagged = await loginAs(t, 'staff', { scopePlaceId: a.subdistrictId, canSeePersonalData: true });
    expect((await flagged.get(`/campaigns/${a.campaignId}/submissions`)).text).toContain('13812345678');
  });

  it('filters by community, QR code, category, kind, channel and date, and pages by 50', async () => {
    const t = app();
    const { a, b } = world(t);
    // Both QR codes feed one campaign for this test.
    t.db.prepare('UPDATE qr_codes SET campaign_id = ? WHERE id = ?').run(a.campaignId, b.qrCodeId);
    await record(t, a, { text: '甲-建议', categoryId: a.categoryIds[0] });
    await record(t, a, { text: '甲-心愿', kind: 'wish', categoryId: a.categoryIds[1], channel: 'meeting' });
    await record(t, a, { text: '乙-建议', communityId: b.communityId, gridId: b.gridId, qrCodeId: b.qrCodeId });
    t.db.prepare("UPDATE submissions SET created_at = '2026-03-01T17:00:00.000Z' WHERE text = '甲-建议'").run(); // 3月2日 in China
    const admin = await loginAs(t, 'admin');
    const list = async (qs: string) => {
      const text = (await admin.get(`/campaigns/${a.campaignId}/submissions?${qs}`).expect(200)).text;
      return ['甲-建议', '甲-心愿', '乙-建议'].filter((s) => text.includes(s));
    };
    expect(await list('')).toEqual(['甲-建议', '甲-心愿', '乙-建议']);
    expect(await list(`community=${b.communityId}`)).toEqual(['乙-建议']);
    expect(await list(`qr=${a.qrCodeId}`)).toEqual(['甲-建议', '甲-心愿']);
    expect(await list(`category=${a.categoryIds[1]}`)).toEqual(['甲-心愿']);
    expect(await list('kind=wish')).toEqual(['甲-心愿']);
    expect(await list('channel=meeting')).toEqual(['甲-心愿']);
    expect(await list('from=2026-03-02&to=2026-03-02')).toEqual(['甲-建议']);
    expect(await list('kind=nonsense&category=abc&from=yesterday&page=-3')).toEqual(['甲-建议', '甲-心愿', '乙-建议']);

    for (let i = 0; i < 60; i++) await record(t, a, { text: `批量${i}号` });
    const p1 = (await admin.get(`/campaigns/${a.campaignId}/submissions`).expect(200)).text;
    expect(p1).toContain('63 条');
    expect(p1).toContain('第 1 / 2 页');
    expect((p1.match(/href="\/submissions\/\d+"/g) ?? []).length).toBe(50);
    const p2 = (await admin.get(`/campaigns/${a.campaignId}/submissions?page=2`).expect(200)).text;
    expect((p2.match(/href="\/submissions\/\d+"/g) ?? []).length).toBe(13);
    expect((await admin.get('/campaigns/99999/submissions')).status).toBe(404);
  });

  it('shows a grid worker only their grids, and a community staff member only their community', async () => {
    const t = app();
    const { a, a2, b } = world(t);
    for (const c of [a, a2, b]) t.db.prepare('UPDATE qr_codes SET campaign_id = ? WHERE id = ?').run(a.campaignId, c.qrCodeId);
    // The campaign covers both communities; staff of a community it does not cover get 404 (see below).
    t.db.prepare('INSERT INTO campaign_communities (campaign_id, community_id) VALUES (?, ?)').run(a.campaignId, b.communityId);
    const mine = await record(t, a, { text: '第一网格的事' });
    const otherGrid = await record(t, a, { text: '第二网格的事', gridId: a2.gridId });
    const otherCommunity = await record(t, a, { text: '庆丰的事', communityId: b.communityId, gridId: b.gridId });
    const gw = await loginAs(t, 'grid_worker', { gridIds: [a.gridId] });
    const text = (await gw.get(`/campaigns/${a.campaignId}/submissions`).expect(200)).text;
    expect(text).toContain('第一网格的事');
    expect(text).not.toContain('第二网格的事');
    expect(text).not.toContain('庆丰的事');
    expect((await gw.get(`/submissions/${mine.id}`)).status).toBe(200);
    expect((await gw.get(`/submissions/${otherGrid.id}`)).status).toBe(404);
    expect((await gw.get(`/submissions/${otherCommunity.id}`)).status).toBe(404);

    const staff = await loginAs(t, 'staff', { scopePlaceId: b.communityId });
    const st = (await staff.get(`/campaigns/${a.campaignId}/submissions`).expect(200)).text;
    expect(st).toContain('庆丰的事');
    expect(st).not.toContain('第一网格的事');
    expect((await staff.get(`/submissions/${mine.id}`)).status).toBe(404);
  });
});

describe('submission detail and reply', () => {
  it('lets staff reply; the resident sees it on the receipt page; grid workers may not reply', async () => {
    const t = app();
    const { a } = world(t);
    const s = await record(t, a, { text: '路灯坏了', residentPhone: '13912345678' });
    const staff = await loginAs(t, 'staff', { scopePlaceId: a.communityId });
    const page = await staff.get(`/submissions/${s.id}`).expect(200);
    expect(page.text).toContain('路灯坏了');
    expect(page.text).toContain('139****5678');
    expect(page.text).not.toContain('13912345678');
    expect((await staff.post(`/submissions/${s.id}/reply`).type('form').send({ reply: '没有令牌' })).status).toBe(403);
    const saved = await staff.post(`/submissions/${s.id}/reply`).type('form').send({ _csrf: staff.csrf, reply: '已报修，本周五前修好<b>' });
    expect(saved.status).toBe(303);
    expect(saved.headers.location).toBe(`/submissions/${s.id}`);
    const receipt = await request(t.app).get(`/r/${s.receiptCode}`).expect(200);
    expect(receipt.text).toContain('已报修，本周五前修好&lt;b&gt;');
    const tooLong = await staff.post(`/submissions/${s.id}/reply`).type('form').send({ _csrf: staff.csrf, reply: '长'.repeat(1001) });
    expect(tooLong.status).toBe(400);
    expect(tooLong.text).toContain('回复最多 1000 个字');

    const gw = await loginAs(t, 'grid_worker', { gridIds: [a.gridId] });
    expect((await gw.post(`/submissions/${s.id}/reply`).type('form').send({ _csrf: gw.csrf, reply: 'x' })).status).toBe(403);
    expect((await staff.get('/submissions/abc')).status).toBe(404);
  });
});

describe('GET /uploads/:name', () => {
  it('serves a photo to staff in scope with safe headers, and nothing else', async () => {
    const t = app();
    const { a, b } = world(t);
    const dir = path.join(t.config.dataDir, 'uploads');
    const photo = await storePhoto(dir, tinyPng(), 'png');
    const otherPhoto = await storePhoto(dir, tinyPng(2, 2), 'png');
    await record(t, a, { photoFile: photo });
    await record(t, b, { photoFile: otherPhoto, communityId: b.communityId, gridId: b.gridId });
    fs.writeFileSync(path.join(t.config.dataDir, 'secret.txt'), 'secret');

    const staff = await loginAs(t, 'staff', { scopePlaceId: a.communityId });
    const res = await staff.get(`/uploads/${photo}`).expect(200);
    expect(res.headers['content-type']).toBe('image/png');
    expect(res.headers['x-content-type-options']).toBe('nosniff');
    expect(res.headers['content-disposition']).toBe('inline');
    expect(res.headers['content-security-policy']).toBe("default-src 'none'; sandbox");
    expect(await pixelsOf(Buffer.from(res.body))).toEqual(await pixelsOf(tinyPng()));

    expect((await staff.get(`/uploads/${otherPhoto}`)).status).toBe(404); // another community's photo
    const orphan = await storePhoto(dir, tinyPng(), 'png');
    expect((await staff.get(`/uploads/${orphan}`)).status).toBe(404); // not attached to any submission
    for (const bad of ['..%2Fsecret.txt', '..%2F..%2Fetc%2Fpasswd', `${photo.slice(0, -4)}.svg`, 'x.png', `${photo}%00.html`]) {
      const r = await staff.get(`/uploads/${bad}`);
      expect(r.status).toBe(404);
      expect(r.text).not.toContain('secret');
    }
    const gw = await loginAs(t, 'grid_worker', { gridIds: [b.gridId] });
    expect((await gw.get(`/uploads/${photo}`)).status).toBe(404);
    expect((await gw.get(`/uploads/${otherPhoto}`)).status).toBe(200);
    const claimer = await loginAs(t, 'claimer');
    expect((await claimer.get(`/uploads/${photo}`)).status).toBe(403);
  });
});
