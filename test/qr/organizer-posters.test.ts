import fs from 'node:fs';
import path from 'node:path';
import request from 'supertest';
import { loginAs, makeTestApp, type Agent, type TestApp } from '../helpers/app';
import { seedTwoSubdistricts, type TwoSubdistricts } from '../helpers/campaign-factories';
import { createQrCodes } from '../helpers/factories';
import { PUBLIC_DIR } from '../../src/paths';

const categoryIds = (t: TestApp) => t.db.prepare('SELECT id FROM categories ORDER BY id LIMIT 3').pluck().all() as number[];
const organizerRow = (t: TestApp, id: number) =>
  t.db.prepare('SELECT organizer_name AS name, organizer_phone AS phone FROM campaigns WHERE id = ?').get(id) as { name: string; phone: string };
const contactRows = (t: TestApp, id: number) =>
  t.db.prepare('SELECT community_id AS communityId, name, phone FROM campaign_community_contacts WHERE campaign_id = ? ORDER BY 1').all(id);

function form(t: TestApp, w: TwoSubdistricts, agent: Agent, over: Record<string, unknown> = {}) {
  return {
    _csrf: agent.csrf, title: '永安社区楼院环境整治意见征集', description: '', startsOn: '2026-03-01', endsOn: '2026-03-31',
    subdistrictId: String(w.jianzhong.id), communityIds: [String(w.jianzhong.yongan), String(w.jianzhong.qingfeng)],
    categoryIds: categoryIds(t).map(String), organizerName: '建中街街道办事处', organizerPhone: '0371-66881234', ...over,
  };
}

