import { invalid } from '../../lib/errors';
import { findHeader, TEMPLATE_HEADERS, type Field, type HeaderMatch } from './columns';
import { readTables, type Cell, type RawTable } from './read-table';
import { cellText, parseDateCell, parsePhoneCell, parseWishCell } from './values';

/** One data row as read from the file, before any place or category is looked up. */
export interface SheetRow {
  /** Sheet row number as Excel shows it. */
  row: number;
  /** YYYY-MM-DD, or null when the cell was empty. */
  date: string | null;
  community: string;
  grid: string;
  compound: string;
  building: string;
  name: string;
  phone: string | null;
  category: string;
  text: string;
  wish: boolean;
  visitor: string;
  note: string;
  /** Problems found in the row itself (Chinese, for the report). */
  errors: string[];
}

export interface ParsedSheet {
  sheetName: string | null;
  headerRow: number;
  /** Non-blank data rows; blank rows are skipped silently. */
  rows: SheetRow[];
  /** Header columns the import does not read, as "H 列“满意度”" pieces for the preview. */
  ignoredColumns?: Array<{ column: string; title: string }>;
}

export const LIMITS = { text: 2000, name: 50, building: 100, place: 50, category: 50, visitor: 50, note: 500 };

export const ROW_MESSAGES = {
  noText: '缺少诉求内容',
  noCommunity: '缺少社区',
  badDate: (raw: string) => `日期无法识别（“${raw.slice(0, 30)}”）`,
  tooLong: (what: string, max: number) => `${what}太长（最多 ${max} 字）`,
  noHeader: () => `找不到表头。表格中需要有“诉求内容”和“社区”等列（例如：${TEMPLATE_HEADERS.map((h) => h[1]).join('、')}）。请下载模板，按模板的列名填写后再导入。`,
  noCommunityColumn: '表格中没有“社区”列。请按模板添加“社区”列后再导入。',
};

/** Reads the file, finds the header row, and turns every non-blank row into a SheetRow with its own errors. */
export async function parseSpreadsheet(buf: Buffer): Promise<ParsedSheet> {
  const tables = await readTables(buf);
  let found: { table: RawTable; header: HeaderMatch } | null = null;
  for (const table of tables) {
    const header = findHeader(table);
    if (header) { found = { table, header }; break; }
  }
  if (!found) throw invalid(ROW_MESSAGES.noHeader());
  const { table, header } = found;
  if (header.columns.community === undefined) throw invalid(ROW_MESSAGES.noCommunityColumn);

  const rows: SheetRow[] = [];
  for (const r of table.rows) {
    if (r.rowNumber <= header.rowNumber) continue;
    const get = (f: Field): Cell => {
      const i = header.columns[f];
      return i === undefined ? null : r.cells[i] ?? null;
    };
    const text = (f: Field) => cellText(get(f)).replace(/\s+/g, (ws) => (ws.includes('\n') ? '\n' : ' '));
    // A row is blank when nothing but its number is filled in (templates are often pre-numbered), or when its
    // only values come from merged cells above it (a community or date written once over many rows).
    const inherited = new Set(r.inherited ?? []);
    const blank = (Object.keys(header.columns) as Field[])
      .every((f) => f === 'seq' || inherited.has(header.columns[f]!) || cellText(get(f)) === '');
    if (blank) continue;

    const errors: string[] = [];
    const rawDate = get('date');
    const date = parseDateCell(rawDate, table.date1904);
    const phone = parsePhoneCell(get('phone'));
    const row: SheetRow = {
      row: r.rowNumber,
      date: date ?? null,
      community: text('community').replace(/\s/g, ''),
      grid: text('grid').replace(/\s/g, ''),
      compound: text('compound'),
      building: text('building'),
      name: text('name'),
      phone: phone.ok ? phone.phone : null,
      category: text('category'),
      text: text('text'),
      wish: parseWishCell(get('wish')),
      visitor: text('visitor'),
      note: text('note'),
      errors,
    };
    if (!row.text) errors.push(ROW_MESSAGES.noText);
    if (!row.community) errors.push(ROW_MESSAGES.noCommunity);
    if (date === null) errors.push(ROW_MESSAGES.badDate(cellText(rawDate)));
    if (!phone.ok) errors.push(phone.reason);
    const tooLong: Array<[keyof SheetRow, string, number]> = [
      ['text', '诉求内容', LIMITS.text], ['name', '姓名', LIMITS.name], ['building', '楼栋单元', LIMITS.building],
      ['community', '社区', LIMITS.place], ['grid', '网格', LIMITS.place], ['compound', '小区/楼院', LIMITS.place],
      ['category', '诉求类型', LIMITS.category], ['visitor', '走访人', LIMITS.visitor], ['note', '备注', LIMITS.note],
    ];
    for (const [k, label, max] of tooLong) if ((row[k] as string).length > max) errors.push(ROW_MESSAGES.tooLong(label, max));
    rows.push(row);
  }
  return { sheetName: table.sheetName, headerRow: header.rowNumber, rows, ignoredColumns: header.ignored };
}
