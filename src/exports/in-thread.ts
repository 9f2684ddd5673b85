import path from 'node:path';
import type { Writable } from 'node:stream';
import { startJobThread } from '../lib/worker';
import type { ExportMessage, SubmissionsExportJob } from './export-thread';

/**
 * Runs a submissions export in its own thread (src/exports/export-thread.ts) and writes what it makes to `out`,
 * at the client's pace. Resolves when the file is complete; rejects with the thread's error (`out` may have had
 * part of the file by then). A client that goes away stops the thread.
 */
/** Export threads at once; more wait their turn (each is a connection, exceljs and up to a core of work). */
export const EXPORTS_AT_ONCE = 2;
let running = 0;
const queued: Array<() => void> = [];
const takeTurn = async () => { if (running < EXPORTS_AT_ONCE) running++; else await new Promise<void>((resolve) => queued.push(resolve)); };
const endTurn = () => { const next = queued.shift(); if (next) next(); else running--; };

export async function exportInThread(out: Writable & { headersSent?: boolean }, job: SubmissionsExportJob): Promise<void> {
  await takeTurn();
  try {
    // A client that gave up while waiting costs nothing more.
    if (out.destroyed) return;
    await runThread(out, job);
  } finally {
    endTurn();
  }
}

function runThread(out: Writable, job: SubmissionsExportJob): Promise<void> {
  const thread = startJobThread(path.join(__dirname, 'export-thread'), 'runSubmissionsExport', job);
  return new Promise<void>((resolve, reject) => {
    let settled = false;
    let ended = false;
    const settle = (err?: Error) => {
      if (settled) return;
      settled = true;
      out.off('close', gone);
      void thread.terminate();
      if (err) reject(err); else resolve();
    };
    const gone = () => settle();
    out.once('close', gone);
    const ack = () => { if (!settled) thread.postMessage({ type: 'ack' }); };
    thread.on('message', (m: ExportMessage) => {
      if (m.type === 'chunk') {
        if (out.destroyed) return settle();
        if (out.write(m.data)) ack();
        else out.once('drain', ack);
      } else if (m.type === 'end') {
        ended = true;
        out.end();
        settle();
      } else {
        settle(Object.assign(new Error(m.message), { stack: m.stack }));
      }
    });
    thread.once('error', (err) => settle(err));
    thread.once('exit', (code) => settle(ended ? undefined : new Error(`export thread stopped before the file was complete (exit code ${code})`)));
  });
}