describe('campaign organiser and contact phone', () => {
  let t: TestApp;
  let w: TwoSubdistricts;
  let admin: Agent;
  beforeEach(async () => {
    t = makeTestApp({ baseUrl: 'https://ls.example.cn' });
    w = seedTwoSubdistricts(t.db);
    admin = await loginAs(t, 'admin');
  });
  afterEach(async () => { await t.app.ctx.scanCounter.stop(); t.db.close(); });

  async function create(over: Record<string, unknown> = {}) {
    const res = await admin.post('/campaigns').type('form').send(form(t, w, admin, over)).expect(303);
    return Number(/\/campaigns\/(\d+)$/.exec(res.headers.location)![1]);
  }

  it('stores the organiser and a community contact from the form, and shows them when editing', async () => {
    const id = await create({ contactName_2: 'x', [`contactName_${w.jianzhong.qingfeng}`]: '庆丰社区居委会', [`contactPhone_${w.jianzhong.qingfeng}`]: '0371-66880002' });
    expect(organizerRow(t, id)).toEqual({ name: '建中街街道办事处', phone: '0371-66881234' });
    expect(contactRows(t, id)).toEqual([{ communityId: w.jianzhong.qingfeng, name: '庆丰社区居委会', phone: '0371-66880002' }]);
    const edit = await admin.get(`/campaigns/${id}/edit`).expect(200);
    expect(edit.text).toContain('value="建中街街道办事处"');
    expect(edit.text).toContain(`name="contactPhone_${w.jianzhong.qingfeng}" type="tel" value="0371-66880002"`);
    const hub = await admin.get(`/campaigns/${id}`).expect(200);
    expect(hub.text).toContain('主办：建中街街道办事处 · 联系电话：0371-66881234');
    // Leaving a community drops its contact.
    await admin.post(`/campaigns/${id}`).type('form').send(form(t, w, admin, {
      communityIds: [String(w.jianzhong.yongan)], [`contactName_${w.jianzhong.qingfeng}`]: '庆丰社区居委会',
    })).expect(303);
    expect(contactRows(t, id)).toEqual([]);
  });

  it('refuses a phone that is not a phone number, by field, keeping the input', async () => {
    const res = await admin.post('/campaigns').type('form').send(form(t, w, admin, {
      organizerPhone: '打电话给我', [`contactPhone_${w.jianzhong.yongan}`]: '12', organizerName: '长'.repeat(41),
    }));
    expect(res.status).toBe(400);
    expect(res.text).toContain('联系电话只能包含数字');
    expect(res.text).toContain(`id="err-contactPhone_${w.jianzhong.yongan}"`);
    expect(res.text).toContain('主办单位最多 40 个字');
    expect(res.text).toContain('value="打电话给我"');
    expect(t.db.prepare('SELECT COUNT(*) FROM campaigns').pluck().get()).toBe(0);
    // Both stay optional, and phones are written many ways.
    for (const phone of ['', '138 1234 5678', '12345', '0371-66881234转8001', '(0371) 6688 1234']) {
      await admin.post('/campaigns').type('form').send(form(t, w, admin, { organizerName: '', organizerPhone: phone })).expect(303);
    }
  });

  it('prints the organiser on posters, a community contact on that community\'s posters', async () => {
    const id = await create({ [`contactName_${w.jianzhong.qingfeng}`]: '庆丰社区居委会', [`contactPhone_${w.jianzhong.qingfeng}`]: '0371-66880002' });
    const [yonganCode] = createQrCodes(t.db, id, 1, w.jianzhong.yonganGrids[0]);
    const [qingfengCode] = createQrCodes(t.db, id, 1, w.jianzhong.qingfeng);
    const yongan = await admin.get(`/qr/${yonganCode}/poster`).expect(200);
    expect(yongan.text).toContain('<p class="poster-org">主办：建中街街道办事处　咨询电话：0371-66881234</p>');
    const qingfeng = await admin.get(`/qr/${qingfengCode}/poster`).expect(200);
    expect(qingfeng.text).toContain('<p class="poster-org">主办：庆丰社区居委会　咨询电话：0371-66880002</p>');
    // Without an organiser nothing empty is printed.
    const bare = await create({ organizerName: '', organizerPhone: '' });
    const [bareCode] = createQrCodes(t.db, bare, 1, w.jianzhong.yongan);
    expect((await admin.get(`/qr/${bareCode}/poster`).expect(200)).text).not.toContain('poster-org');
    expect((await admin.get(`/campaigns/${bare}`)).text).toContain('还没有填写主办单位和联系电话');
  });

  it('prints one community at a time on the posters and labels pages', async () => {
    const id = await create();
    createQrCodes(t.db, id, 3, w.jianzhong.yongan);
    createQrCodes(t.db, id, 2, w.jianzhong.yonganGrids[1]);
    createQrCodes(t.db, id, 1, w.jianzhong.qingfeng);
    createQrCodes(t.db, id, 1, null);
    const all = await admin.get(`/campaigns/${id}/posters`).expect(200);
    expect(all.text.match(/<section class="a4 poster">/g)).toHaveLength(7);
    expect(all.text).toContain(`<option value="${w.jianzhong.yongan}">永安社区（5）</option>`);
    expect(all.text).toContain(`<option value="${w.jianzhong.qingfeng}">庆丰社区（1）</option>`);
    const yongan = await admin.get(`/campaigns/${id}/posters?community=${w.jianzhong.yongan}`).expect(200);
    expect(yongan.text.match(/<section class="a4 poster">/g)).toHaveLength(5);
    expect(yongan.text).toContain(`<option value="${w.jianzhong.yongan}" selected>`);
    expect(yongan.text).toContain('<title>永安社区海报 · ');
    const labels = await admin.get(`/campaigns/${id}/labels?community=${w.jianzhong.qingfeng}`).expect(200);
    expect(labels.text.match(/class="qr-label"/g)).toHaveLength(1);
    const none = await admin.get(`/campaigns/${id}/posters?community=${w.huaihe.xingfu}`).expect(404);
    expect(none.text).toContain('这个社区在本活动中没有二维码');
    // A malformed filter is ignored, not an error.
    expect((await admin.get(`/campaigns/${id}/posters?community=abc`).expect(200)).text.match(/<section class="a4 poster">/g)).toHaveLength(7);
  });

  it('has a print button on the sheets, and no print links or buttons while a campaign has no QR codes', async () => {
    const id = await create();
    const printLinks = new RegExp(`href="/campaigns/${id}/(posters|labels)|data-print`);
    for (const page of [`/campaigns/${id}`, `/campaigns/${id}/qr`]) {
      expect([page, printLinks.test((await admin.get(page).expect(200)).text)]).toEqual([page, false]);
    }
    const empty = await admin.get(`/campaigns/${id}/posters`).expect(404);
    expect(empty.text).not.toMatch(printLinks);
    expect(empty.text).toContain('还没有二维码');
    const [code] = createQrCodes(t.db, id, 1, w.jianzhong.yongan);
    for (const page of [`/campaigns/${id}`, `/campaigns/${id}/qr`]) {
      expect((await admin.get(page).expect(200)).text).toContain(`href="/campaigns/${id}/posters"`);
    }
    for (const page of [`/campaigns/${id}/posters`, `/campaigns/${id}/labels`, `/qr/${code}/poster`]) {
      const html = (await admin.get(page).expect(200)).text;
      expect(html).toContain('<button type="button" class="print-button" data-print hidden>打印</button>');
      expect(html).toContain('<script src="/static/js/print-button.js" defer></script>');
    }
    expect(fs.readFileSync(path.join(PUBLIC_DIR, 'js', 'print-button.js'), 'utf8')).toContain('window.print()');
  });

  it('sets A4 paper and margins in CSS, so printing needs no browser settings', () => {
    const css = fs.readFileSync(path.join(PUBLIC_DIR, 'css', 'print.css'), 'utf8');
    expect(css).toMatch(/@page\{size:A4 portrait;margin:8mm\}/);
    // The sheet is A4 less the margins, so it fills the page and never spills onto a second one.
    expect(css).toMatch(/\.a4\{width:194mm;height:281mm;/);
  });

  it('downloads each QR code as an SVG file for print shops', async () => {
    const id = await create();
    const [code] = createQrCodes(t.db, id, 1, w.jianzhong.yongan);
    t.db.prepare('UPDATE qr_codes SET label = ? WHERE id = ?').run('永安社区 3号楼/公告栏', code);
    const list = await admin.get(`/campaigns/${id}/qr`).expect(200);
    expect(list.text).toContain(`<a href="/qr/${code}.svg" download`);
    expect((await admin.get(`/qr/${code}/poster`)).text).toContain(`<a href="/qr/${code}.svg" download>`);
    const res = await admin.get(`/qr/${code}.svg`).buffer(true).parse((r, cb) => {
      const chunks: Buffer[] = [];
      r.on('data', (c: Buffer) => chunks.push(c));
      r.on('end', () => cb(null, Buffer.concat(chunks).toString('utf8')));
    }).expect(200);
    expect(res.headers['content-type']).toMatch(/^image\/svg\+xml/);
    expect(res.headers['content-disposition']).toMatch(/^attachment; filename=/);
    expect(decodeURIComponent(String(res.headers['content-disposition']))).toContain('永安社区_3号楼_公告栏.svg');
    const svg = res.body as string;
    // A complete SVG document: one root element in the SVG namespace with a viewBox, closed, nothing around it.
    expect(svg.trim()).toMatch(/^<svg xmlns="http:\/\/www\.w3\.org\/2000\/svg" viewBox="0 0 \d+ \d+"[^>]*>[\s\S]*<\/svg>$/);
    expect(svg.match(/<svg/g)).toHaveLength(1);
    expect(svg).toMatch(/<path [^>]*d="M[^"]+"\/>/);
    // Only staff who see the code may download it.
    await request(t.app).get(`/qr/${code}.svg`).redirects(0).expect(303);
  });
});
