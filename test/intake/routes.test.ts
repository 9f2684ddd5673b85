import fs from 'node:fs';
import path from 'node:path';
import ExcelJS from 'exceljs';
import { loginAs, makeTestApp, type Agent, type TestApp } from '../helpers/app';
import { createIntakeFixture, type IntakeFixture } from '../helpers/intake-fixtures';
import { chinaToday } from '../../src/campaigns/rules';

const SAMPLE_XLSX = fs.readFileSync(path.join(__dirname, '..', '..', '..', 'shared', 'data', 'door-to-door-sample.xlsx'));
// A 1×1 PNG: enough for the upload sniffing.
const PNG = Buffer.from('89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c4890000000d49444154789c6360000002000154a24f5d0000000049454e44ae426082', 'hex');

const count = (t: TestApp, where = '1') => t.db.prepare(`SELECT COUNT(*) FROM submissions WHERE ${where}`).pluck().get() as number;
const keyFrom = (html: string) => /name="idempotencyKey" value="([^"]+)"/.exec(html)![1];

let t: TestApp;
let f: IntakeFixture;
beforeEach(() => {
  t = makeTestApp();
  f = createIntakeFixture(t.db);
});

async function upload(agent: Agent, buf: Buffer, name: string, campaignId = f.campaignId) {
  return agent.post(`/intake/import?_csrf=${encodeURIComponent(agent.csrf)}`)
    .field('campaignId', String(campaignId)).field('channel', 'door_to_door').attach('file', buf, name);
}

