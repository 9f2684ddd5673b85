import zlib from 'node:zlib';
import ExcelJS from 'exceljs';
import { parseSpreadsheet } from '../../src/intake/import/parse-sheet';
import { fallbackIsSafe, readXlsxFast } from '../../src/intake/import/fast-xlsx';
import { readXlsxWithExceljs } from '../../src/intake/import/read-table';
import { LIMIT_MESSAGES, MAX_COLUMNS, MAX_XML_BYTES } from '../../src/intake/import/limits';
import { InvalidError } from '../../src/lib/errors';

/**
 * Workbooks that declare far more than they hold: whole-sheet merges, a styled empty cell in column XFD on
 * every row, a stray cell in row 1048576, sheet XML padded to hundreds of MB. They are written here as raw
 * XML (exceljs itself would create every merged cell), and each must be answered in moments: the real rows,
 * or a Chinese refusal. Before the fix the first of them ran a minute and ended the process out of memory.
 */

// ---- a minimal .xlsx writer -----------------------------------------------------------------------

function zip(files: Record<string, string | Buffer>, opts: { zip64?: boolean } = {}): Buffer {
  const locals: Buffer[] = [];
  const centrals: Buffer[] = [];
  let offset = 0;
  for (const [name, content] of Object.entries(files)) {
    const data = Buffer.isBuffer(content) ? content : Buffer.from(content, 'utf8');
    const packed = zlib.deflateRawSync(data);
    const nameBuf = Buffer.from(name, 'utf8');
    const crc = zlib.crc32(data);
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(20, 4);
    local.writeUInt16LE(8, 8);
    local.writeUInt32LE(crc, 14);
    local.writeUInt32LE(packed.length, 18);
    local.writeUInt32LE(data.length, 22);
    local.writeUInt16LE(nameBuf.length, 26);
    locals.push(local, nameBuf, packed);
    // ZIP64 as some writers always do it: sizes and offset in the extra field, 0xffffffff in the entry.
    const extra = opts.zip64 ? Buffer.alloc(28) : Buffer.alloc(0);
    if (opts.zip64) {
      extra.writeUInt16LE(1, 0);
      extra.writeUInt16LE(24, 2);
      extra.writeBigUInt64LE(BigInt(data.length), 4);
      extra.writeBigUInt64LE(BigInt(packed.length), 12);
      extra.writeBigUInt64LE(BigInt(offset), 20);
    }
    const central = Buffer.alloc(46);
    central.writeUInt32LE(0x02014b50, 0);
    central.writeUInt16LE(45, 4);
    central.writeUInt16LE(20, 6);
    central.writeUInt16LE(8, 10);
    central.writeUInt32LE(crc, 16);
    central.writeUInt32LE(opts.zip64 ? 0xffffffff : packed.length, 20);
    central.writeUInt32LE(opts.zip64 ? 0xffffffff : data.length, 24);
    central.writeUInt16LE(nameBuf.length, 28);
    central.writeUInt16LE(extra.length, 30);
    central.writeUInt32LE(opts.zip64 ? 0xffffffff : offset, 42);
    centrals.push(central, nameBuf, extra);
    offset += 30 + nameBuf.length + packed.length;
  }
  const cd = Buffer.concat(centrals);
  const count = Object.keys(files).length;
  const tail: Buffer[] = [];
  if (opts.zip64) {
    const rec = Buffer.alloc(56);
    rec.writeUInt32LE(0x06064b50, 0);
    rec.writeBigUInt64LE(44n, 4);
    rec.writeUInt16LE(45, 12);
    rec.writeUInt16LE(45, 14);
    rec.writeBigUInt64LE(BigInt(count), 24);
    rec.writeBigUInt64LE(BigInt(count), 32);
    rec.writeBigUInt64LE(BigInt(cd.length), 40);
    rec.writeBigUInt64LE(BigInt(offset), 48);
    const loc = Buffer.alloc(20);
    loc.writeUInt32LE(0x07064b50, 0);
    loc.writeBigUInt64LE(BigInt(offset + cd.length), 8);
    loc.writeUInt32LE(1, 16);
    tail.push(rec, loc);
  }
  const eocd = Buffer.alloc(22);
  eocd.writeUInt32LE(0x06054b50, 0);
  eocd.writeUInt16LE(opts.zip64 ? 0xffff : count, 8);
  eocd.writeUInt16LE(opts.zip64 ? 0xffff : count, 10);
  eocd.writeUInt32LE(cd.length, 12);
  eocd.writeUInt32LE(opts.zip64 ? 0xffffffff : offset, 16);
  return Buffer.concat([...locals, cd, ...tail, eocd]);
}

