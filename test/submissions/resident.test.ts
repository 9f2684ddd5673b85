import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import zlib from 'node:zlib';
import request from 'supertest';
import { makeTestApp, type TestApp } from '../helpers/app';
import { addDays, makeCampaign } from '../helpers/factories';
import { chinaToday } from '../../src/campaigns/rules';
import { hiddenFields } from '../helpers/resident-client';
import { PUBLIC_DIR } from '../../src/paths';
import { tinyPng, pixelsOf } from './photos';

const tmpDirs: string[] = [];
function app(overrides: Parameters<typeof makeTestApp>[0] = {}): TestApp {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'linsheng-resident-'));
  tmpDirs.push(dataDir);
  return makeTestApp({ dataDir, ...overrides });
}
afterAll(() => { for (const d of tmpDirs) fs.rmSync(d, { recursive: true, force: true }); });

const uploadsOf = (t: TestApp) => {
  const dir = path.join(t.config.dataDir, 'uploads');
  return fs.existsSync(dir) ? fs.readdirSync(dir) : [];
};
const count = (t: TestApp) => t.db.prepare('SELECT COUNT(*) FROM submissions').pluck().get() as number;

async function formToken(t: TestApp, qrToken: string): Promise<string> {
  const page = await request(t.app).get(`/q/${qrToken}`).expect(200);
  return hiddenFields(page.text).ft;
}

describe('resident form GET /q/:token', () => {
  it('answers an unknown or malformed token with a Chinese 404', async () => {
    const t = app();
    for (const token of ['nope-not-a-token', 'AAAAAAAAAAAA', '..%2F..%2Fetc', 'x'.repeat(300)]) {
      const res = await request(t.app).get(`/q/${token}`);
      expect(res.status).toBe(404);
      expect(res.text).toContain('这个二维码无效');
      expect(res.text).toContain('请向社区工作人员确认');
    }
  });

  it('shows the open campaign form in Chinese with kinds, categories, limit and consent, and counts the view', async () => {
    const t = app();
    const c = makeCampaign(t.db, { qrAt: 'grid' });
    const res = await request(t.app).get(`/q/${c.qrToken}`).expect(200);
    expect(res.headers['content-type']).toMatch(/text\/html/);
    expect(res.headers['cache-control']).toBe('no-store');
    for (const s of ['冬季民生征求意见', '意见建议', '微心愿', '不确定，请工作人员分类', '环境卫生', '最多 500 字', '楼栋/单元',
      '留下联系方式即表示同意社区工作人员为回访联系您，信息不会公开', 'enctype="multipart/form-data"', 'name="photo"']) {
      expect(res.text).toContain(s);
    }
    expect(res.text).not.toContain('class="topbar'); // the lean resident layout, not the staff header
    expect(hiddenFields(res.text).ft).toMatch(/^\d+\./);
    await t.app.ctx.scanCounter.flush();
    expect(t.db.prepare('SELECT scan_count FROM qr_codes WHERE id = ?').pluck().get(c.qrCodeId)).toBe(1);
  });

  it('leaves out photo and contact when the campaign does not ask for them', async () => {
    const t = app();
    const c = makeCampaign(t.db, { askPhoto: false, askContact: false });
    const res = await request(t.app).get(`/q/${c.qrToken}`).expect(200);
    expect(res.text).not.toContain('name="photo"');
    expect(res.text).not.toContain('name="phone"');
    // Still multipart, like every resident form: the one body the form's fast lane reads.
    expect(res.text).toContain('enctype="multipart/form-data"');
  });

  it('keeps the form page with its stylesheet within 15 KB gzipped', async () => {
    const t = app();
    const c = makeCampaign(t.db);
    const res = await request(t.app).get(`/q/${c.qrToken}`).expect(200);
    const css = fs.readFileSync(path.join(PUBLIC_DIR, 'css', 'app.css'));
    const bytes = zlib.gzipSync(Buffer.from(res.text)).length + zlib.gzipSync(css).length;
    expect(bytes).toBeLessThanOrEqual(15 * 1024);
  });
});

