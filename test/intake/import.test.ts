import fs from 'node:fs';
import path from 'node:path';
import crypto from 'node:crypto';
import iconv from 'iconv-lite';
import ExcelJS from 'exceljs';
import { makeTestApp, createUser, viewerOf } from '../helpers/app';
import { createIntakeFixture } from '../helpers/intake-fixtures';
import { parseSpreadsheet } from '../../src/intake/import/parse-sheet';
import { formatReport, type ImportReport, type IntakeService } from '../../src/intake/service';
import { parseDateCell, parsePhoneCell } from '../../src/intake/import/values';
import { InvalidError } from '../../src/lib/errors';
import type { Viewer } from '../../src/access/rules';

const SHARED = path.join(__dirname, '..', '..', '..', 'shared', 'data');
const SAMPLE_CSV = fs.readFileSync(path.join(SHARED, 'door-to-door-sample.csv'));
const SAMPLE_XLSX = fs.readFileSync(path.join(SHARED, 'door-to-door-sample.xlsx'));

/**
 * The sample's 20 numbered rows (序号 1–20) and one blank row, worked out by hand:
 * 序号 8 phone has 10 digits, 9 has month 13, 11 has no text, 12 names a community that does not exist,
 * 14 repeats 1 exactly, 20 has phone "abc"; 13's category 其它问题 is not in the catalogue (goes in, uncategorized).
 * CSV: header on line 1, 序号 n on line n+1, blank line 16, so 序号 15–20 are lines 17–22.
 * XLSX: title row 1 (merged A1:M1), blank row 2, header row 3, 序号 n on row n+3, blank row 18, 序号 15–20 on rows 19–24.
 */
const EXPECTED = {
  csv: {
    headerRow: 1,
    rejected: [
      { row: 9, reasons: ['电话号码不正确（“1381234567”）'] },
      { row: 10, reasons: ['日期无法识别（“2023-13-05”）'] },
      { row: 12, reasons: ['缺少诉求内容'] },
      { row: 13, reasons: ['社区不存在（“不存在社区”）'] },
      { row: 15, reasons: ['与第 2 行重复'] },
      { row: 22, reasons: ['电话号码不正确（“abc”）'] },
    ],
    notes: [{ row: 14, message: '类型“其它问题”不在目录中，已自动分类/待分拣' }],
    importedRows: [2, 3, 4, 5, 6, 7, 8, 11, 14, 17, 18, 19, 20, 21],
  },
  xlsx: {
    headerRow: 3,
    rejected: [
      { row: 11, reasons: ['电话号码不正确（“1381234567”）'] },
      { row: 12, reasons: ['日期无法识别（“2023-13-05”）'] },
      { row: 14, reasons: ['缺少诉求内容'] },
      { row: 15, reasons: ['社区不存在（“不存在社区”）'] },
      { row: 17, reasons: ['与第 4 行重复'] },
      { row: 24, reasons: ['电话号码不正确（“abc”）'] },
    ],
    notes: [{ row: 16, message: '类型“其它问题”不在目录中，已自动分类/待分拣' }],
    importedRows: [4, 5, 6, 7, 8, 9, 10, 13, 16, 19, 20, 21, 22, 23],
  },
};

function setup() {
  const t = makeTestApp();
  const f = createIntakeFixture(t.db);
  const intake = t.app.ctx.intakeService;
  return { t, f, intake };
}

/** Every good row of the sample is dated November 2023, more than a year ago: it goes in only when confirmed. */
const CONFIRMED = { acceptOldDates: true };

async function importBuf(intake: IntakeService, campaignId: number, buf: Buffer, name: string, user: Viewer | null = null,
  opts: { acceptOldDates?: boolean } = {}): Promise<ImportReport> {
  return intake.importSheet(user, campaignId, await parseSpreadsheet(buf), 'door_to_door', name, opts);
}

/** The rejections of an unconfirmed import of the sample: the bad rows, and each good row for its 2023 date. */
function unconfirmedRejections(e: (typeof EXPECTED)['csv']) {
  const dated = e.importedRows.map((row) => ({ row, reasons: [expect.stringMatching(/^日期 2023-11-\d\d 一年多以前，需要核实，未确认$/)] }));
  return [...e.rejected, ...dated].sort((a, b) => a.row - b.row);
}