const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;');
const str = (ref: string, v: string) => `<c r="${ref}" t="inlineStr"><is><t>${esc(v)}</t></is></c>`;
const num = (ref: string, v: number) => `<c r="${ref}"><v>${v}</v></c>`;
const row = (r: number, cells: string) => `<row r="${r}">${cells}</row>`;

/** 社区, 诉求内容, 姓名 in row 1; then the given rows. */
const HEADER = row(1, str('A1', '社区') + str('B1', '诉求内容') + str('C1', '姓名'));
const DATA = row(2, str('A2', '永安社区') + str('B2', '楼道灯坏了') + str('C2', '王秀兰'));

function xlsx(sheetData: string, after = '', opts: { zip64?: boolean } = {}): Buffer {
  const sheet = `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>${sheetData}</sheetData>${after}</worksheet>`;
  return xlsxParts({ 'xl/worksheets/sheet1.xml': sheet }, opts);
}

function xlsxParts(parts: Record<string, string | Buffer>, opts: { zip64?: boolean } = {}): Buffer {
  return zip({
    '[Content_Types].xml': '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/></Types>',
    '_rels/.rels': '<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>',
    'xl/workbook.xml': '<?xml version="1.0"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="走访" sheetId="1" r:id="rId1"/></sheets></workbook>',
    'xl/_rels/workbook.xml.rels': '<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/></Relationships>',
    // Style 1 is a thin left border: the "formatted but empty" cells of real sheets.
    'xl/styles.xml': '<?xml version="1.0"?><styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
      + '<fonts count="1"><font><sz val="11"/><name val="Calibri"/></font></fonts>'
      + '<fills count="2"><fill><patternFill patternType="none"/></fill><fill><patternFill patternType="gray125"/></fill></fills>'
      + '<borders count="2"><border><left/><right/><top/><bottom/><diagonal/></border><border><left style="thin"/><right/><top/><bottom/><diagonal/></border></borders>'
      + '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>'
      + '<cellXfs count="2"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/><xf numFmtId="0" fontId="0" fillId="0" borderId="1" xfId="0" applyBorder="1"/></cellXfs>'
      + '</styleSheet>',
    ...parts,
  }, opts);
}

const times = (n: number, f: (i: number) => string) => Array.from({ length: n }, (_, i) => f(i)).join('');

/**
 * The answer: the parsed sheet or the refusal's message. No timings here (those belong in benchmarks): the
 * unbounded reader ran for a minute and then ended the process out of memory, so a regression fails these
 * tests by jest's timeout or a crash, and the assertions check that only the real rows and columns were kept.
 */
async function answer(buf: Buffer) {
  try {
    const sheet = await parseSpreadsheet(buf);
    return { sheet, error: null as string | null };
  } catch (err) {
    if (!(err instanceof InvalidError)) throw err;
    return { sheet: null, error: err.message };
  }
}

