import type { Cell, RawTable, TableRow } from './read-table';

/** The columns the import understands. Names follow the door-to-door sheet grid workers already use. */
export const FIELDS = ['seq', 'date', 'community', 'grid', 'compound', 'building', 'name', 'phone', 'category', 'text', 'wish', 'visitor', 'note'] as const;
export type Field = (typeof FIELDS)[number];

/** The template's header, in this order (the same as ../shared/data/door-to-door-sample.csv). */
export const TEMPLATE_HEADERS: Array<[Field, string]> = [
  ['seq', '序号'], ['date', '走访日期'], ['community', '社区'], ['grid', '网格'], ['compound', '小区/楼院'],
  ['building', '楼栋单元'], ['name', '姓名'], ['phone', '联系电话'], ['category', '诉求类型'], ['text', '诉求内容'],
  ['wish', '是否微心愿'], ['visitor', '走访人'], ['note', '备注'],
];

/** Header words seen in real sheets, each meaning one field. Compared after normalizeHeader. */
const ALIASES: Record<Field, string[]> = {
  seq: ['序号', '编号', '序'],
  date: ['走访日期', '日期', '收集日期', '登记日期', '反映日期', '走访时间', '时间'],
  community: ['社区', '所属社区', '社区名称'],
  grid: ['网格', '所属网格', '网格名称'],
  compound: ['小区/楼院', '小区', '楼院', '小区楼院', '小区(楼院)', '小区名称'],
  building: ['楼栋单元', '楼栋', '楼号', '楼栋号', '单元', '门牌号', '住址', '地址'],
  name: ['姓名', '居民姓名', '群众姓名', '反映人'],
  phone: ['联系电话', '电话', '手机', '手机号', '手机号码', '联系方式'],
  category: ['诉求类型', '类型', '分类', '问题类型', '诉求分类'],
  text: ['诉求内容', '内容', '意见建议', '诉求', '问题描述', '具体诉求', '意见内容', '意见'],
  wish: ['是否微心愿', '微心愿'],
  visitor: ['走访人', '录入人', '网格员', '登记人'],
  note: ['备注'],
};

const ALIAS_TO_FIELD = new Map<string, Field>();
for (const f of FIELDS) for (const a of ALIASES[f]) ALIAS_TO_FIELD.set(a, f);

/** "＊ 联系电话（选填）" → "联系电话": full-width to half-width, no spaces, no required-field stars. */
export function normalizeHeader(v: Cell): string {
  if (v === null || typeof v !== 'string') return '';
  return v.normalize('NFKC').replace(/[\s*:]/g, '');
}

function fieldOf(header: string): Field | undefined {
  if (!header) return undefined;
  return ALIAS_TO_FIELD.get(header) ?? ALIAS_TO_FIELD.get(header.replace(/\(.*\)$/, ''));
}

export interface HeaderMatch {
  /** Sheet row number of the header: the row carrying the field names (data starts below it). */
  rowNumber: number;
  /** Index into the row's cells for each field found. */
  columns: Partial<Record<Field, number>>;
  /** Header cells with a name the import does not use (or a second column for the same field). */
  ignored: Array<{ column: string; title: string }>;
}

/** 0 → "A", 27 → "AB": the column as Excel labels it. */
export function columnLetter(i: number): string {
  let s = '';
  for (let n = i + 1; n > 0; n = Math.floor((n - 1) / 26)) s = String.fromCharCode(65 + ((n - 1) % 26)) + s;
  return s;
}

const fieldsIn = (row: TableRow) => row.cells.map((cell) => fieldOf(normalizeHeader(cell)));

/**
 * A row under a header that names fields below group titles (居民信息 over 姓名 and 联系电话): most of its own
 * cells, those not inherited from merges above, are column names. A data row has one now and then at most.
 */
function isSubHeader(row: TableRow): boolean {
  const inherited = new Set(row.inherited ?? []);
  let own = 0;
  let named = 0;
  row.cells.forEach((cell, i) => {
    if (cell === null || inherited.has(i)) return;
    own++;
    if (fieldOf(normalizeHeader(cell))) named++;
  });
  return named >= 2 ? named * 2 >= own : named === 1 && own === 1;
}

/**
 * Finds the header among the first rows (a title, a date line or blank rows often sit above it): the first
 * row where at least three known column names appear, one of them the opinion text. A two-row header counts
 * as one: group titles above field names (or field names above a row naming the columns of a group).
 */
export function findHeader(table: RawTable, searchRows = 30): HeaderMatch | null {
  const rows = table.rows.slice(0, searchRows + 1);
  for (let k = 0; k < Math.min(rows.length, searchRows); k++) {
    const upper = fieldsIn(rows[k]);
    if (!upper.some(Boolean)) continue; // a title or a row of group titles only: the header is further down
    const below = rows[k + 1];
    const lower = below && below.rowNumber === rows[k].rowNumber + 1 && isSubHeader(below) ? below : null;
    const lowerFields = lower ? fieldsIn(lower) : [];
    // Per column: the field the lower row names, else the one the upper row names.
    const width = Math.max(upper.length, lowerFields.length);
    const columns: Partial<Record<Field, number>> = {};
    const ignored: HeaderMatch['ignored'] = [];
    for (let i = 0; i < width; i++) {
      const f = lowerFields[i] ?? upper[i];
      if (f && columns[f] === undefined) { columns[f] = i; continue; }
      const title = (lower ? cellTitle(lower.cells[i]) : '') || cellTitle(rows[k].cells[i]);
      if (title) ignored.push({ column: columnLetter(i), title });
    }
    if (columns.text !== undefined && Object.keys(columns).length >= 3) {
      return { rowNumber: (lower ?? rows[k]).rowNumber, columns, ignored: dedupe(ignored) };
    }
  }
  return null;
}

/** A header cell as shown, for the list of ignored columns. */
function cellTitle(v: Cell | undefined): string {
  if (v === null || v === undefined || v instanceof Date) return '';
  return String(v).replace(/\s+/g, ' ').trim().slice(0, 30);
}

/** A group title merged over several ignored columns is listed once, at its first column. */
function dedupe(list: HeaderMatch['ignored']): HeaderMatch['ignored'] {
  return list.filter((x, i) => i === 0 || list[i - 1].title !== x.title);
}