describe('reading the sample sheets', () => {
  it('finds the header under the xlsx title row and reads merged title, numeric phones and Excel dates', async () => {
    const sheet = await parseSpreadsheet(SAMPLE_XLSX);
    expect(sheet.sheetName).toBe('入户走访登记表');
    expect(sheet.headerRow).toBe(3);
    expect(sheet.rows).toHaveLength(20);
    const first = sheet.rows[0];
    expect(first).toMatchObject({ row: 4, date: '2023-11-02', community: '永安社区', grid: '第三网格', compound: '永安里小区', building: '3号楼2单元', name: '王秀兰', phone: '13803712345', category: '养老服务', wish: true, visitor: '李娜', note: '80岁', errors: [] });
    expect(sheet.rows.find((r) => r.row === 6)?.date).toBe('2023-11-03'); // an Excel date cell
    expect(sheet.rows.find((r) => r.row === 8)?.date).toBe('2023-11-04'); // 2023年11月4日 as text
    expect(sheet.rows.find((r) => r.row === 7)?.phone).toBeNull(); // no phone is fine
    expect(sheet.rows.map((r) => r.row)).not.toContain(18); // the blank row is skipped silently
  });

  it('reads the csv with quotes and commas inside fields', async () => {
    const sheet = await parseSpreadsheet(SAMPLE_CSV);
    expect(sheet.headerRow).toBe(1);
    expect(sheet.rows).toHaveLength(20);
    expect(sheet.rows.find((r) => r.row === 19)?.text).toBe('楼顶漏水，墙皮脱落，"已经报修三次"');
    expect(sheet.rows.find((r) => r.row === 20)?.name).toBe('欧阳,春');
    expect(sheet.rows.map((r) => r.row)).not.toContain(16);
  });
});