describe('a workbook that declares more than it holds', () => {
  it('reads the real rows under a merge over A3:XFD1048576', async () => {
    const r = await answer(xlsx(HEADER + DATA, '<mergeCells count="1"><mergeCell ref="A3:XFD1048576"/></mergeCells>'));
    expect(r.sheet!.rows.map((x) => [x.row, x.community, x.text])).toEqual([[2, '永安社区', '楼道灯坏了']]);
  });

  it('fills a merge with a value only into rows that hold values, and no further right than the data', async () => {
    const rows = times(3, (i) => row(4 + i, str(`B${4 + i}`, `诉求${i}`)));
    const buf = xlsx(HEADER + DATA + row(3, str('A3', '建华社区') + str('B3', '路灯不亮')) + rows,
      '<mergeCells count="1"><mergeCell ref="A3:XFD3000"/></mergeCells>');
    const tables = readXlsxFast(buf)!;
    expect(tables[0].rows.map((x) => x.rowNumber)).toEqual([1, 2, 3, 4, 5, 6]);
    expect(Math.max(...tables[0].rows.map((x) => x.cells.length))).toBe(3);
    // Row 3 is the master's own row; rows 4–6 inherit 建华社区 in A (and B, C, which the merge also covers,
    // overwriting their own cells as Excel and exceljs do).
    expect(tables[0].rows[2]).toEqual({ rowNumber: 3, cells: ['建华社区', '建华社区', '建华社区'] });
    expect(tables[0].rows[3]).toEqual({ rowNumber: 4, cells: ['建华社区', '建华社区', '建华社区'], inherited: [0, 1, 2] });
    const r = await answer(buf);
    // Rows 4–6 hold nothing but what the merge lends them: blank, not data rows with errors.
    expect(r.sheet!.rows.map((x) => x.row)).toEqual([2, 3]);
  });

  it('reads the real rows of a sheet with a styled empty cell in column XFD on each of 40,000 rows', async () => {
    const padding = times(40_000, (i) => row(3 + i, `<c r="XFD${3 + i}" s="1"/>`));
    const r = await answer(xlsx(HEADER + DATA + padding));
    expect(r.sheet!.rows).toHaveLength(1);
  });

  it('does not count 60,000 rows of borders, nor an empty cell or a lone number in row 1048576, as rows', async () => {
    const borders = times(60_000, (i) => row(3 + i, times(13, (c) => `<c r="${String.fromCharCode(65 + c)}${3 + i}" s="1"/>`)));
    const bordered = await answer(xlsx(HEADER + DATA + borders));
    expect(bordered.error).toBeNull();
    expect(bordered.sheet!.rows.map((x) => x.row)).toEqual([2]);

    const stray = await answer(xlsx(HEADER + DATA + row(1048576, '<c r="C1048576" s="1"/>')));
    expect(stray.sheet!.rows.map((x) => x.row)).toEqual([2]);
    // With a 序号 column, a number alone far below is a pre-numbered blank row.
    const numbered = xlsx(row(1, str('A1', '序号') + str('B1', '社区') + str('C1', '诉求内容'))
      + row(2, num('A2', 1) + str('B2', '永安社区') + str('C2', '灯坏了')) + row(1048576, num('A1048576', 2)));
    expect((await answer(numbered)).sheet!.rows.map((x) => x.row)).toEqual([2]);
  });

  it('refuses more than 50,000 rows with values while reading, and accepts 50,000', async () => {
    const many = (n: number) => xlsx(HEADER + times(n, (i) => row(2 + i, str(`A${2 + i}`, '永安社区') + str(`B${2 + i}`, `第${i}条`))));
    const over = await answer(many(50_101));
    expect(over.error).toBe('表格超过 50000 行，请分成几个文件分别导入。');
    const full = await answer(many(50_000));
    expect(full.sheet!.rows).toHaveLength(50_000);
  });

  it(`reads no cell right of column ${MAX_COLUMNS}`, () => {
    const wide = xlsx(HEADER + row(2, str('A2', '永安社区') + str('B2', '灯坏了') + num('GR2', 7) + num('GS2', 8) + num('XFD2', 9)));
    const cells = readXlsxFast(wide)![0].rows[1].cells;
    expect(cells).toHaveLength(MAX_COLUMNS);
    expect(cells[MAX_COLUMNS - 1]).toBe(7);
  });

  it('refuses merged ranges that overlap again and again', async () => {
    const rows = times(2000, (i) => row(2 + i, str(`A${2 + i}`, '永安社区') + str(`B${2 + i}`, `第${i}条`)));
    const merges = `<mergeCells>${times(5000, () => '<mergeCell ref="A2:XFD1048576"/>')}</mergeCells>`;
    const r = await answer(xlsx(HEADER + rows, merges));
    expect(r.error).toBe(LIMIT_MESSAGES.overlappingMerges);
  });

  it('refuses sheet XML that unzips past the limit without unzipping all of it', async () => {
    const padded = xlsx(HEADER + DATA + ' '.repeat(MAX_XML_BYTES + 1024 * 1024));
    expect(padded.length).toBeLessThan(1024 * 1024);
    const r = await answer(padded);
    expect(r.error).toBe(LIMIT_MESSAGES.tooBigUnzipped);
  });

  it('keeps workbooks with such merges away from exceljs, which would create every merged cell', async () => {
    expect(fallbackIsSafe(xlsx(HEADER + DATA))).toBe(true);
    expect(fallbackIsSafe(xlsx(HEADER + DATA, '<mergeCells count="1"><mergeCell ref="A3:XFD1048576"/></mergeCells>'))).toBe(false);
    expect(fallbackIsSafe(zip({ 'word/document.xml': '<w:document/>' }))).toBe(false);
    // A workbook the fast reader declines (no sheetData) and that is not safe is refused, not handed on.
    const declined = xlsxParts({ 'xl/worksheets/sheet1.xml': '<worksheet><mergeCells><mergeCell ref="A1:XFD1048576"/></mergeCells></worksheet>' });
    expect(readXlsxFast(declined)).toBeNull();
    expect((await answer(declined)).error).toContain('无法读取这个 Excel 文件');
  });
});

