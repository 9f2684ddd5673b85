import { Writable } from 'node:stream';
import { parentPort } from 'node:worker_threads';
import type { Engine } from '../db/engine';
import { openReadOnlyEngine, type EngineSpec } from '../db/engine-spec';
import type { SubmissionFilter } from '../submissions/filter';
import { createExportRepo } from './repo';
import { SUBMISSION_COLUMNS, submissionCells } from './service';
import { writeCsv, writeXlsx } from './writers';

/**
 * A submissions export made in a thread of its own, on a read-only engine of its own (src/db/engine-spec.ts: on
 * SQLite a connection to the file, which WAL lets read while the server writes; on PostgreSQL one connection):
 * collecting and sorting 100,000 ids, building the cells and exceljs's work, and the garbage of all that, stay off the event loop that answers residents. The file goes to the caller in chunks
 * (src/exports/in-thread.ts), at most CHUNKS_IN_FLIGHT unacknowledged, so a slow download holds the thread back
 * instead of filling memory.
 */
export interface SubmissionsExportJob {
  /** The database the thread opens its own engine on. */
  engine: EngineSpec;
  campaignId: number;
  filter: SubmissionFilter;
  /** The reader may see names and phones (else masked, as on the list). */
  full: boolean;
  format: 'xlsx' | 'csv';
  sheet: string;
}

/** Thread → caller. */
export type ExportMessage = { type: 'chunk'; data: Uint8Array } | { type: 'end' } | { type: 'error'; message: string; stack?: string };

export const CHUNKS_IN_FLIGHT = 4;
/** Bytes gathered before a chunk is posted (exceljs writes many small pieces). */
const CHUNK_BYTES = 64 * 1024;

export async function runSubmissionsExport(job: SubmissionsExportJob): Promise<void> {
  const port = parentPort!;
  let credits = CHUNKS_IN_FLIGHT;
  let waiting: (() => void) | null = null;
  port.on('message', (m: { type: 'ack' }) => {
    if (m.type !== 'ack') return;
    credits++;
    const w = waiting;
    waiting = null;
    w?.();
  });
  const post = async (parts: Buffer[]) => {
    while (credits === 0) await new Promise<void>((resolve) => { waiting = resolve; });
    credits--;
    const data = parts.length === 1 ? parts[0] : Buffer.concat(parts);
    const copy = new Uint8Array(data.byteLength);
    copy.set(data);
    port.postMessage({ type: 'chunk', data: copy } satisfies ExportMessage, [copy.buffer]);
  };
  let pending: Buffer[] = [];
  let pendingBytes = 0;
  const out = new Writable({
    highWaterMark: CHUNK_BYTES,
    write(chunk: Buffer | string, _enc, done) {
      const b = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
      pending.push(b);
      pendingBytes += b.byteLength;
      if (pendingBytes < CHUNK_BYTES) return done();
      const parts = pending;
      pending = [];
      pendingBytes = 0;
      post(parts).then(() => done(), done);
    },
    final(done) {
      const parts = pending;
      pending = [];
      (parts.length ? post(parts) : Promise.resolve()).then(() => done(), done);
    },
  });
  const finished = new Promise<void>((resolve, reject) => { out.once('finish', resolve); out.once('error', reject); });

  let engine: Engine | undefined;
  let last: ExportMessage = { type: 'end' };
  try {
    engine = await openReadOnlyEngine(job.engine);
    const repo = createExportRepo(engine.queries);
    const lookups = await repo.lookups(job.campaignId);
    const rows = repo.submissionBatches(job.filter);
    async function* cells() { for await (const batch of rows) yield batch.map((r) => submissionCells(r, lookups, job.full)); }
    if (job.format === 'xlsx') await writeXlsx(out, job.sheet, SUBMISSION_COLUMNS, cells());
    else await writeCsv(out, SUBMISSION_COLUMNS, cells());
    await finished;
  } catch (err) {
    const e = err instanceof Error ? err : new Error(String(err));
    last = { type: 'error', message: e.message, stack: e.stack };
  }
  // Closed before the caller hears the end (it stops the thread then), so a PostgreSQL connection ends politely.
  // A connection that fails to close goes with the thread: the file is what the caller waits for.
  try { await engine?.close(); } catch { /* see above */ }
  port.postMessage(last satisfies ExportMessage);
  port.close();
}
