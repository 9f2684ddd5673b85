import zlib from 'node:zlib';
import { DomainError, invalid } from '../../lib/errors';
import type { Cell, RawTable, TableRow } from './read-table';
import {
  LIMIT_MESSAGES, MAX_COLUMNS, MAX_FALLBACK_SHEET_BYTES, MAX_MERGED_CELLS_FALLBACK, MAX_MERGES, MAX_ROWS_WITH_TITLES, MAX_XML_BYTES,
} from './limits';

/**
 * A small reader for the .xlsx files grid workers make (values, shared strings, dates, merged cells), about
 * ten times faster than exceljs's full workbook model: a 10,000-row sheet must import in under 5 s on a 2-core
 * machine. It reads only what the import needs and returns null for anything unusual (encryption, prefixed
 * XML, unknown compression…), in which case the caller may read the file with exceljs instead.
 *
 * Its cost follows the cells that hold values, not what the file declares: empty (styled) cells are not
 * kept, rows without a value are left out, cells right of MAX_COLUMNS are not read, a merged range only
 * fills rows that hold values of their own, and the row limit is checked while reading. Refusals are
 * Domain errors (InvalidError) with a Chinese message, thrown rather than returned as null.
 */
export function readXlsxFast(buf: Buffer): RawTable[] | null {
  try {
    const zip = readZip(buf);
    if (!zip) return null;
    const budget = { left: MAX_XML_BYTES };
    const bytes = (name: string) => zip.open(name, budget);
    const text = (name: string) => bytes(name)?.toString('utf8') ?? null;
    const workbook = text('xl/workbook.xml');
    const rels = text('xl/_rels/workbook.xml.rels');
    if (!workbook || !rels || !workbook.includes('<sheets')) return null;
    const date1904 = /<workbookPr\b[^>]*\bdate1904="(1|true)"/.test(workbook);
    const shared = parseSharedStrings(text('xl/sharedStrings.xml'));
    const dateStyles = parseDateStyles(text('xl/styles.xml'));
    if (!dateStyles) return null;

    const targets = new Map<string, string>();
    for (const m of rels.matchAll(/<Relationship\b([^>]*?)\/?>/g)) {
      const a = attrs(m[1]);
      if (a.Id && a.Target) targets.set(a.Id, a.Target.startsWith('/') ? a.Target.slice(1) : 'xl/' + a.Target.replace(/^\.\//, ''));
    }
    const tables: RawTable[] = [];
    for (const m of workbook.matchAll(/<sheet\b([^>]*?)\/?>/g)) {
      const a = attrs(m[1]);
      const target = targets.get(a['r:id'] ?? '');
      const xml = target ? bytes(target) : null;
      const rows = xml ? parseSheet(xml, shared, dateStyles, date1904) : null;
      if (!rows) return null;
      tables.push({ sheetName: unescapeXml(a.name ?? ''), rows, date1904 });
    }
    return tables.length ? tables : null;
  } catch (err) {
    if (err instanceof DomainError) throw err;
    return null;
  }
}

/** A string of nothing but spaces (including the full-width and no-break ones) is an empty cell. */
export function isBlankText(s: string): boolean {
  return !/[^\s\u00a0\u3000]/.test(s);
}

/**
 * Whether a workbook the fast reader declined may go to exceljs, whose model creates every cell of a merged
 * range and every row up to the last: only when its ZIP is readable here, its sheets are of ordinary size
 * and its merged ranges cover few cells. Anything else is refused as unreadable rather than risk the server.
 */
export function fallbackIsSafe(buf: Buffer): boolean {
  try {
    const zip = readZip(buf);
    if (!zip || !zip.names.includes('xl/workbook.xml')) return false; // not a workbook (a .docx, say)
    const budget = { left: MAX_FALLBACK_SHEET_BYTES };
    let merged = 0;
    for (const name of zip.names) {
      if (!/^xl\/worksheets\/[^/]+\.xml$/.test(name)) continue;
      const xml = zip.open(name, budget)?.toString('utf8') ?? '';
      for (const m of xml.matchAll(/<(?:\w+:)?mergeCell\b[^>]*?\bref="([^"]*)"/g)) {
        const [a, b] = m[1].split(':').map(cellRef);
        if (!a || !b) continue;
        merged += (Math.abs(b.col - a.col) + 1) * (Math.abs(b.row - a.row) + 1);
        if (merged > MAX_MERGED_CELLS_FALLBACK) return false;
      }
    }
    return true;
  } catch {
    return false;
  }
}

// ---- ZIP ----------------------------------------------------------------------------------------

interface ZipEntry { method: number; start: number; compressed: number }

interface Zip {
  names: string[];
  /** The entry's bytes, unzipped within the budget shared by the whole workbook; null when absent. */
  open(name: string, budget: { left: number }): Buffer | null;
}

/** Only what the import reads: the workbook, its relationships, shared strings, styles and worksheets. */
const WANTED = /^xl\/(workbook\.xml|_rels\/workbook\.xml\.rels|sharedStrings\.xml|styles\.xml|worksheets\/[^/]+\.xml)$/;

/** A 64-bit little-endian size or offset; anything past 2^53 is nonsense in a 20 MB upload. */
const u64 = (buf: Buffer, at: number) => Number(buf.readBigUInt64LE(at));

export function readZip(buf: Buffer): Zip | null {
  // End of central directory: within the last 64 KiB (+22 bytes) of the file.
  let eocd = -1;
  for (let i = buf.length - 22; i >= Math.max(0, buf.length - 65557); i--) {
    if (buf.readUInt32LE(i) === 0x06054b50) { eocd = i; break; }
  }
  if (eocd < 0) return null;
  let entries = buf.readUInt16LE(eocd + 10);
  let p = buf.readUInt32LE(eocd + 16);
  if (entries === 0xffff || p === 0xffffffff) {
    // ZIP64 (some writers always use it): the locator just before the EOCD points at the ZIP64 record.
    const loc = eocd - 20;
    if (loc < 0 || buf.readUInt32LE(loc) !== 0x07064b50) return null;
    const rec = u64(buf, loc + 8);
    if (rec + 56 > buf.length || buf.readUInt32LE(rec) !== 0x06064b50) return null;
    entries = u64(buf, rec + 32);
    p = u64(buf, rec + 48);
  }
  const found = new Map<string, ZipEntry>();
  const names: string[] = [];
  for (let n = 0; n < entries; n++) {
    if (buf.readUInt32LE(p) !== 0x02014b50) return null;
    const flags = buf.readUInt16LE(p + 8);
    const method = buf.readUInt16LE(p + 10);
    let compressed = buf.readUInt32LE(p + 20);
    const uncompressed = buf.readUInt32LE(p + 24);
    const nameLen = buf.readUInt16LE(p + 28);
    const extraLen = buf.readUInt16LE(p + 30);
    const commentLen = buf.readUInt16LE(p + 32);
    let local = buf.readUInt32LE(p + 42);
    const name = buf.toString('utf8', p + 46, p + 46 + nameLen);
    if (compressed === 0xffffffff || uncompressed === 0xffffffff || local === 0xffffffff) {
      // The real values are in the ZIP64 extra field, in this order, each only when its field says 0xffffffff.
      const z = zip64Extra(buf, p + 46 + nameLen, extraLen);
      if (!z) return null;
      let at = z;
      if (uncompressed === 0xffffffff) at += 8;
      if (compressed === 0xffffffff) { compressed = u64(buf, at); at += 8; }
      if (local === 0xffffffff) local = u64(buf, at);
    }
    p += 46 + nameLen + extraLen + commentLen;
    names.push(name);
    if (!WANTED.test(name)) continue;
    if (flags & 1) return null; // encrypted
    if (method !== 0 && method !== 8) return null;
    if (buf.readUInt32LE(local) !== 0x04034b50) return null;
    const start = local + 30 + buf.readUInt16LE(local + 26) + buf.readUInt16LE(local + 28);
    if (start + compressed > buf.length) return null;
    found.set(name, { method, start, compressed });
  }
  return {
    names,
    open(name, budget) {
      const e = found.get(name);
      if (!e) return null;
      const data = buf.subarray(e.start, e.start + e.compressed);
      let out: Buffer;
      try {
        out = e.method === 0 ? data : zlib.inflateRawSync(data, { maxOutputLength: Math.max(1, budget.left) });
      } catch (err) {
        if ((err as { code?: string }).code === 'ERR_BUFFER_TOO_LARGE') throw invalid(LIMIT_MESSAGES.tooBigUnzipped);
        throw err;
      }
      budget.left -= out.length;
      if (budget.left < 0) throw invalid(LIMIT_MESSAGES.tooBigUnzipped);
      return out;
    },
  };
}

/** Where the data of a central directory entry's ZIP64 extra field (header id 1) starts, if it has one. */
function zip64Extra(buf: Buffer, from: number, len: number): number | null {
  for (let q = from; q + 4 <= from + len;) {
    const id = buf.readUInt16LE(q);
    const size = buf.readUInt16LE(q + 2);
    if (id === 0x0001) return q + 4;
    q += 4 + size;
  }
  return null;
}

// ---- XML bits -----------------------------------------------------------------------------------

function attrs(s: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const m of s.matchAll(/([\w:]+)\s*=\s*"([^"]*)"/g)) out[m[1]] = m[2];
  return out;
}