describe('the minimal writer above and the ZIP64 layout', () => {
  it('writes files exceljs reads the same way as the fast reader', async () => {
    const rows = row(3, str('A3', '建华社区') + str('B3', '路灯不亮')) + row(4, str('B4', '垃圾清运不及时')) + row(5, '<c r="A5" s="1"/>');
    const buf = xlsx(HEADER + DATA + rows, '<mergeCells count="1"><mergeCell ref="A3:A6"/></mergeCells>');
    const fast = readXlsxFast(buf);
    expect(fast![0].rows.slice(2)).toEqual([
      { rowNumber: 3, cells: ['建华社区', '路灯不亮'] },
      { rowNumber: 4, cells: ['建华社区', '垃圾清运不及时'], inherited: [0] },
    ]);
    expect(fast).toEqual(await readXlsxWithExceljs(buf));
  });

  it('reads a workbook whose ZIP uses ZIP64 records', async () => {
    const plain = readXlsxFast(xlsx(HEADER + DATA));
    expect(readXlsxFast(xlsx(HEADER + DATA, '', { zip64: true }))).toEqual(plain);
    expect((await answer(xlsx(HEADER + DATA, '', { zip64: true }))).sheet!.rows).toHaveLength(1);
  });

  it('reads an exceljs workbook with a styled empty cell far right the same as exceljs', async () => {
    const wb = new ExcelJS.Workbook();
    const ws = wb.addWorksheet('s');
    ws.addRow(['社区', '诉求内容', '姓名']);
    ws.addRow(['永安社区', '灯坏了', '王秀兰']);
    ws.getCell('XFD5').border = { top: { style: 'thin' } };
    const buf = Buffer.from(await wb.xlsx.writeBuffer());
    const fast = readXlsxFast(buf);
    expect(fast![0].rows.map((x) => x.rowNumber)).toEqual([1, 2]);
    expect(fast).toEqual(await readXlsxWithExceljs(buf));
  });
});
