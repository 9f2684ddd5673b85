import fs from 'node:fs';
import path from 'node:path';
import ExcelJS from 'exceljs';
import { readXlsxFast } from '../../src/intake/import/fast-xlsx';
import { readXlsxWithExceljs, type RawTable } from '../../src/intake/import/read-table';

const SAMPLE_XLSX = fs.readFileSync(path.join(__dirname, '..', '..', '..', 'shared', 'data', 'door-to-door-sample.xlsx'));

/** Tables compared by value: trailing empty cells dropped, dates as ISO text. */
function normalize(tables: RawTable[] | null) {
  return tables?.map((t) => ({
    sheetName: t.sheetName, date1904: t.date1904,
    rows: t.rows.map((r) => {
      const cells = r.cells.map((c) => (c instanceof Date ? c.toISOString() : c));
      while (cells.length && cells[cells.length - 1] === null) cells.pop();
      return [r.rowNumber, ...cells];
    }).filter((r, i, all) => r.length > 1 || all.slice(i).some((x) => x.length > 1)),
  }));
}

async function both(buf: Buffer) {
  return { fast: normalize(readXlsxFast(buf)), full: normalize(await readXlsxWithExceljs(buf)) };
}

describe('the fast xlsx reader', () => {
  it('reads the sample sheet exactly as exceljs does (title merge, numbers, dates, text dates)', async () => {
    const { fast, full } = await both(SAMPLE_XLSX);
    expect(fast).not.toBeUndefined();
    expect(fast).toEqual(full);
  });

  it('agrees with exceljs on rich text, formulas, booleans, custom date formats, vertical merges and entities', async () => {
    const wb = new ExcelJS.Workbook();
    const ws = wb.addWorksheet('表<1> & "引号"');
    ws.addRow(['标题']);
    ws.mergeCells('A1:D1');
    ws.addRow(['社区', '日期', '内容', '电话', '数', '布尔']);
    ws.addRow(['永安社区', new Date(Date.UTC(2023, 10, 2)), { richText: [{ text: '楼道', font: { bold: true } }, { text: '灯坏了 <b>&amp;' }] }, 13803712345, 1.5, true]);
    ws.addRow([null, new Date(Date.UTC(2023, 10, 3)), { formula: 'A3&"x"', result: '永安社区x' }, '0371-66668888', { formula: '1+1', result: 2 }, false]);
    ws.addRow(['建华社区', '2023年11月4日', { text: '链接文字', hyperlink: 'https://example.org' }, null, null, null]);
    ws.mergeCells('A3:A4'); // a community written once for two rows
    ws.getCell('B3').numFmt = 'yyyy"年"m"月"d"日"';
    ws.getCell('B4').numFmt = '[$-804]yyyy/mm/dd;@';
    ws.getCell('E3').numFmt = '0.00';
    ws.getCell('F6').numFmt = 'yyyy-mm-dd'; // an empty, styled cell
    ws.addRow([]);
    ws.addRow(['第 8 行', '换行\n文本', '_x000D_ 与 \u00a0']);
    const buf = Buffer.from(await wb.xlsx.writeBuffer());
    const { fast, full } = await both(buf);
    expect(fast).toEqual(full);
    expect(fast![0].rows[3]).toEqual([4, '永安社区', '2023-11-03T00:00:00.000Z', '永安社区x', '0371-66668888', 2, false]);
    // Both note that row 4's community comes from the merge above it.
    const inherited = (tables: RawTable[] | null) => tables?.[0].rows.map((r) => [r.rowNumber, r.inherited ?? []]);
    expect(inherited(readXlsxFast(buf))).toEqual(inherited(await readXlsxWithExceljs(buf)));
    expect(inherited(readXlsxFast(buf))).toContainEqual([4, [0]]);
  });

  it('honours the 1904 date system', async () => {
    const wb = new ExcelJS.Workbook();
    wb.properties.date1904 = true;
    const ws = wb.addWorksheet('s');
    ws.addRow(['日期', '内容', '社区']);
    ws.addRow([new Date(Date.UTC(2023, 10, 2)), 'x', '永安社区']);
    const { fast, full } = await both(Buffer.from(await wb.xlsx.writeBuffer()));
    expect(fast).toEqual(full);
    expect(fast![0].date1904).toBe(true);
  });

  it('declines what it does not understand, so exceljs reads it instead', () => {
    expect(readXlsxFast(Buffer.from('PK\x03\x04 not really a zip'))).toBeNull();
    expect(readXlsxFast(Buffer.alloc(10))).toBeNull();
  });
});
