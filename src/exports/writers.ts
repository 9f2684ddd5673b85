import type { Writable } from 'node:stream';
import { loadExcelJs } from '../lib/exceljs';
import { BOM, csvLine } from './csv';
import { chinaDateTime, type Cell, type Column } from './service';

/** Waits until the response has room again, so a large export is sent at the client's pace, not buffered whole. */
function drained(out: Writable): Promise<void> {
  return new Promise((resolve, reject) => {
    const done = () => { out.off('drain', done); out.off('close', done); out.off('error', reject); resolve(); };
    out.once('drain', done);
    out.once('close', done);
    out.once('error', reject);
  });
}

const yieldToEventLoop = () => new Promise<void>((resolve) => setImmediate(resolve));

/** The longest stretch an export works without letting other requests in (an xlsx row costs ~0.1 ms). */
export const EXPORT_SLICE_MS = 10;

/** Calls `each` on every row, yielding to the event loop whenever EXPORT_SLICE_MS has passed. */
async function inSlices<T>(rows: T[], each: (row: T) => void): Promise<void> {
  let since = performance.now();
  for (let i = 0; i < rows.length; i++) {
    each(rows[i]);
    if ((i & 15) === 15 && performance.now() - since > EXPORT_SLICE_MS) {
      await yieldToEventLoop();
      since = performance.now();
    }
  }
}

export async function writeCsv(out: Writable, columns: Column[], batches: Iterable<Cell[][]> | AsyncIterable<Cell[][]>): Promise<void> {
  out.write(BOM + csvLine(columns.map((c) => c.header)));
  for await (const batch of batches) {
    let chunk = '';
    await inSlices(batch, (row) => { chunk += csvLine(row.map((v) => (v instanceof Date ? chinaDateTime(v) : v))); });
    if (!out.write(chunk)) await drained(out);
    if (out.destroyed) return;
    await yieldToEventLoop();
  }
  out.end();
}

/**
 * Streams an .xlsx: bold, frozen header row, set column widths, instants as real date cells in China time
 * (Excel has no time zones, so the wall-clock time is what it must hold).
 */
export async function writeXlsx(out: Writable, sheetName: string, columns: Column[], batches: Iterable<Cell[][]> | AsyncIterable<Cell[][]>): Promise<void> {
  const wb = new (loadExcelJs().stream.xlsx.WorkbookWriter)({ stream: out, useStyles: true, useSharedStrings: false });
  wb.creator = '邻声';
  const ws = wb.addWorksheet(sheetName, { views: [{ state: 'frozen', ySplit: 1 }] });
  ws.columns = columns.map((c, i) => ({
    header: c.header, key: `c${i}`, width: c.width,
    style: c.type === 'datetime' ? { numFmt: 'yyyy-mm-dd hh:mm' } : {},
  }));
  const header = ws.getRow(1);
  header.font = { bold: true };
  header.commit();
  for await (const batch of batches) {
    await inSlices(batch, (row) => {
      ws.addRow(row.map((v) => (v instanceof Date ? new Date(v.getTime() + 8 * 3600 * 1000) : v ?? null))).commit();
    });
    if (out.destroyed) return;
    await yieldToEventLoop();
  }
  ws.commit();
  await wb.commit();
}
