import fs from 'node:fs';
import path from 'node:path';
import ExcelJS from 'exceljs';
import { parse } from 'csv-parse/sync';
import { makeTestApp, loginAs, binaryBody, type TestApp } from '../helpers/app';
import { createIntakeFixture, type IntakeFixture } from '../helpers/intake-fixtures';
import { parseSpreadsheet } from '../../src/intake/import/parse-sheet';
import { createIntakeService } from '../../src/intake/service';

const SHARED = path.join(__dirname, '..', '..', '..', 'shared', 'data');
const SAMPLE_CSV = fs.readFileSync(path.join(SHARED, 'door-to-door-sample.csv'));
const HEADER = '序号,走访日期,社区,网格,小区/楼院,楼栋单元,姓名,联系电话,诉求类型,诉求内容,是否微心愿,走访人,备注';
/** 序号 1 of the sample: 王秀兰, visited by 李娜, 备注 80岁. */
const FIRST_TEXT = '独居老人，腿脚不便，希望有人帮忙买菜';

async function sheetOf(body: Buffer) {
  const wb = new ExcelJS.Workbook();
  await wb.xlsx.load(body as unknown as ArrayBuffer);
  return wb.worksheets[0];
}
const csvRows = (body: Buffer) => parse(body.toString('utf8'), { bom: true }) as string[][];

describe('import keeps the sheet\'s 走访人 and 备注', () => {
  let t: TestApp;
  let f: IntakeFixture;
  let intake: ReturnType<typeof createIntakeService>;
  const idOf = (text: string) => t.db.prepare('SELECT id FROM submissions WHERE text = ?').pluck().get(text) as number;

  beforeAll(async () => {
    t = makeTestApp();
    f = createIntakeFixture(t.db);
    intake = createIntakeService(t.app.ctx);
    // The sample's rows are from 2023: more than a year old, imported as checked.
    const report = await intake.importSheet(null, f.campaignId, await parseSpreadsheet(SAMPLE_CSV), 'door_to_door', 'sample.csv', { acceptOldDates: true });
    expect(report.imported).toBe(14);
  });
  afterAll(() => t.db.close());

  it('stores them on the submission; an empty 备注 stays empty', async () => {
    const first = (await t.app.ctx.submissions.findById(idOf(FIRST_TEXT)))!;
    expect(first).toMatchObject({ residentName: '王秀兰', collectedByName: '李娜', intakeNote: '80岁' });
    // 序号 2 has a visitor and no 备注.
    expect((await t.app.ctx.submissions.findById(idOf('单元门声控灯坏了')))).toMatchObject({ collectedByName: '李娜', intakeNote: null });
    expect((await t.app.ctx.submissions.findById(idOf('楼道有人飞线给电动车充电')))).toMatchObject({ collectedByName: '赵强', intakeNote: '已劝离' });
  });

  it('re-importing the file, even with a 备注 changed, adds nothing and keeps what was stored', async () => {
    const changed = Buffer.from(SAMPLE_CSV.toString('utf8').replace(',李娜,80岁', ',李娜,80岁，独居'), 'utf8');
    const again = await intake.importSheet(null, f.campaignId, await parseSpreadsheet(changed), 'door_to_door', 'sample.csv');
    expect(again.imported).toBe(0);
    expect(again.alreadyImported).toHaveLength(14);
    expect((await t.app.ctx.submissions.findById(idOf(FIRST_TEXT)))!.intakeNote).toBe('80岁');
  });

  it('the staff detail page shows 走访人 and 备注', async () => {
    const staff = await loginAs(t, 'staff', { scopePlaceId: f.subdistrictId });
    const res = await staff.get(`/submissions/${idOf(FIRST_TEXT)}`);
    expect(res.status).toBe(200);
    expect(res.text).toMatch(/<th>走访人<\/th><td>李娜<\/td>/);
    expect(res.text).toMatch(/<th>备注<\/th><td class="sub-text">80岁<\/td>/);
  });

  it('the submissions export (csv and xlsx) has 走访人 and 备注 columns', async () => {
    const staff = await loginAs(t, 'staff', { scopePlaceId: f.subdistrictId });
    const rows = csvRows((await staff.get(`/campaigns/${f.campaignId}/submissions.csv`).buffer(true).parse(binaryBody)).body);
    const visitorCol = rows[0].indexOf('走访人');
    const noteCol = rows[0].indexOf('备注');
    expect(visitorCol).toBeGreaterThan(0);
    expect(noteCol).toBeGreaterThan(0);
    const first = rows.find((r) => r[10] === FIRST_TEXT)!;
    expect([first[visitorCol], first[noteCol]]).toEqual(['李娜', '80岁']);

    const ws = await sheetOf((await staff.get(`/campaigns/${f.campaignId}/submissions.xlsx`).buffer(true).parse(binaryBody)).body);
    const header = (ws.getRow(1).values as unknown[]).slice(1);
    const row = ws.getRows(2, ws.rowCount - 1)!.find((r) => r.getCell(11).value === FIRST_TEXT)!;
    expect(row.getCell(header.indexOf('走访人') + 1).value).toBe('李娜');
    expect(row.getCell(header.indexOf('备注') + 1).value).toBe('80岁');
  });

  it('a phone number in the 备注 is masked like the text for staff without the personal-data flag', async () => {
    const own = makeTestApp();
    const g = createIntakeFixture(own.db);
    const csv = `${HEADER}\n1,2023-11-02,永安社区,第三网格,永安里小区,5号楼,孙丽,,设施维修,楼道窗户玻璃碎了,否,李娜,女儿电话13912345678\n`;
    const report = await createIntakeService(own.app.ctx).importSheet(null, g.campaignId, await parseSpreadsheet(Buffer.from(csv, 'utf8')), 'door_to_door', 'one.csv', { acceptOldDates: true });
    expect(report.imported).toBe(1);
    const id = own.db.prepare('SELECT id FROM submissions').pluck().get() as number;

    const staff = await loginAs(own, 'staff', { scopePlaceId: g.subdistrictId });
    const page = (await staff.get(`/submissions/${id}`)).text;
    expect(page).toContain('女儿电话139****5678');
    expect(page).not.toContain('13912345678');
    const exported = (await staff.get(`/campaigns/${g.campaignId}/submissions.csv`).buffer(true).parse(binaryBody)).body.toString('utf8');
    expect(exported).toContain('女儿电话139****5678');
    expect(exported).not.toContain('13912345678');

    const admin = await loginAs(own, 'admin');
    expect((await admin.get(`/submissions/${id}`)).text).toContain('女儿电话13912345678');
    const ws = await sheetOf((await admin.get(`/campaigns/${g.campaignId}/submissions.xlsx`).buffer(true).parse(binaryBody)).body);
    expect((ws.getRow(2).values as unknown[])).toContain('女儿电话13912345678');
    own.db.close();
  });
});
