import type * as ExcelJS from 'exceljs';
import { loadExcelJs } from '../../lib/exceljs';
import { parse as parseCsv } from 'csv-parse/sync';
import { invalid } from '../../lib/errors';
import { decodeText, detectDelimiter } from './decode';
import { fallbackIsSafe, isBlankText, readXlsxFast } from './fast-xlsx';
import { isEncryptedOoxml } from './ole';
import { LIMIT_MESSAGES, MAX_COLUMNS, MAX_ROWS, MAX_ROWS_WITH_TITLES } from './limits';

export { MAX_COLUMNS, MAX_ROWS };

/** What one spreadsheet cell can hold once formulas, rich text and merges are resolved. */
export type Cell = string | number | boolean | Date | null;

export interface TableRow {
  /** As Excel shows it: 1-based, counting title and blank rows. */
  rowNumber: number;
  cells: Cell[];
  /**
   * Indexes of the cells whose value comes from a merged range starting in a row above (a community written
   * once for many rows). A row with nothing else is blank. Absent when there are none.
   */
  inherited?: number[];
}

export interface RawTable {
  sheetName: string | null;
  /** The rows that hold at least one value, in order; rows with nothing in them are left out. */
  rows: TableRow[];
  /** Workbooks saved with the 1904 date system count serial dates from 1904-01-01. */
  date1904: boolean;
}

export const FILE_MESSAGES = {
  empty: '文件是空的，没有可以导入的内容。',
  oldXls: '这是旧版 Excel（.xls）文件，暂不支持。请在 Excel 或 WPS 中“另存为” .xlsx 或 CSV 后再导入。',
  encrypted: '这个文件设置了打开密码，请在 Excel 中取消密码后再导入。',
  badXlsx: '无法读取这个 Excel 文件：文件可能已损坏，或不是 .xlsx 格式。请用 Excel 或 WPS 打开确认后，另存为 .xlsx 再导入。',
  badCsv: (line?: number) => `无法读取这个 CSV 文件${line ? `（第 ${line} 行附近格式有误，可能是引号不成对）` : ''}。请用 Excel 打开确认后另存为 .xlsx 再导入。`,
  notText: '无法识别这个文件。请上传 .xlsx 或 .csv 表格（可以先下载模板）。',
  tooManyRows: LIMIT_MESSAGES.tooManyRows,
};

/** Reads an uploaded table by its content, not its name: a renamed file still opens, a wrong one is refused kindly. */
export async function readTables(buf: Buffer): Promise<RawTable[]> {
  if (buf.length === 0) throw invalid(FILE_MESSAGES.empty);
  if (buf.length >= 4 && buf[0] === 0x50 && buf[1] === 0x4b && buf[2] === 0x03 && buf[3] === 0x04) return readXlsx(buf);
  if (buf.length >= 8 && buf.readUInt32BE(0) === 0xd0cf11e0 && buf.readUInt32BE(4) === 0xa1b11ae1) {
    // An OLE compound file: an old .xls, or an .xlsx that Excel encrypted with an opening password.
    throw invalid(isEncryptedOoxml(buf) ? FILE_MESSAGES.encrypted : FILE_MESSAGES.oldXls);
  }
  return [readCsv(buf)];
}

async function readXlsx(buf: Buffer): Promise<RawTable[]> {
  const fast = readXlsxFast(buf);
  if (fast) return fast;
  if (!fallbackIsSafe(buf)) throw invalid(FILE_MESSAGES.badXlsx);
  return readXlsxWithExceljs(buf);
}

/**
 * The complete reader, for files the fast one declines (and the reference the tests compare it with).
 * It returns what the fast reader returns: rows holding values, cells up to MAX_COLUMNS, inherited cells noted.
 */