describe('importing the sample sheets', () => {
  for (const kind of ['csv', 'xlsx'] as const) {
    it(`imports the good rows of the ${kind} and reports each bad one by sheet row number`, async () => {
      const { t, f, intake } = setup();
      const e = EXPECTED[kind];
      const buf = kind === 'csv' ? SAMPLE_CSV : SAMPLE_XLSX;
      // Unconfirmed, the 2023 rows are rejected by row number, with their date and why; nothing goes in.
      const unconfirmed = await importBuf(intake, f.campaignId, buf, `sample.${kind}`);
      expect(unconfirmed).toMatchObject({ headerRow: e.headerRow, total: 20, imported: 0, alreadyImported: [], datesAccepted: false });
      expect(unconfirmed.rejected).toEqual(unconfirmedRejections(e));
      expect(unconfirmed.datesToConfirm!.map((d) => d.row)).toEqual(e.importedRows);
      expect(unconfirmed.datesToConfirm![0]).toEqual({ row: e.importedRows[0], date: '2023-11-02', reasons: ['一年多以前'] });
      expect(t.db.prepare('SELECT COUNT(*) FROM submissions').pluck().get()).toBe(0);

      const report = await importBuf(intake, f.campaignId, buf, `sample.${kind}`, null, CONFIRMED);
      expect(report).toMatchObject({ headerRow: e.headerRow, total: 20, imported: 14, alreadyImported: [], datesAccepted: true });
      expect(report.datesToConfirm).toHaveLength(14);
      expect(report.rejected).toEqual(e.rejected);
      expect(report.notes).toEqual(e.notes);
      expect(t.db.prepare('SELECT COUNT(*) FROM submissions').pluck().get()).toBe(14);

      // The stored records keep place, channel, date, kind and category.
      const first = t.db.prepare("SELECT * FROM submissions WHERE resident_name = '王秀兰'").get() as Record<string, unknown>;
      expect(first).toMatchObject({
        campaign_id: f.campaignId, channel: 'door_to_door', collected_on: '2023-11-02', kind: 'wish', resident_phone: '13803712345',
        community_id: f.communities['永安社区'], grid_id: f.grids['永安社区/第三网格'], compound_id: f.compounds['永安社区/永安里小区'], building: '3号楼2单元',
      });
      expect(first.category_id).toBe(t.db.prepare("SELECT id FROM categories WHERE name = '养老服务'").pluck().get());
      // 其它问题 is not in the catalogue: the row goes in for auto-categorization, or triage when that is unsure.
      const other = t.db.prepare("SELECT category_id, needs_triage, kind FROM submissions WHERE resident_name = '马晓燕'").get() as Record<string, unknown>;
      expect(other.kind).toBe('suggestion');
      expect(other.category_id !== null || other.needs_triage === 1).toBe(true);

      // The same file again, unconfirmed, adds nothing, and does not ask again about the rows already in.
      const again = await importBuf(intake, f.campaignId, buf, `sample.${kind}`);
      expect(again.imported).toBe(0);
      expect(again.alreadyImported).toEqual(e.importedRows);
      expect(again.rejected).toEqual(e.rejected);
      expect(again.datesToConfirm).toEqual([]);
      expect(t.db.prepare('SELECT COUNT(*) FROM submissions').pluck().get()).toBe(14);
    });
  }

  it('treats the xlsx and the csv of the same data as the same rows', async () => {
    const { t, f, intake } = setup();
    expect((await importBuf(intake, f.campaignId, SAMPLE_XLSX, 'a.xlsx', null, CONFIRMED)).imported).toBe(14);
    const csv = await importBuf(intake, f.campaignId, SAMPLE_CSV, 'a.csv', null, CONFIRMED);
    expect(csv.imported).toBe(0);
    expect(csv.alreadyImported).toHaveLength(14);
    expect(t.db.prepare('SELECT COUNT(*) FROM submissions').pluck().get()).toBe(14);
  });

  it('reads a GBK (GB18030) csv, as Chinese Excel saves it, with the same result', async () => {
    const { f, intake } = setup();
    const gbk = iconv.encode(SAMPLE_CSV.toString('utf8'), 'gbk');
    expect(gbk.equals(SAMPLE_CSV)).toBe(false);
    const report = await importBuf(intake, f.campaignId, gbk, 'gbk.csv', null, CONFIRMED);
    expect(report.imported).toBe(14);
    expect(report.rejected).toEqual(EXPECTED.csv.rejected);
    const withBom = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), SAMPLE_CSV]);
    expect((await importBuf(intake, f.campaignId, withBom, 'bom.csv', null, CONFIRMED)).alreadyImported).toHaveLength(14);
  });

  it('imports the same content into another campaign as new records', async () => {
    const { t, f, intake } = setup();
    const other = createIntakeFixture(t.db, { title: '另一轮' });
    await importBuf(intake, f.campaignId, SAMPLE_CSV, 'a.csv', null, CONFIRMED);
    expect((await importBuf(intake, other.campaignId, SAMPLE_CSV, 'a.csv', null, CONFIRMED)).imported).toBe(14);
  });

  it('prints the report for the command line with row numbers', async () => {
    const { f, intake } = setup();
    const refused = formatReport(await importBuf(intake, f.campaignId, SAMPLE_CSV, 'sample.csv'));
    expect(refused[1]).toBe('导入 0 条；已导入过（跳过）0 条；有问题未导入 20 条');
    expect(refused).toContain('  第 2 行：日期 2023-11-02 一年多以前，需要核实，未确认');
    expect(refused).toContain('  第 9 行：电话号码不正确（“1381234567”）');
    expect(refused[refused.length - 1]).toBe('日期需要核实的 14 行没有导入（第 2–8、11、14、17–21 行，早于活动开始日期或一年多以前）。'
      + '核实无误的话，加上 --accept-old-dates 再导入一次；已导入的行会自动跳过。');

    const lines = formatReport(await importBuf(intake, f.campaignId, SAMPLE_CSV, 'sample.csv', null, CONFIRMED));
    expect(lines[1]).toBe('导入 14 条；已导入过（跳过）0 条；有问题未导入 6 条');
    expect(lines).toContain('  第 9 行：电话号码不正确（“1381234567”）');
    expect(lines).toContain('  第 14 行：类型“其它问题”不在目录中，已自动分类/待分拣');
    expect(lines[lines.length - 1]).toBe('日期需要核实的 14 行已按 --accept-old-dates 照样导入：第 2–8、11、14、17–21 行');
  });
});