describe('campaigns that do not accept submissions', () => {
  const today = chinaToday();
  const cases = [
    { name: 'closed', opts: { status: 'closed' as const }, says: '已停止收集意见' },
    { name: 'draft', opts: { status: 'draft' as const }, says: '还在准备中' },
    { name: 'not started', opts: { startsOn: addDays(today, 3), endsOn: addDays(today, 30) }, says: `将于 ${addDays(today, 3)} 开始` },
    { name: 'ended', opts: { startsOn: addDays(today, -30), endsOn: addDays(today, -1) }, says: `已于 ${addDays(today, -1)} 结束` },
  ];
  it.each(cases)('$name: GET says so kindly, without a form; POST is refused with 409', async ({ opts, says }) => {
    const t = app();
    const c = makeCampaign(t.db, opts);
    const page = await request(t.app).get(`/q/${c.qrToken}`).expect(200);
    expect(page.text).toContain(says);
    expect(page.text).not.toContain('<form');
    // A form loaded before closing, posted after.
    const open = makeCampaign(t.db);
    const ft = await formToken(t, open.qrToken);
    const res = await request(t.app).post(`/q/${c.qrToken}`).type('form').send({ ft, kind: 'suggestion', text: '路灯坏了' });
    expect(res.status).toBe(409);
    expect(res.text).toContain(says);
    expect(count(t)).toBe(0);
  });
});

