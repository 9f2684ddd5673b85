import { DomainError } from '../../lib/errors';
import { importKey, planRows, type DatesPolicy, type ImportPlan, type PlanSnapshot } from '../plan';
import { parseSpreadsheet, type ParsedSheet, type SheetRow } from './parse-sheet';

/**
 * The import's CPU-heavy steps, run in a worker thread (src/lib/worker.ts) so a 50,000-row file never holds up the
 * event loop that answers residents: reading the spreadsheet, hashing every row's key, planning. What crosses back
 * is mostly strings (JSON), which are copied as one block instead of being cloned object by object.
 */

/** What the preview page shows of a plan, computed once at upload and stored with the batch. */
export interface ImportPreview {
  total: number;
  validCount: number;
  newCount: number;
  alreadyImported: number[];
  rejected: ImportPlan['rejected'];
  notes: ImportPlan['notes'];
  datesToConfirm: ImportPlan['datesToConfirm'];
  /** The first new rows, as they will be recorded. */
  preview: ImportPlan['valid'];
  /** The sheet rows behind the first dates to confirm, so each can be found in the paper records. */
  datedSource: SheetRow[];
  source: { sheetName: string | null; headerRow: number; ignoredColumns: Array<{ column: string; title: string }> };
}

export type PlanJob =
  /** Reads a file: its rows as JSON (to be stored) and every row's import key (to be looked up by the caller). */
  | { kind: 'read'; file: Uint8Array; campaignId: number; keep?: string }
  /** The import keys of rows already read (their JSON, or its UTF-8 bytes). */
  | { kind: 'keys'; parsed: Parsed; campaignId: number; keep?: string }
  /**
   * Plans rows already read against a snapshot; `existing` are the keys the database already holds. The rows are
   * `parsed`, or those a 'read' or 'keys' job kept under the name `kept` (which sends nothing big again).
   */
  | { kind: 'plan'; parsed?: Parsed; kept?: string; snapshot: PlanSnapshot; existing: JoinedKeys; dates: DatesPolicy; chunkRows: number; previewRows: number; datedRows: number };

/**
 * Import keys joined by newlines: one string crosses between threads as one block, where 50,000 strings were 50,000
 * objects to clone and then to collect (a 180 ms pause of the event loop at upload, measured).
 */
export type JoinedKeys = string;
export const joinKeys = (keys: readonly string[]): JoinedKeys => keys.join('\n');
export const splitKeys = (joined: JoinedKeys): string[] => (joined ? joined.split('\n') : []);

/**
 * The rows read from a file as JSON, or as its UTF-8 bytes. Bytes cross between threads as one copied (or moved)
 * block, and are stored in parts (src/db/migrations/095_import_batch_parts.sql); a 20 MB string took hundreds of
 * milliseconds of the event loop to post to the worker.
 */
export type Parsed = string | Uint8Array | Uint8Array[];
export function parsedText(p: Parsed): string {
  if (typeof p === 'string') return p;
  if (!Array.isArray(p)) return new TextDecoder().decode(p);
  const d = new TextDecoder();
  let out = '';
  for (const part of p) out += d.decode(part, { stream: true });
  return out + d.decode();
}
export const parsedSize = (p: Parsed): number =>
  (typeof p === 'string' ? p.length : Array.isArray(p) ? p.reduce((n, x) => n + x.byteLength, 0) : p.byteLength);
/** The byte arrays of `p` that can be moved to another thread (each the whole of its own memory). */
export const movable = (p: Parsed): ArrayBuffer[] => (typeof p === 'string' ? [] : Array.isArray(p) ? p : [p])
  .filter((x) => x.byteOffset === 0 && x.byteLength === x.buffer.byteLength && x.buffer instanceof ArrayBuffer)
  .map((x) => x.buffer as ArrayBuffer);

/** Sheets read by a job with `keep`, until a 'plan' job takes them (a few at most: the oldest are dropped). */
const kept = new Map<string, ParsedSheet>();
const KEPT_MAX = 4;
function keep(name: string | undefined, sheet: ParsedSheet): void {
  if (!name) return;
  kept.set(name, sheet);
  while (kept.size > KEPT_MAX) kept.delete(kept.keys().next().value!);
}

export type PlanOutput =
  /** `parsed`: UTF-8 bytes of the JSON, moved (not copied) to the caller's thread. */
  | { kind: 'read'; parsed: Uint8Array; keys: JoinedKeys; rows: number }
  | { kind: 'keys'; keys: JoinedKeys }
  /** `rows`: the valid rows' chunks as UTF-8 JSON, one block moved to the caller's thread (see PlannedChunks). */
  | { kind: 'plan'; preview: string; plan: PlannedChunks; rows: Uint8Array }
  | { kind: 'error'; errorKind: DomainError['kind']; message: string };