describe('confirming an import from the web', () => {
  it('commits in chunks, reporting progress, with the same result as one go', async () => {
    const { t, f, intake } = setup();
    const staff = await viewerOf(t, createUser(t.db, { role: 'staff', scopePlaceId: f.subdistrictId }).id);
    const id = await intake.createBatch(staff, f.campaignId, await parseSpreadsheet(SAMPLE_CSV), 'door_to_door', 'sample.csv');
    expect(t.db.prepare('SELECT COUNT(*) FROM submissions').pluck().get()).toBe(0);
    const steps: string[] = [];
    const report = await intake.commitBatch(staff, id, { acceptOldDates: true, onProgress: (done, total) => { steps.push(`${done}/${total}`); }, chunk: 4 });
    expect(steps).toEqual(['0/14', '4/14', '8/14', '12/14', '14/14']);
    expect(report).toMatchObject({ imported: 14, alreadyImported: [], total: 20 });
    expect(report.rejected).toEqual(EXPECTED.csv.rejected);
    expect(t.db.prepare('SELECT COUNT(*) FROM submissions').pluck().get()).toBe(14);
    // Confirming again returns the stored report and adds nothing.
    expect(await intake.commitBatch(staff, id)).toEqual(report);
    expect(t.db.prepare('SELECT COUNT(*) FROM submissions').pluck().get()).toBe(14);
    // The parsed rows (with residents' names) are not kept once committed.
    expect(t.db.prepare('SELECT parsed FROM import_batches WHERE id = ?').pluck().get(id)).toBe('[]');
  });
});

describe('bad files', () => {
  const messageOf = async (buf: Buffer) => {
    try { await parseSpreadsheet(buf); } catch (err) { expect(err).toBeInstanceOf(InvalidError); return (err as InvalidError).message; }
    throw new Error('expected an error');
  };

  it('refuses random bytes named .xlsx with a clear Chinese message', async () => {
    expect(await messageOf(crypto.randomBytes(4096))).toBe('无法识别这个文件。请上传 .xlsx 或 .csv 表格（可以先下载模板）。');
    const zipLike = Buffer.concat([Buffer.from('PK\x03\x04'), crypto.randomBytes(4096)]);
    expect(await messageOf(zipLike)).toContain('无法读取这个 Excel 文件');
    const xls = Buffer.concat([Buffer.from([0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1]), crypto.randomBytes(512)]);
    expect(await messageOf(xls)).toContain('旧版 Excel（.xls）');
    expect(await messageOf(Buffer.alloc(0))).toBe('文件是空的，没有可以导入的内容。');
  });

  it('refuses a csv without a recognizable header, saying which columns it needs', async () => {
    const msg = await messageOf(Buffer.from('name,phone,text\nA,1,hello\n'));
    expect(msg).toContain('找不到表头');
    expect(msg).toContain('诉求内容');
    expect(await messageOf(Buffer.from('诉求内容,姓名,电话\n灯坏了,张三,13800000000\n'))).toContain('没有“社区”列');
  });

  it('refuses an xlsx whose sheets have no header', async () => {
    const wb = new ExcelJS.Workbook();
    wb.addWorksheet('s').addRow(['a', 'b', 'c']);
    expect(await messageOf(Buffer.from(await wb.xlsx.writeBuffer()))).toContain('找不到表头');
  });
});