const ENTITIES: Record<string, string> = { lt: '<', gt: '>', amp: '&', quot: '"', apos: "'" };

/** XML entities, then OOXML's _xHHHH_ escapes (e.g. _x000D_ for a carriage return). */
function unescapeXml(s: string): string {
  const x = s.includes('&')
    ? s.replace(/&(#x[0-9a-fA-F]+|#\d+|\w+);/g, (all, e: string) =>
      e[0] === '#' ? String.fromCodePoint(e[1] === 'x' ? parseInt(e.slice(2), 16) : parseInt(e.slice(1), 10)) : ENTITIES[e] ?? all)
    : s;
  return x.includes('_x') ? x.replace(/_x([0-9a-fA-F]{4})_/g, (_a, h: string) => String.fromCharCode(parseInt(h, 16))) : x;
}

/** The text of an <si> or <is>: its <t> elements, leaving out phonetic runs (<rPh>). */
function runText(inner: string): string {
  const body = inner.includes('<rPh') ? inner.replace(/<rPh\b[\s\S]*?<\/rPh>/g, '') : inner;
  let out = '';
  for (const m of body.matchAll(/<t\b[^>]*?(?:\/>|>([\s\S]*?)<\/t>)/g)) out += m[1] ?? '';
  return unescapeXml(out);
}

function parseSharedStrings(xml: string | null): string[] {
  if (!xml) return [];
  const out: string[] = [];
  for (const m of xml.matchAll(/<si\b[^>]*?(?:\/>|>([\s\S]*?)<\/si>)/g)) out.push(runText(m[1] ?? ''));
  return out;
}

/** Built-in number formats that are dates (including the CJK ones 27–36 and 50–58). */
const BUILTIN_DATE_FORMATS = new Set([14, 15, 16, 17, 18, 19, 20, 21, 22, 27, 28, 29, 30, 31, 32, 33, 34, 35, 36, 45, 46, 47, 50, 51, 52, 53, 54, 55, 56, 57, 58]);

function isDateFormat(code: string): boolean {
  // Drop quoted text, escapes and [colour]/[$-locale] sections; what remains decides.
  const bare = code.replace(/"[^"]*"/g, '').replace(/\\./g, '').replace(/\[[^\]]*\]/g, '');
  return /[ymdhs年月日]/i.test(bare) && !/^general$/i.test(bare.trim());
}

/** Which cell style indexes (the `s` attribute) format numbers as dates; null when styles cannot be read. */
function parseDateStyles(xml: string | null): Set<number> | null {
  const out = new Set<number>();
  if (!xml) return out;
  const custom = new Map<number, string>();
  for (const m of xml.matchAll(/<numFmt\b([^>]*?)\/?>/g)) {
    const a = attrs(m[1]);
    custom.set(Number(a.numFmtId), unescapeXml(a.formatCode ?? ''));
  }
  const xfs = /<cellXfs\b[^>]*>([\s\S]*?)<\/cellXfs>/.exec(xml);
  if (!xfs) return out;
  let i = 0;
  for (const m of xfs[1].matchAll(/<xf\b([^>]*?)(?:\/>|>)/g)) {
    const id = Number(attrs(m[1]).numFmtId ?? 0);
    const code = custom.get(id);
    if (code !== undefined ? isDateFormat(code) : BUILTIN_DATE_FORMATS.has(id)) out.add(i);
    i++;
  }
  return out;
}

/** "AB12" → { col: 27 (0-based), row: 12 }. */
function cellRef(ref: string): { col: number; row: number } | null {
  const m = /^\$?([A-Z]{1,3})\$?(\d+)$/.exec(ref);
  if (!m) return null;
  let col = 0;
  for (const ch of m[1]) col = col * 26 + (ch.charCodeAt(0) - 64);
  return { col: col - 1, row: Number(m[2]) };
}

function serialToDate(v: number, date1904: boolean): Date {
  return new Date(Math.round((v - 25569 + (date1904 ? 1462 : 0)) * 86400000));
}

const ROW_OPEN = Buffer.from('<row');
const ROW_CLOSE = Buffer.from('</row>');
const CELL_CLOSE = Buffer.from('</c>');
const GT = 0x3e;
const SLASH = 0x2f;

/** Where sheetData's rows are in the sheet XML, or null when there is none (the caller then declines the file). */
function sheetDataSpan(xml: Buffer): { from: number; to: number } | null {
  const open = xml.indexOf('<sheetData');
  if (open < 0) return null;
  const gt = xml.indexOf(GT, open);
  if (gt < 0) return null;
  if (xml[gt - 1] === SLASH) return { from: gt + 1, to: gt + 1 }; // <sheetData/>
  const close = xml.indexOf('</sheetData>', gt);
  return close < 0 ? null : { from: gt + 1, to: close };
}

/**
 * The rows of a sheet that hold at least one value, with merged ranges filled in. The XML stays a Buffer and
 * only one row at a time becomes a string, so a sheet padded with whitespace or empty styled cells costs
 * a scan, not a copy.
 */
function parseSheet(xml: Buffer, shared: string[], dateStyles: Set<number>, date1904: boolean): TableRow[] | null {
  const span = sheetDataSpan(xml);
  if (!span) return null;
  const byRow = new Map<number, Cell[]>();
  let maxCol = -1;
  let nextRow = 1;
  for (let pos = span.from; ;) {
    const open = xml.indexOf(ROW_OPEN, pos);
    if (open < 0 || open >= span.to) break;
    const gt = xml.indexOf(GT, open);
    if (gt < 0 || gt >= span.to) return null;
    const selfClosing = xml[gt - 1] === SLASH;
    const close = selfClosing ? gt + 1 : xml.indexOf(ROW_CLOSE, gt);
    if (close < 0 || close > span.to) return null;
    pos = selfClosing ? close : close + ROW_CLOSE.length;
    const tag = xml.toString('utf8', open + 4, selfClosing ? gt - 1 : gt);
    if (tag && !/^[\s/]/.test(tag)) continue; // not <row> but a longer name
    const rowNumber = Number(attrs(tag).r) || nextRow;
    nextRow = rowNumber + 1;
    // No cell with content (only <c …/> for borders and colours): nothing to read.
    if (selfClosing) continue;
    if (xml.subarray(gt, close).indexOf(CELL_CLOSE) < 0) continue;

    const cells: Cell[] = [];
    let nextCol = 0;
    for (const cm of xml.toString('utf8', gt + 1, close).matchAll(/<c\b([^>]*?)(?:\/>|>([\s\S]*?)<\/c>)/g)) {
      const a = attrs(cm[1]);
      const col = (a.r ? cellRef(a.r)?.col : undefined) ?? nextCol;
      nextCol = col + 1;
      if (col >= MAX_COLUMNS) continue;
      const value = cellValue(a, cm[2] ?? '', shared, dateStyles, date1904);
      if (value !== null) cells[col] = value;
    }
    if (cells.length === 0) continue; // only empty (perhaps styled) cells: not a row of the table
    for (let i = 0; i < cells.length; i++) if (cells[i] === undefined) cells[i] = null;
    if (!byRow.has(rowNumber) && byRow.size >= MAX_ROWS_WITH_TITLES) throw invalid(LIMIT_MESSAGES.tooManyRows);
    byRow.set(rowNumber, cells);
    maxCol = Math.max(maxCol, cells.length - 1);
  }

  const rowNumbers = [...byRow.keys()].sort((a, b) => a - b);
  const inherited = new Map<number, Uint8Array>();
  fillMerges(mergeRanges(xml, span.to), byRow, rowNumbers, maxCol, inherited);
  return rowNumbers.map((r) => {
    const row: TableRow = { rowNumber: r, cells: byRow.get(r)! };
    const marks = inherited.get(r);
    if (marks) {
      row.inherited = [];
      marks.forEach((m, c) => { if (m) row.inherited!.push(c); });
    }
    return row;
  });
}

function cellValue(a: Record<string, string>, inner: string, shared: string[], dateStyles: Set<number>, date1904: boolean): Cell {
  const v = /<v\b[^>]*>([\s\S]*?)<\/v>/.exec(inner)?.[1];
  let value: Cell = null;
  switch (a.t) {
    case 's': value = v === undefined ? null : shared[Number(v)] ?? null; break;
    case 'inlineStr': { const is = /<is\b[^>]*>([\s\S]*?)<\/is>/.exec(inner); value = is ? runText(is[1]) : null; break; }
    case 'str': value = v === undefined ? null : unescapeXml(v); break;
    case 'b': value = v === undefined ? null : v === '1'; break;
    case 'e': value = null; break;
    case 'd': { const d = v ? new Date(v) : null; value = d && !Number.isNaN(d.getTime()) ? d : null; break; }
    default: {
      if (v === undefined || v === '') break;
      const n = Number(v);
      if (Number.isNaN(n)) break;
      value = dateStyles.has(Number(a.s ?? 0)) ? serialToDate(n, date1904) : n;
    }
  }
  return typeof value === 'string' && isBlankText(value) ? null : value;
}

interface Range { from: { col: number; row: number }; to: { col: number; row: number } }

/** The merged ranges listed after sheetData, corners in order (top-left first), read one at a time. */
function* mergeRanges(xml: Buffer, after: number): Generator<Range> {
  const open = xml.indexOf('<mergeCells', after);
  if (open < 0) return;
  const close = xml.indexOf('</mergeCells>', open);
  if (close < 0) return;
  let n = 0;
  for (const mm of xml.toString('latin1', open, close).matchAll(/<mergeCell\b[^>]*?\bref="([^"]*)"/g)) {
    if (++n > MAX_MERGES) throw invalid(LIMIT_MESSAGES.tooManyMerges);
    const [a, b] = mm[1].split(':').map(cellRef);
    if (!a || !b) continue;
    yield {
      from: { col: Math.min(a.col, b.col), row: Math.min(a.row, b.row) },
      to: { col: Math.max(a.col, b.col), row: Math.max(a.row, b.row) },
    };
  }
}