describe('spreadsheet import pages', () => {
  it('uploads, previews every problem by row number, commits on confirmation, and adds nothing the second time', async () => {
    const staff = await loginAs(t, 'staff', { scopePlaceId: f.subdistrictId });
    const form = await staff.get(`/intake/import?campaign=${f.campaignId}`).expect(200);
    expect(form.text).toContain('/intake/import/template.xlsx');

    const up = await upload(staff, SAMPLE_XLSX, '入户走访.xlsx');
    expect(up.status).toBe(303);
    const previewUrl = up.headers.location;
    expect(previewUrl).toMatch(/^\/intake\/import\/[\w-]+$/);
    const preview = await staff.get(previewUrl).expect(200);
    expect(preview.text).toContain('共读到 <strong>20</strong> 条数据');
    // The sample's good rows are all from November 2023, over a year ago: listed for confirming, not taken silently.
    expect(preview.text).toContain('将新增 <strong>0</strong> 条');
    expect(preview.text).toContain('日期需要核实 <strong>14</strong> 条');
    expect(preview.text).toContain('第 4 行</td><td data-label="日期" class="nowrap">2023-11-02</td><td data-label="原因">一年多以前</td>');
    expect(preview.text).toMatch(/第 4 行<\/td>.*\n\s*<td data-label="居民">王\*\*<\/td><td data-label="内容" class="sub-text">独居老人，腿脚不便，希望有人帮忙买菜<\/td>/);
    expect(preview.text).toContain('name="acceptOldDates" value="1"> 这些日期核实无误，照样导入');
    expect(preview.text).toContain('第 11 行</td><td data-label="原因">电话号码不正确（“1381234567”）');
    expect(preview.text).toContain('第 17 行</td><td data-label="原因">与第 4 行重复');
    expect(preview.text).toContain('类型“其它问题”不在目录中，已自动分类/待分拣');
    expect(preview.text).toContain('王**'); // staff without the personal-data flag see masked names
    expect(preview.text).not.toContain('王秀兰');
    expect(count(t)).toBe(0); // nothing is saved before confirming

    const commit = await staff.post(previewUrl).type('form').send({ _csrf: staff.csrf, acceptOldDates: '1' });
    expect(commit.status).toBe(303);
    expect((await staff.get(`${previewUrl}/status`).expect(200)).body.state).toBe('committed');
    const result = await staff.get(previewUrl).expect(200);
    expect(result.text).toContain('新增 <strong data-imported>14</strong> 条');
    expect(result.text).toContain('日期需要核实的 14 行已确认无误，照样导入（第 4–10、13、16、19–23 行）');
    expect(count(t, "channel = 'door_to_door'")).toBe(14);
    // Confirming twice (double click) changes nothing.
    await staff.post(previewUrl).type('form').send({ _csrf: staff.csrf }).expect(303);
    expect(count(t)).toBe(14);

    const again = await staff.get((await upload(staff, SAMPLE_XLSX, 'again.xlsx')).headers.location).expect(200);
    expect(again.text).toContain('将新增 <strong>0</strong> 条');
    expect(again.text).toContain('已导入过、将跳过 <strong>14</strong> 条');
    expect(again.text).not.toContain('确认导入');
  });

  it('keeps another user out of a pending import', async () => {
    const a = await loginAs(t, 'staff', { scopePlaceId: f.subdistrictId });
    const b = await loginAs(t, 'staff', { scopePlaceId: f.subdistrictId });
    const url = (await upload(a, SAMPLE_XLSX, 'a.xlsx')).headers.location;
    await b.get(url).expect(404);
    await b.get(`${url}/status`).expect(404);
    await b.post(url).type('form').send({ _csrf: b.csrf }).expect(404);
    expect((await a.get(`${url}/status`).expect(200)).body).toEqual({ state: 'pending', done: 0, total: 0 });
    await b.get('/intake/import/not-a-real-batch-id').expect(404);
    expect(count(t)).toBe(0);
  });

  it('answers a malformed file with the form and a clear Chinese error', async () => {
    const staff = await loginAs(t, 'admin');
    const bad = await upload(staff, Buffer.concat([Buffer.from('PK\x03\x04'), Buffer.alloc(200, 1)]), 'broken.xlsx');
    expect(bad.status).toBe(400);
    expect(bad.text).toContain('无法读取这个 Excel 文件');
    const noHeader = await upload(staff, Buffer.from('a,b,c\n1,2,3\n'), 'x.csv');
    expect(noHeader.status).toBe(400);
    expect(noHeader.text).toContain('找不到表头');
    const none = await staff.post(`/intake/import?_csrf=${encodeURIComponent(staff.csrf)}`).field('campaignId', String(f.campaignId));
    expect(none.status).toBe(400);
    expect(none.text).toContain('请选择要导入的');
  });

  it('offers templates whose header the import recognizes', async () => {
    const staff = await loginAs(t, 'admin');
    const xlsx = await staff.get('/intake/import/template.xlsx').buffer(true).parse((res, cb) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => cb(null, Buffer.concat(chunks)));
    }).expect(200);
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(xlsx.body as Buffer as unknown as ExcelJS.Buffer);
    expect(wb.worksheets[0].getRow(1).values).toEqual([undefined, '序号', '走访日期', '社区', '网格', '小区/楼院', '楼栋单元', '姓名', '联系电话', '诉求类型', '诉求内容', '是否微心愿', '走访人', '备注']);
    const csv = await staff.get('/intake/import/template.csv').expect(200);
    expect(csv.headers['content-type']).toContain('text/csv');
    expect(csv.text.replace(/^\ufeff/, '').trim()).toBe('序号,走访日期,社区,网格,小区/楼院,楼栋单元,姓名,联系电话,诉求类型,诉求内容,是否微心愿,走访人,备注');
  });
});

