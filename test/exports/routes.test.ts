import request from 'supertest';
import ExcelJS from 'exceljs';
import { parse } from 'csv-parse/sync';
import { makeTestApp, loginAs, type TestApp, binaryBody } from '../helpers/app';
import { seedDashboard, insertSubmission, type DashboardSeed } from '../helpers/dashboard-factories';


async function sheetOf(body: Buffer) {
  const wb = new ExcelJS.Workbook();
  await wb.xlsx.load(body as unknown as ArrayBuffer);
  return wb.worksheets[0];
}
const rowValues = (ws: ExcelJS.Worksheet, n: number) => (ws.getRow(n).values as unknown[]).slice(1);

// A submissions export is made in a thread of its own when the database is a file, on the event loop in slices
// when it is in memory: every test runs on both.
describe.each([
  ['on the event loop (in-memory database)', false],
  ['in a thread of its own (database file)', true],
])('exports %s', (_how, onDisk) => {
  let t: TestApp;
  let seed: DashboardSeed;
  const fresh = () => makeTestApp({}, { onDisk });
  beforeAll(() => {
    t = fresh();
    seed = seedDashboard(t.db);
    // A resident who tried to smuggle a formula into the spreadsheet.
    insertSubmission(t.db, { campaignId: seed.campaignId, communityId: seed.yongan, gridId: seed.yonganGrid, text: '=HYPERLINK("http://evil","点我")',
      residentName: '@张三', createdAt: '2026-03-11T01:00:00.000Z' });
  });
  afterAll(() => t.db.close());

  it('submissions.xlsx: Chinese headers, bold frozen header, widths, dates, masked phone for staff without the flag', async () => {
    const staff = await loginAs(t, 'staff', { scopePlaceId: seed.subdistrict });
    const res = await staff.get(`/campaigns/${seed.campaignId}/submissions.xlsx`).buffer(true).parse(binaryBody);
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toContain('spreadsheetml');
    expect(res.headers['content-disposition']).toMatch(/attachment; filename=.*filename\*=UTF-8''/);
    expect(decodeURIComponent(res.headers['content-disposition'].split("UTF-8''")[1])).toMatch(/^春季民生征求意见-居民意见-\d{4}-\d{2}-\d{2}\.xlsx$/);
    expect(res.headers['cache-control']).toBe('no-store');
    const ws = await sheetOf(res.body);
    expect(rowValues(ws, 1).slice(0, 5)).toEqual(['回执码', '收到时间', '采集日期', '类型', '渠道']);
    expect(rowValues(ws, 1)).toContain('电话');
    // The import sheet's 走访人 and 备注 come last, after the reply.
    expect(rowValues(ws, 1).slice(-3)).toEqual(['答复', '走访人', '备注']);
    expect(ws.getRow(1).font?.bold).toBe(true);
    expect(ws.views[0]).toMatchObject({ state: 'frozen', ySplit: 1 });
    expect(ws.getColumn(11).width).toBe(60);
    expect(ws.rowCount).toBe(1 + 11);
    const phoneCol = rowValues(ws, 1).indexOf('电话') + 1;
    const nameCol = rowValues(ws, 1).indexOf('姓名') + 1;
    const wang = ws.getRows(2, ws.rowCount - 1)!.find((r) => r.getCell(11).value === '垃圾桶满了没人清')!;
    expect(wang.getCell(phoneCol).value).toBe('138****5678');
    expect(wang.getCell(nameCol).value).toBe('王**');
    // Received 2026-03-02 02:00 UTC = 10:00 in China, stored as a date cell with a readable format.
    const when = wang.getCell(2);
    expect(when.value).toBeInstanceOf(Date);
    expect((when.value as Date).toISOString()).toBe('2026-03-02T10:00:00.000Z');
    expect(when.numFmt).toBe('yyyy-mm-dd hh:mm');
    expect(wang.getCell(6).value).toBe('环境卫生');
    expect(wang.getCell(7).value).toBe('永安社区');
    expect(wang.getCell(15).value).toBe('垃圾清运不及时');
    expect(wang.getCell(16).value).toBe('办理中');
  });

  it('masks a phone number inside the text for staff without the flag, not for an admin', async () => {
    const own = fresh();
    const s = seedDashboard(own.db);
    insertSubmission(own.db, { campaignId: s.campaignId, communityId: s.yongan, gridId: s.yonganGrid, text: '下水道堵了，电话13712345678',
      createdAt: '2026-03-12T01:00:00.000Z' });
    const staff = await loginAs(own, 'staff', { scopePlaceId: s.subdistrict });
    const csv = (await staff.get(`/campaigns/${s.campaignId}/submissions.csv`).buffer(true).parse(binaryBody)).body.toString('utf8');
    expect(csv).toContain('下水道堵了，电话137****5678');
    expect(csv).not.toContain('13712345678');
    const xlsx = await sheetOf((await staff.get(`/campaigns/${s.campaignId}/submissions.xlsx`).buffer(true).parse(binaryBody)).body);
    const texts: string[] = [];
    xlsx.eachRow((row) => texts.push(String(row.getCell(11).value)));
    expect(texts).toContain('下水道堵了，电话137****5678');
    const admin = await loginAs(own, 'admin');
    expect((await admin.get(`/campaigns/${s.campaignId}/submissions.csv`).buffer(true).parse(binaryBody)).body.toString('utf8')).toContain('电话13712345678');
    own.db.close();
  });

  it('走访人 as written; a phone inside the 备注 masked for staff without the flag, not for an admin', async () => {
    const own = fresh();
    const s = seedDashboard(own.db);
    const id = insertSubmission(own.db, { campaignId: s.campaignId, communityId: s.yongan, gridId: s.yonganGrid, channel: 'door_to_door',
      text: '楼道窗户玻璃碎了', createdAt: '2026-03-12T01:00:00.000Z' });
    own.db.prepare('UPDATE submissions SET collected_by_name = ?, intake_note = ? WHERE id = ?').run('李娜', '女儿电话13712345678', id);
    const lastTwo = (rows: string[][]) => rows.find((r) => r[10] === '楼道窗户玻璃碎了')!.slice(-2);
    const staff = await loginAs(own, 'staff', { scopePlaceId: s.subdistrict });
    const csv = parse((await staff.get(`/campaigns/${s.campaignId}/submissions.csv`).buffer(true).parse(binaryBody)).body.toString('utf8'), { bom: true }) as string[][];
    expect(lastTwo(csv)).toEqual(['李娜', '女儿电话137****5678']);
    const xlsx = await sheetOf((await staff.get(`/campaigns/${s.campaignId}/submissions.xlsx`).buffer(true).parse(binaryBody)).body);
    const row = xlsx.getRows(2, xlsx.rowCount - 1)!.find((r) => r.getCell(11).value === '楼道窗户玻璃碎了')!;
    expect((row.values as unknown[]).slice(-2)).toEqual(['李娜', '女儿电话137****5678']);
    const admin = await loginAs(own, 'admin');
    const full = parse((await admin.get(`/campaigns/${s.campaignId}/submissions.csv`).buffer(true).parse(binaryBody)).body.toString('utf8'), { bom: true }) as string[][];
    expect(lastTwo(full)).toEqual(['李娜', '女儿电话13712345678']);
    own.db.close();
  });

  it('submissions.xlsx: the full phone for an admin', async () => {
    const admin = await loginAs(t, 'admin');
    const ws = await sheetOf((await admin.get(`/campaigns/${seed.campaignId}/submissions.xlsx`).buffer(true).parse(binaryBody)).body);
    const values = ws.getRows(2, ws.rowCount - 1)!.map((r) => (r.values as unknown[]).join('|'));
    expect(values.some((v) => v.includes('13812345678') && v.includes('王秀兰'))).toBe(true);
  });

  it('submissions.csv: BOM, parses back, formulas neutralized, phones masked, dates readable', async () => {
    const staff = await loginAs(t, 'staff', { scopePlaceId: seed.subdistrict });
    const res = await staff.get(`/campaigns/${seed.campaignId}/submissions.csv`).buffer(true).parse(binaryBody);
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toBe('text/csv; charset=utf-8');
    const body = res.body as Buffer;
    expect([...body.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    const rows = parse(body.toString('utf8'), { bom: true }) as string[][];
    expect(rows[0][0]).toBe('回执码');
    expect(rows).toHaveLength(12);
    const wang = rows.find((r) => r[10] === '垃圾桶满了没人清')!;
    expect(wang[1]).toBe('2026-03-02 10:00');
    expect(wang.slice(11, 13)).toEqual(['王**', '138****5678']);
    expect(rows[0].slice(-2)).toEqual(['走访人', '备注']);
    // Received online: no visitor, no note, and the row is as long as the header.
    expect(wang.slice(-2)).toEqual(['', '']);
    const evil = rows.find((r) => r[10].includes('HYPERLINK'))!;
    expect(evil[10]).toBe(`'=HYPERLINK("http://evil","点我")`);
    // Masked to @**, which would still start a formula: neutralized too.
    expect(evil[11]).toBe("'@**");
  });

  it('submissions export honours the list filters and the user\'s scope', async () => {
    const admin = await loginAs(t, 'admin');
    const csv = async (agent: typeof admin, qs: string) =>
      parse(((await agent.get(`/campaigns/${seed.campaignId}/submissions.csv${qs}`).buffer(true).parse(binaryBody)).body as Buffer).toString('utf8'), { bom: true }) as string[][];
    expect(await csv(admin, `?community=${seed.qingfeng}`)).toHaveLength(1 + 4);
    expect(await csv(admin, '?kind=wish')).toHaveLength(1 + 2);
    expect(await csv(admin, '?channel=online')).toHaveLength(1 + 8);
    // Received on 03-04 (China time) through 03-09, as on the list page.
    expect(await csv(admin, '?from=2026-03-04&to=2026-03-09')).toHaveLength(1 + 4);
    expect(await csv(admin, '?kind=bogus&from=yesterday')).toHaveLength(1 + 11);

    const qingfeng = await loginAs(t, 'staff', { scopePlaceId: seed.qingfeng });
    expect(await csv(qingfeng, '')).toHaveLength(1 + 4);
    expect(await csv(qingfeng, `?community=${seed.yongan}`)).toHaveLength(1);

    const gridWorker = await loginAs(t, 'grid_worker', { gridIds: [seed.yonganGrid] });
    const mine = await csv(gridWorker, '');
    expect(mine).toHaveLength(1 + 5);
    expect(mine.slice(1).every((r) => r[7] === '第一网格')).toBe(true);
    // Grid workers may export their submissions, not the issue list.
    expect((await gridWorker.get(`/campaigns/${seed.campaignId}/issues.csv`)).status).toBe(403);

    const other = await loginAs(t, 'staff', { scopePlaceId: seed.otherSub });
    expect((await other.get(`/campaigns/${seed.campaignId}/submissions.csv`)).status).toBe(404);
    const claimer = await loginAs(t, 'claimer');
    expect((await claimer.get(`/campaigns/${seed.campaignId}/submissions.xlsx`)).status).toBe(403);
    const anon = await request(t.app).get(`/campaigns/${seed.campaignId}/submissions.xlsx`).set('Accept', 'text/html');
    expect(anon.status).toBe(303);
  });

  it('issues.xlsx and issues.csv: ranked like the list, with residents, status and claimers in Chinese', async () => {
    const admin = await loginAs(t, 'admin');
    const ws = await sheetOf((await admin.get(`/campaigns/${seed.campaignId}/issues.xlsx`).buffer(true).parse(binaryBody)).body);
    expect(rowValues(ws, 1)).toEqual(['编号', '问题', '分类', '社区', '楼院/小区', '居民人数', '紧急程度', '状态', '认领人', '答复', '未采纳原因', '登记时间', '办结时间']);
    expect(ws.getRow(1).font?.bold).toBe(true);
    expect(ws.views[0]).toMatchObject({ state: 'frozen', ySplit: 1 });
    expect(ws.rowCount).toBe(5);
    const first = rowValues(ws, 2);
    expect(first.slice(1, 9)).toEqual(['3号楼楼道灯不亮', '设施维修', '永安社区', undefined, 2, '紧急', '已办结', expect.stringMatching(/^member/)]);
    expect(first[12]).toBeInstanceOf(Date);

    const res = await admin.get(`/campaigns/${seed.campaignId}/issues.csv?status=declined`).buffer(true).parse(binaryBody);
    const rows = parse((res.body as Buffer).toString('utf8'), { bom: true }) as string[][];
    expect(rows).toHaveLength(2);
    expect(rows[1].slice(1, 8)).toEqual(['要求建游泳池', '待分类', '庆丰社区', '', '1', '普通', '未采纳']);

    const qingfeng = await loginAs(t, 'staff', { scopePlaceId: seed.qingfeng });
    const mine = parse(((await qingfeng.get(`/campaigns/${seed.campaignId}/issues.csv`).buffer(true).parse(binaryBody)).body as Buffer).toString('utf8'), { bom: true }) as string[][];
    expect(mine.slice(1).map((r) => r[3])).toEqual(['庆丰社区', '庆丰社区']);
  });
});