describe('cell values', () => {
  it('reads dates as grid workers type them and refuses impossible ones', () => {
    expect(parseDateCell('2023/11/02')).toBe('2023-11-02');
    expect(parseDateCell('2023-11-3')).toBe('2023-11-03');
    expect(parseDateCell('2023年11月4日')).toBe('2023-11-04');
    expect(parseDateCell('2023.11.05')).toBe('2023-11-05');
    expect(parseDateCell('20231106')).toBe('2023-11-06');
    expect(parseDateCell('2023-11-07 14:30')).toBe('2023-11-07');
    expect(parseDateCell(45232)).toBe('2023-11-02'); // Excel serial
    expect(parseDateCell(45232, true)).toBe('2027-11-03'); // 1904 date system
    expect(parseDateCell(new Date(Date.UTC(2023, 10, 8)))).toBe('2023-11-08');
    expect(parseDateCell('2023-13-05')).toBeNull();
    expect(parseDateCell('2023-02-30')).toBeNull();
    expect(parseDateCell('昨天')).toBeNull();
    expect(parseDateCell(null)).toBeUndefined();
  });

  it('reads phones typed as numbers, and refuses short, garbled and scientific-notation ones', () => {
    expect(parsePhoneCell(13803712345)).toEqual({ ok: true, phone: '13803712345' });
    expect(parsePhoneCell('138 0371 2345')).toEqual({ ok: true, phone: '13803712345' });
    expect(parsePhoneCell('0371-66668888')).toEqual({ ok: true, phone: '0371-66668888' });
    expect(parsePhoneCell(null)).toEqual({ ok: true, phone: null });
    expect(parsePhoneCell('1381234567')).toEqual({ ok: false, reason: '电话号码不正确（“1381234567”）' });
    expect(parsePhoneCell('1.38037E+10')).toMatchObject({ ok: false, reason: expect.stringContaining('科学计数法') });
    expect(parsePhoneCell(1.5)).toMatchObject({ ok: false });
  });
});

describe('import limits by role', () => {
  it('lets a grid worker import only the rows of their own grids', async () => {
    const { t, f, intake } = setup();
    const w = createUser(t.db, { role: 'grid_worker', gridIds: [f.grids['永安社区/第三网格']] });
    const user = await viewerOf(t, w.id);
    const report = await importBuf(intake, f.campaignId, SAMPLE_CSV, 'a.csv', user, CONFIRMED);
    // 序号 1 and 2 (lines 2, 3) are 永安社区 第三网格; 序号 14 (line 15) repeats 序号 1.
    expect(report.imported).toBe(2);
    expect(report.rejected.find((r) => r.row === 4)?.reasons).toEqual(['不在您负责的网格内（建华社区 第一网格）']);
    expect(report.rejected.find((r) => r.row === 15)?.reasons).toEqual(['与第 2 行重复']);
    expect(t.db.prepare('SELECT DISTINCT grid_id FROM submissions').pluck().all()).toEqual([f.grids['永安社区/第三网格']]);
    expect(t.db.prepare('SELECT DISTINCT entered_by FROM submissions').pluck().all()).toEqual([w.id]);
  });

  it('lets staff of one community import only that community', async () => {
    const { t, f, intake } = setup();
    const s = createUser(t.db, { role: 'staff', scopePlaceId: f.communities['建华社区'] });
    const report = await importBuf(intake, f.campaignId, SAMPLE_CSV, 'a.csv', (await viewerOf(t, s.id)), CONFIRMED);
    expect(report.imported).toBe(4);
    expect(report.rejected.find((r) => r.row === 2)?.reasons).toEqual(['社区“永安社区”不在您的工作范围内']);
  });

  it('keeps rows whose grid or compound is unknown, leaving the grid empty and the compound in the building text', async () => {
    const { t, f, intake } = setup();
    const csv = '社区,网格,小区/楼院,楼栋单元,诉求内容\n永安社区,第九网格,新建小区,1号楼,路灯不亮\n';
    const report = await importBuf(intake, f.campaignId, Buffer.from(csv), 'a.csv');
    expect(report.imported).toBe(1);
    expect(report.notes).toEqual([
      { row: 2, message: '网格“第九网格”不在永安社区中，已留空' },
      { row: 2, message: '小区/楼院“新建小区”不在永安社区中，已写入楼栋单元' },
    ]);
    expect(t.db.prepare('SELECT grid_id, compound_id, building FROM submissions').get()).toEqual({ grid_id: null, compound_id: null, building: '新建小区 1号楼' });
  });
});
