import path from 'node:path';
import type { Writable } from 'node:stream';
import { atMost } from '../lib/at-most';
import { startJobThread } from '../lib/worker';
import type { ExportMessage, SubmissionsExportJob } from './export-thread';

/** Export threads at once; more wait their turn (each is a connection, exceljs and up to a core of work). */
export const EXPORTS_AT_ONCE = 2;
const inTurn = atMost(EXPORTS_AT_ONCE);

/**
 * Runs a submissions export in its own thread (src/exports/export-thread.ts) and writes what it makes to `out`,
 * at the client's pace. Resolves when the file is complete; rejects with the thread's error (`out` may have had
 * part of the file by then). A client that goes away stops the thread, or keeps it from starting.
 */
export function exportInThread(out: Writable & { headersSent?: boolean }, job: SubmissionsExportJob): Promise<void> {
  return inTurn(async () => {
    if (!out.destroyed) await runThread(out, job);
  });
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