describe('quick entry', () => {
  async function worker(grids = ['永安社区/第三网格'], opts: { canSeePersonalData?: boolean } = {}) {
    return loginAs(t, 'grid_worker', { gridIds: grids.map((g) => f.grids[g]), ...opts });
  }
  const entry = (agent: Agent, fields: Record<string, string>) => {
    let req = agent.post(`/intake?_csrf=${encodeURIComponent(agent.csrf)}`);
    for (const [k, v] of Object.entries(fields)) req = req.field(k, v);
    return req;
  };

  it('pre-fills the worker’s grid, saves, and comes back with place, channel and date kept', async () => {
    const w = await worker();
    const page = await w.get('/intake').expect(200);
    expect(page.text).toContain(`<option value="${f.grids['永安社区/第三网格']}" selected>第三网格</option>`);
    expect(page.text).toContain(`<option value="${f.communities['永安社区']}" selected>永安社区</option>`);
    expect(page.text).toMatch(/<textarea name="text" id="entry-text"[^>]*autofocus/);

    // A paper form from November 2023 (more than a year ago), its date confirmed (see dates.test.ts for the asking).
    const first = await entry(w, {
      campaignId: String(f.campaignId), idempotencyKey: keyFrom(page.text), channel: 'paper_survey', collectedOn: '2023-11-02',
      communityId: String(f.communities['永安社区']), gridId: String(f.grids['永安社区/第三网格']), compoundId: String(f.compounds['永安社区/永安里小区']),
      building: '3号楼2单元', residentName: '王秀兰', residentPhone: '138 0371 2345', kind: 'wish', categoryId: '', text: '希望有人帮忙买菜',
      confirmDate: '2023-11-02',
    });
    expect(first.status).toBe(303);
    const next = first.headers.location as string;
    expect(next).toContain('channel=paper_survey');
    expect(next).toContain('date=2023-11-02');
    expect(next).toContain('confirmDate=2023-11-02');
    expect(next).toContain(`grid=${f.grids['永安社区/第三网格']}`);
    expect(next).toContain(`compound=${f.compounds['永安社区/永安里小区']}`);
    const again = await w.get(next).expect(200);
    expect(again.text).toContain('已保存（第 1 条）');
    expect(again.text).toContain('<option value="paper_survey" selected>');
    expect(again.text).toContain('value="2023-11-02"');
    expect(again.text).toContain('name="confirmDate" value="2023-11-02" checked> 日期 2023-11-02 核实无误，照样保存');
    expect(again.text).toContain(`<option value="${f.compounds['永安社区/永安里小区']}" selected>永安里小区</option>`);
    expect(keyFrom(again.text)).not.toBe(keyFrom(page.text));

    const row = t.db.prepare('SELECT * FROM submissions').get() as Record<string, unknown>;
    expect(row).toMatchObject({ channel: 'paper_survey', collected_on: '2023-11-02', entered_by: w.userId, resident_phone: '13803712345', kind: 'wish', grid_id: f.grids['永安社区/第三网格'] });
    // No category chosen: auto-categorization picks one, or the entry waits for triage.
    expect(row.category_id !== null || row.needs_triage === 1).toBe(true);

    const second = await entry(w, {
      campaignId: String(f.campaignId), idempotencyKey: keyFrom(again.text), channel: 'paper_survey', collectedOn: '2023-11-02',
      communityId: String(f.communities['永安社区']), gridId: String(f.grids['永安社区/第三网格']), text: '单元门声控灯坏了',
      confirmDate: '2023-11-02',
    });
    expect((await w.get(second.headers.location).expect(200)).text).toContain('已保存（第 2 条）');
  });

  it('makes one record of a double submit', async () => {
    const w = await worker();
    const key = keyFrom((await w.get('/intake')).text);
    const fields = {
      campaignId: String(f.campaignId), idempotencyKey: key, channel: 'door_to_door', collectedOn: chinaToday(),
      communityId: String(f.communities['永安社区']), gridId: String(f.grids['永安社区/第三网格']), text: '楼道灯坏了',
    };
    await entry(w, fields).expect(303);
    const twice = await entry(w, fields).expect(303);
    expect((await w.get(twice.headers.location)).text).toContain('已经保存过了');
    expect(count(t)).toBe(1);
  });

  it('re-renders the form with the typed text and per-field errors', async () => {
    const w = await worker();
    const res = await entry(w, {
      campaignId: String(f.campaignId), idempotencyKey: 'k'.repeat(24), channel: 'door_to_door', collectedOn: '2023-13-40',
      communityId: String(f.communities['永安社区']), gridId: String(f.grids['永安社区/第三网格']), residentPhone: '12345', text: '我的诉求<script>x</script>',
    });
    expect(res.status).toBe(400);
    expect(res.text).toContain('电话号码不正确');
    expect(res.text).toContain('日期不是有效日期');
    expect(res.text).toContain('我的诉求&lt;script&gt;x&lt;/script&gt;');
    expect(count(t)).toBe(0);
  });

  it('keeps a grid worker to their own grids, by URL guessing too', async () => {
    const a = await worker(['永安社区/第三网格']);
    const b = await worker(['建华社区/第一网格']);
    const post = (agent: Agent, community: string, grid: string) => entry(agent, {
      campaignId: String(f.campaignId), idempotencyKey: Math.random().toString(36).slice(2).padEnd(20, 'x'), channel: 'door_to_door',
      collectedOn: chinaToday(), communityId: String(f.communities[community]), gridId: String(f.grids[`${community}/${grid}`]), text: '路灯不亮',
    });
    await post(a, '永安社区', '第三网格').expect(303);
    await post(b, '建华社区', '第一网格').expect(303);
    // Writing into another grid, of the same or another community.
    expect((await post(a, '建华社区', '第一网格')).status).toBe(403);
    expect((await post(a, '永安社区', '第一网格')).status).toBe(403);
    // Without a grid at all.
    const noGrid = await entry(a, { campaignId: String(f.campaignId), idempotencyKey: 'n'.repeat(20), channel: 'door_to_door', collectedOn: chinaToday(), communityId: String(f.communities['永安社区']), text: 'x' });
    expect(noGrid.status).toBe(400);
    expect(count(t)).toBe(2);

    const bId = t.db.prepare('SELECT id FROM submissions WHERE entered_by = ?').pluck().get(b.userId) as number;
    const aId = t.db.prepare('SELECT id FROM submissions WHERE entered_by = ?').pluck().get(a.userId) as number;
    // Reading another grid's record by id, in the lists, and through the JSON endpoint.
    await a.get(`/submissions/${bId}`).expect(404);
    await a.get(`/submissions/${aId}`).expect(200);
    const list = await a.get('/intake/entries?mine=0').expect(200);
    expect(list.text).toContain(`/submissions/${aId}"`);
    expect(list.text).not.toContain(`/submissions/${bId}"`);
    const api = await a.post('/intake/api/entries').set('X-CSRF-Token', a.csrf).set('Accept', 'application/json')
      .field('campaignId', String(f.campaignId)).field('idempotencyKey', 'z'.repeat(20)).field('channel', 'door_to_door')
      .field('collectedOn', chinaToday()).field('communityId', String(f.communities['建华社区'])).field('gridId', String(f.grids['建华社区/第一网格'])).field('text', 'x');
    expect(api.status).toBe(403);
    expect(api.body.error).toContain('没有权限');
    expect(count(t)).toBe(2);
  });

  it('masks residents’ names and phones in the list unless the account may see them', async () => {
    const plain = await worker();
    const trusted = await worker(['永安社区/第三网格'], { canSeePersonalData: true });
    await entry(plain, {
      campaignId: String(f.campaignId), idempotencyKey: 'p'.repeat(20), channel: 'door_to_door', collectedOn: chinaToday(),
      communityId: String(f.communities['永安社区']), gridId: String(f.grids['永安社区/第三网格']), residentName: '张建国', residentPhone: '13903716789', text: '灯坏了',
    }).expect(303);
    const masked = (await plain.get('/intake/entries').expect(200)).text;
    expect(masked).toContain('张**');
    expect(masked).toContain('139****6789');
    expect(masked).not.toContain('13903716789');
    const full = (await trusted.get('/intake/entries?mine=0').expect(200)).text;
    expect(full).toContain('张建国');
    expect(full).toContain('13903716789');
  });

  it('takes entries with a photo through the JSON endpoint, once per key however often they are re-sent', async () => {
    const w = await worker();
    const send = () => w.post('/intake/api/entries').set('X-CSRF-Token', w.csrf).set('Accept', 'application/json')
      .field('campaignId', String(f.campaignId)).field('idempotencyKey', 'offline-0123456789abcdef').field('channel', 'door_to_door')
      .field('collectedOn', chinaToday()).field('communityId', String(f.communities['永安社区'])).field('gridId', String(f.grids['永安社区/第三网格']))
      .field('text', '地下室漏水').field('_sync', '1').attach('photo', PNG, 'leak.png');
    const first = await send();
    expect(first.status).toBe(201);
    expect(first.body).toMatchObject({ ok: true, created: true, count: 1 });
    const retry = await send();
    expect(retry.status).toBe(200);
    expect(retry.body).toMatchObject({ ok: true, created: false, id: first.body.id });
    expect(count(t)).toBe(1);
    const photo = t.db.prepare('SELECT photo_file FROM submissions').pluck().get() as string;
    expect(photo).toMatch(/^[0-9a-f]{24}\.png$/);
    expect(fs.readdirSync(path.join(t.config.dataDir, 'uploads')).filter((n) => n === photo)).toHaveLength(1);
    fs.rmSync(path.join(t.config.dataDir, 'uploads', photo), { force: true });

    const forged = await w.post('/intake/api/entries').set('X-CSRF-Token', w.csrf).set('Accept', 'application/json')
      .field('campaignId', String(f.campaignId)).field('idempotencyKey', 'offline-forged-photo-000').field('channel', 'door_to_door')
      .field('collectedOn', chinaToday()).field('communityId', String(f.communities['永安社区'])).field('gridId', String(f.grids['永安社区/第三网格']))
      .field('text', 'x').attach('photo', Buffer.from('<script>alert(1)</script>'), 'evil.jpg');
    expect(forged.status).toBe(400);
    expect(forged.body.errors.photo).toContain('照片格式不正确');
    // A name busboy cannot parse (`\`) or a name cut to nothing (`dir/`): the photo must not vanish silently.
    for (const filename of ['\\', 'C:\\fakepath\\', '/']) {
      const lost = await w.post('/intake/api/entries').set('X-CSRF-Token', w.csrf).set('Accept', 'application/json')
        .field('campaignId', String(f.campaignId)).field('idempotencyKey', 'offline-lost-photo-0000').field('channel', 'door_to_door')
        .field('collectedOn', chinaToday()).field('communityId', String(f.communities['永安社区'])).field('gridId', String(f.grids['永安社区/第三网格']))
        .field('text', '楼道有积水').attach('photo', Buffer.from([0, 1, 2]), { filename, contentType: 'image/jpeg' });
      expect(lost.status).toBe(400);
      expect(lost.body.errors.photo).toContain('照片没有上传成功');
    }
    expect(count(t)).toBe(1); // only the first entry above
    const noCsrf = await w.post('/intake/api/entries').set('Accept', 'application/json').field('text', 'x');
    expect(noCsrf.status).toBe(403);
  });

  it('takes late entries for a closed campaign only if they were collected before it ended', async () => {
    t.db.prepare("UPDATE campaigns SET status = 'closed', ends_on = '2023-11-30' WHERE id = ?").run(f.campaignId);
    const w = await worker();
    const page = await w.get(`/intake?campaign=${f.campaignId}`).expect(200);
    expect(page.text).toContain('这次征求意见已于 2023-11-30 结束：只能补录在这一天及以前收集的意见');
    // Dates of 2023 are over a year old: confirmed here, which never lets a date after the end through.
    const fields = (collectedOn: string, key: string) => ({
      campaignId: String(f.campaignId), idempotencyKey: key, channel: 'paper_survey', collectedOn,
      communityId: String(f.communities['永安社区']), gridId: String(f.grids['永安社区/第三网格']), kind: 'suggestion', text: '楼道灯不亮',
      confirmDate: collectedOn,
    });
    const late = await entry(w, fields('2023-12-01', 'late-entry-000000000001'));
    expect(late.status).toBe(400);
    expect(late.text).toContain('这次征求意见已于 2023-11-30 结束，之后收集的意见不能再录入');
    expect(count(t)).toBe(0);
    await entry(w, fields('2023-11-30', 'late-entry-000000000002')).expect(303);
    expect(count(t)).toBe(1);

    const staff = await loginAs(t, 'staff', { scopePlaceId: f.subdistrictId });
    const csv = '社区,日期,意见内容\n永安社区,2023/11/29,路灯坏了\n永安社区,2023/12/02,井盖松动\n';
    const preview = await staff.get((await upload(staff, Buffer.from(csv), 'late.csv')).headers.location).expect(200);
    expect(preview.text).toContain('将新增 <strong>0</strong> 条');
    expect(preview.text).toContain('日期需要核实 <strong>1</strong> 条');
    expect(preview.text).toContain('第 2 行</td><td data-label="日期" class="nowrap">2023-11-29</td><td data-label="原因">一年多以前</td>');
    expect(preview.text).toContain('第 3 行</td><td data-label="原因">日期 2023-12-02 晚于本次征求意见的结束日期 2023-11-30');
  });

  it('serves the service worker scoped to /intake', async () => {
    const w = await worker();
    const sw = await w.get('/intake/sw.js').expect(200);
    expect(sw.headers['service-worker-allowed']).toBe('/intake');
    expect(sw.headers['content-type']).toContain('javascript');
  });
});