describe('resident form POST /q/:token', () => {
  it('stores a valid submission with its place and redirects to the receipt', async () => {
    const t = app();
    const c = makeCampaign(t.db, { qrAt: 'grid' });
    const ft = await formToken(t, c.qrToken);
    const res = await request(t.app).post(`/q/${c.qrToken}`)
      .field('ft', ft).field('kind', 'wish').field('category', String(c.categoryIds[1])).field('text', '希望给独居老人装个扶手')
      .field('name', '王秀兰').field('phone', '138 1234 5678').field('building', '3号楼2单元');
    expect(res.status).toBe(303);
    const m = /^\/r\/([A-Z0-9]{8})\?new=1$/.exec(res.headers.location);
    expect(m).not.toBeNull();
    const row = t.db.prepare('SELECT * FROM submissions WHERE receipt_code = ?').get(m![1]) as Record<string, unknown>;
    expect(row).toMatchObject({
      campaign_id: c.campaignId, qr_code_id: c.qrCodeId, kind: 'wish', category_id: c.categoryIds[1], text: '希望给独居老人装个扶手',
      resident_name: '王秀兰', resident_phone: '13812345678', building: '3号楼2单元', community_id: c.communityId,
      grid_id: c.gridId, compound_id: null, channel: 'online', photo_file: null,
    });

    const receipt = await request(t.app).get(res.headers.location).expect(200);
    expect(receipt.text).toContain('提交成功');
    expect(receipt.text).toContain(`${m![1].slice(0, 4)}-${m![1].slice(4)}`);
    expect(receipt.text).toContain('请截图或抄下回执码');
    expect(receipt.text).toContain('已收到，等待工作人员处理');
    expect(receipt.text).toContain('138****5678');
    expect(receipt.text).not.toContain('13812345678');
    expect(receipt.text).not.toContain('王秀兰');
  });

  it('puts a compound poster into the compound and its community; a place-less poster into none', async () => {
    const t = app();
    const a = makeCampaign(t.db, { qrAt: 'compound' });
    await request(t.app).post(`/q/${a.qrToken}`).type('form').send({ ft: await formToken(t, a.qrToken), kind: 'suggestion', text: '楼院没人管' }).expect(303);
    const b = makeCampaign(t.db, { qrAt: 'none' });
    await request(t.app).post(`/q/${b.qrToken}`).type('form').send({ ft: await formToken(t, b.qrToken), kind: 'suggestion', text: '路灯' }).expect(303);
    const rows = t.db.prepare('SELECT campaign_id, community_id, grid_id, compound_id FROM submissions ORDER BY id').all();
    expect(rows).toEqual([
      { campaign_id: a.campaignId, community_id: a.communityId, grid_id: null, compound_id: a.compoundId },
      { campaign_id: b.campaignId, community_id: null, grid_id: null, compound_id: null },
    ]);
  });

  it('stores a real photo under a generated name, fsynced before the row', async () => {
    const t = app();
    const c = makeCampaign(t.db);
    const ft = await formToken(t, c.qrToken);
    const res = await request(t.app).post(`/q/${c.qrToken}`).field('ft', ft).field('kind', 'suggestion').field('text', '井盖坏了')
      .attach('photo', tinyPng(4, 4), { filename: '../../evil name.exe', contentType: 'application/octet-stream' });
    expect(res.status).toBe(303);
    const photo = t.db.prepare('SELECT photo_file FROM submissions').pluck().get() as string;
    expect(photo).toMatch(/^[0-9a-f]{24}\.png$/);
    expect(uploadsOf(t)).toEqual([photo]);
    expect(await pixelsOf(fs.readFileSync(path.join(t.config.dataDir, 'uploads', photo)))).toEqual(await pixelsOf(tinyPng(4, 4)));
  });

  it('gives one submission and the same receipt when the same form is posted twice, in a row or at once', async () => {
    const t = app();
    const c = makeCampaign(t.db);
    const ft = await formToken(t, c.qrToken);
    const post = () => request(t.app).post(`/q/${c.qrToken}`).field('ft', ft).field('kind', 'suggestion').field('text', '双击了两次')
      .attach('photo', tinyPng(), 'a.png');
    const first = await post();
    const second = await post();
    expect(first.status).toBe(303);
    expect(second.headers.location).toBe(first.headers.location);
    expect(count(t)).toBe(1);

    const ft2 = await formToken(t, c.qrToken);
    const together = await Promise.all(Array.from({ length: 5 }, () =>
      request(t.app).post(`/q/${c.qrToken}`).field('ft', ft2).field('kind', 'wish').field('text', '同时点了五次').attach('photo', tinyPng(), 'b.png')));
    expect(together.map((r) => r.status)).toEqual([303, 303, 303, 303, 303]);
    expect(new Set(together.map((r) => r.headers.location)).size).toBe(1);
    expect(count(t)).toBe(2);
    // The photos of the losing taps are gone: one file per stored submission.
    const stored = t.db.prepare('SELECT photo_file FROM submissions ORDER BY id').pluck().all();
    expect(uploadsOf(t).sort()).toEqual([...stored].sort());
  });

  it('keeps a second, different submission sent from the same loaded form (back button), as a new record', async () => {
    const t = app();
    const c = makeCampaign(t.db);
    const ft = await formToken(t, c.qrToken);
    const a = await request(t.app).post(`/q/${c.qrToken}`).type('form').send({ ft, kind: 'suggestion', text: '第一件事：路灯坏了' });
    const b = await request(t.app).post(`/q/${c.qrToken}`).type('form').send({ ft, kind: 'suggestion', text: '第二件事：井盖松了' });
    expect(a.status).toBe(303);
    expect(b.status).toBe(303);
    expect(b.headers.location).not.toBe(a.headers.location);
    expect(count(t)).toBe(2);
  });

  it('keeps one submission when the same phone sends the same text again from a reloaded form', async () => {
    const t = app();
    const c = makeCampaign(t.db);
    const agent = request.agent(t.app);
    const load = async () => /name="ft" value="([^"]+)"/.exec((await agent.get(`/q/${c.qrToken}`).expect(200)).text)![1];
    const first = await load();
    const again = await load();
    expect(again).not.toBe(first);
    const send = (ft: string, text: string) => agent.post(`/q/${c.qrToken}`).type('form').send({ ft, kind: 'suggestion', text });
    const a = await send(first, '回退后又点了提交');
    const b = await send(again, '回退后又点了提交');
    expect(b.headers.location).toBe(a.headers.location);
    expect(count(t)).toBe(1);
    // Something else from the same phone is a new submission; so is the same text from another phone.
    expect((await send(again, '另一件事：井盖松了')).headers.location).not.toBe(a.headers.location);
    const other = await request(t.app).post(`/q/${c.qrToken}`).type('form').send({ ft: await formToken(t, c.qrToken), kind: 'suggestion', text: '回退后又点了提交' });
    expect(other.headers.location).not.toBe(a.headers.location);
    expect(count(t)).toBe(3);
  });

  it('refuses a script renamed .jpg with a clear Chinese message and leaves no file', async () => {
    const t = app();
    const c = makeCampaign(t.db);
    const ft = await formToken(t, c.qrToken);
    const res = await request(t.app).post(`/q/${c.qrToken}`).field('ft', ft).field('kind', 'suggestion').field('text', '看看照片')
      .attach('photo', Buffer.from('<script>alert(1)</script>'), { filename: 'a.jpg', contentType: 'image/jpeg' });
    expect(res.status).toBe(400);
    expect(res.text).toContain('照片格式不正确，请上传 JPG、PNG、WEBP 或 HEIC 照片');
    expect(res.text).toContain('看看照片'); // their text is kept
    expect(count(t)).toBe(0);
    expect(uploadsOf(t)).toEqual([]);
  });

  it('never drops a photo silently: a file part with an unparsable header is refused, size limit or not', async () => {
    const t = app();
    const c = makeCampaign(t.db);
    const ft = await formToken(t, c.qrToken);
    // supertest writes filename="\" — a broken quoted string that busboy skips without an error.
    for (const size of [1, 40 * 1024, t.config.uploadMaxBytes + 1024]) {
      const res = await request(t.app).post(`/q/${c.qrToken}`).field('ft', ft).field('kind', 'wish').field('text', '附了照片')
        .attach('photo', Buffer.alloc(size, 0xff), { filename: '\\', contentType: 'image/jpeg' });
      expect(res.status).toBe(400);
      expect(res.text).toContain('照片没有上传成功');
      expect(res.text).toContain('附了照片');
    }
    // A client that drops the name altogether (form-data turns "/" into no filename) sends the photo as text.
    const asText = await request(t.app).post(`/q/${c.qrToken}`).field('ft', ft).field('kind', 'wish').field('text', '附了照片')
      .attach('photo', Buffer.from([0]), { filename: '/', contentType: 'image/jpeg' });
    expect(asText.status).toBe(400);
    expect(asText.text).toContain('照片没有上传成功');
    expect(count(t)).toBe(0);
    // Path-like names are fine: the name is never used.
    const ok = await request(t.app).post(`/q/${c.qrToken}`).field('ft', ft).field('kind', 'wish').field('text', '附了照片')
      .attach('photo', tinyPng(), { filename: 'C:\\fakepath\\照片.png', contentType: 'image/png' });
    expect(ok.status).toBe(303);
    expect(t.db.prepare('SELECT photo_file FROM submissions').pluck().get()).toMatch(/\.png$/);
    expect(count(t)).toBe(1);
  });

  it('refuses an oversized photo with 413 in Chinese and stores nothing', async () => {
    const t = app({ uploadMaxBytes: 64 * 1024 });
    const c = makeCampaign(t.db);
    const ft = await formToken(t, c.qrToken);
    const big = Buffer.concat([tinyPng(), Buffer.alloc(100 * 1024)]);
    const res = await request(t.app).post(`/q/${c.qrToken}`).field('ft', ft).field('kind', 'suggestion').field('text', '大照片')
      .attach('photo', big, 'big.png');
    expect(res.status).toBe(413);
    expect(res.text).toContain('照片太大了');
    expect(count(t)).toBe(0);
    expect(uploadsOf(t)).toEqual([]);
  });

  it('re-renders the form with 400, the input kept and a message per field', async () => {
    const t = app();
    const c = makeCampaign(t.db);
    const ft = await formToken(t, c.qrToken);
    const long = '楼'.repeat(501);
    const res = await request(t.app).post(`/q/${c.qrToken}`).type('form')
      .send({ ft, kind: 'wish', text: long, phone: '12345', name: '李<b>四</b>', building: '5号楼' });
    expect(res.status).toBe(400);
    expect(res.text).toContain('内容最多 500 个字');
    expect(res.text).toContain('请填写正确的 11 位手机号');
    expect(res.text).toContain(long);
    expect(res.text).toContain('value="5号楼"');
    expect(res.text).toContain('李&lt;b&gt;四&lt;/b&gt;');
    expect(res.text).toMatch(/value="wish" checked/);
    expect(hiddenFields(res.text).ft).toBe(ft);
    expect(count(t)).toBe(0);
  });

  it('refuses a missing, forged, foreign or expired form token with 403 and keeps the text', async () => {
    const t = app();
    const c = makeCampaign(t.db);
    const other = makeCampaign(t.db);
    const foreign = await formToken(t, other.qrToken);
    const real = await formToken(t, c.qrToken);
    const forged = real.slice(0, -3) + (real.endsWith('AAA') ? 'BBB' : 'AAA');
    const { issueFormToken } = await import('../../src/submissions/form-token');
    const old = issueFormToken(t.app.ctx.secret, c.qrCodeId, Date.now() - 25 * 3600 * 1000);
    for (const ft of [undefined, 'garbage', forged, foreign, old]) {
      const res = await request(t.app).post(`/q/${c.qrToken}`).type('form').send({ ft, kind: 'suggestion', text: '我写了很长一段话' });
      expect(res.status).toBe(403);
      // One instruction, not two: the text is kept, so tapping 提交 again is all it takes.
      expect(res.text).toContain('页面已过期（停留太久，或链接不完整）。您填写的文字已保留，检查后再点一次“提交”即可。');
      expect(res.text).toContain('我写了很长一段话');
      const fresh = hiddenFields(res.text).ft;
      expect(fresh).not.toBe(ft);
      expect(fresh.startsWith(`${c.qrCodeId}.`)).toBe(true);
    }
    expect(count(t)).toBe(0);
  });

  it('answers malformed multipart and unexpected parts with a Chinese 4xx, never a 500', async () => {
    const t = app();
    const c = makeCampaign(t.db);
    const broken = await request(t.app).post(`/q/${c.qrToken}`).set('Content-Type', 'multipart/form-data; boundary=xyz').send('--xyz\r\nbroken');
    expect(broken.status).toBe(400);
    expect(broken.text).toContain('提交的内容无法识别');
    const twoFiles = await request(t.app).post(`/q/${c.qrToken}`).field('ft', await formToken(t, c.qrToken)).field('kind', 'wish').field('text', 'x')
      .attach('photo', tinyPng(), 'a.png').attach('other', tinyPng(), 'b.png');
    expect(twoFiles.status).toBe(400);
    const noPhotoCampaign = makeCampaign(t.db, { askPhoto: false });
    const sneaky = await request(t.app).post(`/q/${noPhotoCampaign.qrToken}`).field('ft', await formToken(t, noPhotoCampaign.qrToken))
      .field('kind', 'wish').field('text', 'x').attach('photo', tinyPng(), 'a.png');
    expect(sneaky.status).toBe(400);
    const hugeField = await request(t.app).post(`/q/${c.qrToken}`).field('ft', await formToken(t, c.qrToken)).field('kind', 'wish').field('text', '长'.repeat(5000));
    expect(hugeField.status).toBe(413);
    expect(hugeField.text).toContain('提交的内容太长了');
    expect(count(t)).toBe(0);
  });

  it('rate-limits each client on the public pages with a Chinese message', async () => {
    const t = app({ publicRateLimit: 3 });
    const c = makeCampaign(t.db);
    for (let i = 0; i < 3; i++) await request(t.app).get(`/q/${c.qrToken}`).expect(200);
    const res = await request(t.app).get(`/q/${c.qrToken}`);
    expect(res.status).toBe(429);
    expect(res.text).toContain('操作太频繁');
  });
});