/**
 * A merged range reads as its top-left (master) cell everywhere, as exceljs does, but only in rows that hold
 * values of their own and only up to the last column that holds a value: a merge over A3:XFD1048576 costs
 * nothing more than the rows really there. Cells filled from a master in a row above are noted as inherited.
 * Ranges that do not overlap fill at most every kept cell once; far more means overlapping ranges, which
 * Excel itself calls a damaged file.
 */
function fillMerges(merges: Iterable<Range>, byRow: Map<number, Cell[]>, rowNumbers: number[], maxCol: number, inherited: Map<number, Uint8Array>): void {
  let budget = 2 * rowNumbers.length * (maxCol + 1) + 1000;
  for (const { from, to } of merges) {
    const master = byRow.get(from.row)?.[from.col] ?? null;
    if (master === null) continue;
    const lastCol = Math.min(to.col, maxCol);
    for (let k = lowerBound(rowNumbers, from.row); k < rowNumbers.length && rowNumbers[k] <= to.row; k++) {
      const r = rowNumbers[k];
      const cells = byRow.get(r)!;
      budget -= lastCol - from.col + 1;
      if (budget < 0) throw invalid(LIMIT_MESSAGES.overlappingMerges);
      for (let i = cells.length; i < from.col; i++) cells[i] = null;
      for (let c = from.col; c <= lastCol; c++) cells[c] = master;
      if (r !== from.row) {
        let marks = inherited.get(r);
        if (!marks) { marks = new Uint8Array(maxCol + 1); inherited.set(r, marks); }
        marks.fill(1, from.col, lastCol + 1);
      }
    }
  }
}

/** The first index whose value is at least `v` in an ascending array. */
function lowerBound(sorted: number[], v: number): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (sorted[mid] < v) lo = mid + 1; else hi = mid;
  }
  return lo;
}