describe('meeting entry', () => {
  it('saves one meeting and its opinions in one go, once', async () => {
    const w = await loginAs(t, 'grid_worker', { gridIds: [f.grids['庆丰社区/第二网格']] });
    const page = await w.get(`/intake/meetings/new?campaign=${f.campaignId}`).expect(200);
    expect(page.text.match(/name="text_\d+"/g)).toHaveLength(10);
    const fields: Record<string, string> = {
      campaignId: String(f.campaignId), idempotencyKey: keyFrom(page.text), rows: '10', heldOn: '2023-11-12',
      communityId: String(f.communities['庆丰社区']), gridId: String(f.grids['庆丰社区/第二网格']), location: '社区党群服务中心',
      attendance: '23', topic: '停车难恳谈会', action: 'save', confirmDate: '2023-11-12', // over a year ago, confirmed

      text_1: '晚上没车位', kind_1: 'suggestion', categoryId_1: String(t.db.prepare("SELECT id FROM categories WHERE name = '停车交通'").pluck().get()),
      text_2: '', text_3: '希望划车位线', kind_3: 'suggestion', text_4: '给独居老人装扶手', kind_4: 'wish',
    };
    const post = () => {
      let req = w.post(`/intake/meetings?_csrf=${encodeURIComponent(w.csrf)}`);
      for (const [k, v] of Object.entries(fields)) req = req.field(k, v);
      return req;
    };
    const res = await post();
    expect(res.status).toBe(303);
    const meetingId = Number(/\/intake\/meetings\/(\d+)$/.exec(res.headers.location)![1]);
    const show = await w.get(res.headers.location).expect(200);
    expect(show.text).toContain('恳谈会已保存，共 3 条意见。');
    expect(show.text).toContain('停车难恳谈会');
    const rows = t.db.prepare('SELECT channel, meeting_id, kind, collected_on, grid_id, entered_by FROM submissions ORDER BY id').all();
    expect(rows).toEqual([
      { channel: 'meeting', meeting_id: meetingId, kind: 'suggestion', collected_on: '2023-11-12', grid_id: f.grids['庆丰社区/第二网格'], entered_by: w.userId },
      { channel: 'meeting', meeting_id: meetingId, kind: 'suggestion', collected_on: '2023-11-12', grid_id: f.grids['庆丰社区/第二网格'], entered_by: w.userId },
      { channel: 'meeting', meeting_id: meetingId, kind: 'wish', collected_on: '2023-11-12', grid_id: f.grids['庆丰社区/第二网格'], entered_by: w.userId },
    ]);
    expect(t.db.prepare('SELECT attendance, topic, location FROM meetings').get()).toEqual({ attendance: 23, topic: '停车难恳谈会', location: '社区党群服务中心' });

    // Pressing save twice: still one meeting, three opinions.
    expect((await post()).status).toBe(303);
    expect(count(t)).toBe(3);
    expect(t.db.prepare('SELECT COUNT(*) FROM meetings').pluck().get()).toBe(1);

    // Another grid's worker cannot open it.
    const other = await loginAs(t, 'grid_worker', { gridIds: [f.grids['永安社区/第一网格']] });
    await other.get(`/intake/meetings/${meetingId}`).expect(404);
    expect((await other.get('/intake/meetings').expect(200)).text).not.toContain('停车难恳谈会');
  });

  it('adds rows without script, keeping what was typed, and refuses a meeting without opinions', async () => {
    const w = await loginAs(t, 'admin');
    const page = await w.get(`/intake/meetings/new?campaign=${f.campaignId}`).expect(200);
    const base = { campaignId: String(f.campaignId), idempotencyKey: keyFrom(page.text), rows: '10', heldOn: '2023-11-12', communityId: String(f.communities['庆丰社区']), topic: '议事会' };
    let more = w.post(`/intake/meetings?_csrf=${encodeURIComponent(w.csrf)}`);
    for (const [k, v] of Object.entries({ ...base, text_1: '第一条意见', action: 'more' })) more = more.field(k, v);
    const moreRes = await more.expect(200);
    expect(moreRes.text.match(/name="text_\d+"/g)).toHaveLength(20);
    expect(moreRes.text).toContain('第一条意见');
    let empty = w.post(`/intake/meetings?_csrf=${encodeURIComponent(w.csrf)}`);
    for (const [k, v] of Object.entries({ ...base, action: 'save' })) empty = empty.field(k, v);
    const emptyRes = await empty;
    expect(emptyRes.status).toBe(400);
    expect(emptyRes.text).toContain('请至少填写一条意见');
    expect(count(t)).toBe(0);
  });
});