describe('receipt pages /r', () => {
  it('looks up a typed code, tolerating case, spaces and the dash', async () => {
    const t = app();
    const c = makeCampaign(t.db);
    const post = await request(t.app).post(`/q/${c.qrToken}`).type('form').send({ ft: await formToken(t, c.qrToken), kind: 'suggestion', text: 'x' });
    const code = /\/r\/([A-Z0-9]{8})/.exec(post.headers.location)![1];
    const form = await request(t.app).get('/r').expect(200);
    expect(form.text).toContain('回执码');
    const typed = `${code.slice(0, 4).toLowerCase()}-${code.slice(4)}`;
    const go = await request(t.app).get('/r').query({ code: typed });
    expect(go.status).toBe(303);
    expect(go.headers.location).toBe(`/r/${code}`);
    const page = await request(t.app).get(`/r/${code}`).expect(200);
    expect(page.text).not.toContain('提交成功');
    expect(page.text).toContain('已收到，等待工作人员处理');
    expect((await request(t.app).get('/r').query({ code: 'OOPS' })).status).toBe(400);
  });

  it('answers a bad or unknown code with a Chinese 404', async () => {
    const t = app();
    const bad = await request(t.app).get('/r/not-a-code!!');
    expect(bad.status).toBe(404);
    expect(bad.text).toContain('回执码格式不正确');
    const unknown = await request(t.app).get('/r/ABCD2345');
    expect(unknown.status).toBe(404);
    expect(unknown.text).toContain('没有找到这个回执码');
  });

  it('shows <script> in the text escaped, and the staff reply', async () => {
    const t = app();
    const c = makeCampaign(t.db);
    const post = await request(t.app).post(`/q/${c.qrToken}`).type('form')
      .send({ ft: await formToken(t, c.qrToken), kind: 'suggestion', text: '<script>alert(1)</script>', building: '"><img src=x onerror=alert(1)>' });
    const loc = post.headers.location;
    t.db.prepare('UPDATE submissions SET reply = ?').run('已安排维修<script>x</script>');
    const page = await request(t.app).get(loc).expect(200);
    expect(page.text).not.toContain('<script>alert(1)</script>');
    expect(page.text).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(page.text).not.toContain('<img src=x');
    expect(page.text).toContain('已安排维修&lt;script&gt;');
    expect(page.text).toContain('工作人员回复');
  });

  it('masks a phone number written into the text on the receipt page, which anyone holding the code can open', async () => {
    const t = app();
    const c = makeCampaign(t.db);
    const post = await request(t.app).post(`/q/${c.qrToken}`).type('form')
      .send({ ft: await formToken(t, c.qrToken), kind: 'suggestion', text: '路灯坏了，有事打我电话13812345678' });
    const page = await request(t.app).get(post.headers.location).expect(200);
    expect(page.text).toContain('路灯坏了，有事打我电话138****5678');
    expect(page.text).not.toContain('13812345678');
  });
});