/**
 * A plan whose valid rows travel as JSON chunks, one per transaction of the commit, all in one byte block. As a
 * thousand strings they were a thousand heap objects that lived through the whole commit: the young-generation
 * collector copied them again and again, in pauses of 40-70 ms under load (measured with a GC trace).
 */
export interface PlannedChunks extends Omit<ImportPlan, 'valid'> {
  validCount: number;
  /** Where each chunk ends in the rows' bytes: chunk i is bytes [chunkEnds[i-1] ?? 0, chunkEnds[i]). */
  chunkEnds: number[];
}

/** The chunks of `rows` one at a time, each a JSON array of `{ row, input }`, `chunkRows` rows each. */
export function* chunksOf(plan: Pick<PlannedChunks, 'chunkEnds'>, rows: Uint8Array): Generator<string> {
  const d = new TextDecoder();
  for (let i = 0, at = 0; i < plan.chunkEnds.length; at = plan.chunkEnds[i], i++) yield d.decode(rows.subarray(at, plan.chunkEnds[i]));
}

export const keysOf = (sheet: Pick<ParsedSheet, 'rows'>, campaignId: number) => sheet.rows.map((r) => importKey(campaignId, r));

export function previewOf(sheet: ParsedSheet, plan: ImportPlan, previewRows: number, datedRows: number): ImportPreview {
  const already = new Set(plan.alreadyImported);
  const dated = new Set(plan.datesToConfirm.slice(0, datedRows).map((d) => d.row));
  return {
    total: plan.total, validCount: plan.valid.length, newCount: plan.valid.length - plan.alreadyImported.length,
    alreadyImported: plan.alreadyImported, rejected: plan.rejected, notes: plan.notes, datesToConfirm: plan.datesToConfirm,
    preview: plan.valid.filter((v) => !already.has(v.row)).slice(0, previewRows),
    datedSource: sheet.rows.filter((r) => dated.has(r.row)),
    source: { sheetName: sheet.sheetName, headerRow: sheet.headerRow, ignoredColumns: sheet.ignoredColumns ?? [] },
  };
}

export function chunked(plan: ImportPlan, chunkRows: number): { plan: PlannedChunks; rows: Uint8Array } {
  const { valid, ...rest } = plan;
  const e = new TextEncoder();
  const parts: Uint8Array[] = [];
  const chunkEnds: number[] = [];
  let size = 0;
  for (let i = 0; i < valid.length; i += chunkRows) {
    const bytes = e.encode(JSON.stringify(valid.slice(i, i + chunkRows).map((v) => ({ row: v.row, input: v.input }))));
    parts.push(bytes);
    chunkEnds.push(size += bytes.byteLength);
  }
  const rows = new Uint8Array(size);
  for (let i = 0, at = 0; i < parts.length; at += parts[i].byteLength, i++) rows.set(parts[i], at);
  return { plan: { ...rest, validCount: valid.length, chunkEnds }, rows };
}

/** The worker's entry point. Domain errors come back as values: the thread boundary would flatten their type. */
export async function runPlanJob(job: PlanJob): Promise<PlanOutput> {
  try {
    if (job.kind === 'read') {
      const sheet = await parseSpreadsheet(Buffer.from(job.file.buffer, job.file.byteOffset, job.file.byteLength));
      keep(job.keep, sheet);
      return { kind: 'read', parsed: new TextEncoder().encode(JSON.stringify(sheet)), keys: joinKeys(keysOf(sheet, job.campaignId)), rows: sheet.rows.length };
    }
    if (job.kind === 'keys') {
      const sheet = JSON.parse(parsedText(job.parsed)) as ParsedSheet;
      keep(job.keep, sheet);
      return { kind: 'keys', keys: joinKeys(keysOf(sheet, job.campaignId)) };
    }
    const held = job.kept === undefined ? undefined : kept.get(job.kept);
    if (job.kept !== undefined) kept.delete(job.kept);
    if (!held && job.parsed === undefined) throw new Error('import plan: the rows read were not kept');
    const sheet = held ?? (JSON.parse(parsedText(job.parsed!)) as ParsedSheet);
    const existing = new Set(splitKeys(job.existing));
    const plan = planRows(sheet, job.snapshot, (k) => existing.has(k), job.dates);
    return { kind: 'plan', preview: JSON.stringify(previewOf(sheet, plan, job.previewRows, job.datedRows)), ...chunked(plan, job.chunkRows) };
  } catch (err) {
    if (err instanceof DomainError) return { kind: 'error', errorKind: err.kind, message: err.message };
    throw err;
  }
}