export async function readXlsxWithExceljs(buf: Buffer): Promise<RawTable[]> {
  const wb = new (loadExcelJs().Workbook)();
  try {
    // exceljs's Buffer type predates Node 20's generic Buffer.
    await wb.xlsx.load(buf as unknown as ExcelJS.Buffer);
  } catch {
    throw invalid(FILE_MESSAGES.badXlsx);
  }
  const date1904 = Boolean(wb.properties?.date1904);
  const tables: RawTable[] = [];
  for (const ws of wb.worksheets) {
    const rows: TableRow[] = [];
    let maxOwnCol = -1;
    ws.eachRow((row, r) => {
      const cells: Cell[] = [];
      const inherited: number[] = [];
      let ownCol = -1;
      row.eachCell((cell, c) => {
        if (c > MAX_COLUMNS) return;
        const v = cellValue(cell);
        if (v === null) return;
        cells[c - 1] = v;
        if (cell.isMerged && cell.master && Number(cell.master.row) !== r) inherited.push(c - 1);
        else ownCol = c - 1;
      });
      if (ownCol < 0) return;
      if (rows.length >= MAX_ROWS_WITH_TITLES) throw invalid(FILE_MESSAGES.tooManyRows);
      maxOwnCol = Math.max(maxOwnCol, ownCol);
      rows.push(inherited.length ? { rowNumber: r, cells, inherited } : { rowNumber: r, cells });
    });
    // As the fast reader: merged ranges reach no further right than the last column holding a value.
    for (const row of rows) {
      row.cells.length = Math.min(row.cells.length, maxOwnCol + 1);
      for (let i = 0; i < row.cells.length; i++) if (row.cells[i] === undefined) row.cells[i] = null;
      if (row.inherited) {
        row.inherited = row.inherited.filter((c) => c <= maxOwnCol);
        if (!row.inherited.length) delete row.inherited;
      }
    }
    tables.push({ sheetName: ws.name, rows, date1904 });
  }
  return tables;
}

/** A merged range's cells all read the master cell's value; formulas read their cached result. */
function cellValue(cell: ExcelJS.Cell): Cell {
  const v = plain((cell.isMerged && cell.master ? cell.master.value : cell.value) as unknown);
  return typeof v === 'string' && isBlankText(v) ? null : v;
}

function plain(v: unknown): Cell {
  if (v === null || v === undefined) return null;
  if (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') return v;
  if (v instanceof Date) return Number.isNaN(v.getTime()) ? null : v;
  if (typeof v === 'object') {
    const o = v as { richText?: Array<{ text: string }>; result?: unknown; text?: unknown; error?: string };
    if (Array.isArray(o.richText)) return o.richText.map((t) => t.text).join('');
    if ('result' in o) return plain(o.result);
    if (typeof o.text === 'string') return o.text;
    if (o.error) return null;
  }
  return null;
}

function readCsv(buf: Buffer): RawTable {
  const { text } = decodeText(buf);
  // Control characters other than tab/newline mean this is not a text table (a binary file renamed .csv).
  const sample = text.slice(0, 2000);
  if (/[\u0000-\u0008\u000e-\u001f]/.test(sample) || sample.includes('\ufffd\ufffd\ufffd')) throw invalid(FILE_MESSAGES.notText);
  let records: string[][];
  try {
    records = parseCsv(text, {
      delimiter: detectDelimiter(text), relax_column_count: true, relax_quotes: true, skip_empty_lines: false, bom: true,
    }) as string[][];
  } catch (err) {
    const line = (err as { lines?: number }).lines;
    throw invalid(FILE_MESSAGES.badCsv(line));
  }
  // One CSV record is one Excel row, even when a quoted field spans lines. Blank records are left out.
  const rows: TableRow[] = [];
  records.forEach((cells, i) => {
    if (cells.every(isBlankText)) return;
    if (rows.length >= MAX_ROWS_WITH_TITLES) throw invalid(FILE_MESSAGES.tooManyRows);
    rows.push({ rowNumber: i + 1, cells: cells.length > MAX_COLUMNS ? cells.slice(0, MAX_COLUMNS) : cells });
  });
  return { sheetName: null, rows, date1904: false };
}
