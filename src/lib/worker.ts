import path from 'node:path';
import { Worker } from 'node:worker_threads';
import { PROJECT_ROOT } from '../paths';

/**
 * A long-lived worker thread that runs one module's exported function on request, so CPU-heavy work (grouping a
 * big queue, planning an import) never holds up the event loop that serves residents. Requests are answered in
 * order; the thread starts on first use and is not kept from exiting the process.
 *
 * `modulePath` is a path without extension next to this file's build (src/… or dist/src/…); under ts-jest and
 * the test servers the TypeScript source is loaded through test/helpers/ts-register.js.
 */
/**
 * First lines of every worker thread: the thread lowers its own scheduling priority (nice 10; Linux applies
 * setpriority to the one thread its id names). Staff work in threads (an export, planning an import, grouping)
 * then gives way whenever the event loop that answers residents wants the CPU, on a machine of two cores
 * shared with an import from the command line. Elsewhere it is skipped.
 */
export const WORKER_NICE = 10;
const THREAD_PRELUDE = `
  try {
    const tid = Number(require('node:fs').readlinkSync('/proc/thread-self').split('/').pop());
    if (tid > 0) require('node:os').setPriority(tid, ${WORKER_NICE});
  } catch { /* no /proc (not Linux) or not permitted: run at the process's priority */ }
`;
/** `modulePath` (without extension) as loaded in a new thread: the build's .js, or the .ts source under tests. */
function threadModule(modulePath: string): { file: string; execArgv: string[] } {
  const fromSource = __filename.endsWith('.ts');
  return {
    file: modulePath + (fromSource ? '.ts' : '.js'),
    execArgv: fromSource ? ['--require', path.join(PROJECT_ROOT, 'test', 'helpers', 'ts-register.js')] : [],
  };
}

/**
 * A thread of its own for one job that talks to its caller in messages (a streamed export): runs the module's
 * exported function with `workerData`; the function reads parentPort itself.
 */
export function startJobThread(modulePath: string, exportName: string, workerData: unknown): Worker {
  const { file, execArgv } = threadModule(modulePath);
  const code = THREAD_PRELUDE + `require(${JSON.stringify(file)})[${JSON.stringify(exportName)}](require('node:worker_threads').workerData);`;
  return new Worker(code, { eval: true, execArgv, workerData });
}

export function createWorker<I, O>(modulePath: string, exportName: string) {
  let worker: Worker | null = null;
  let seq = 0;
  const pending = new Map<number, { resolve: (o: O) => void; reject: (e: unknown) => void }>();

  function start(): Worker {
    const { file, execArgv } = threadModule(modulePath);
    const code = THREAD_PRELUDE + `
      const { parentPort } = require('node:worker_threads');
      const fn = require(${JSON.stringify(file)})[${JSON.stringify(exportName)}];
      parentPort.on('message', async ({ id, input }) => {
        try {
          const output = await fn(input);
          // Byte arrays in the answer (e.g. a big JSON as UTF-8) are moved to the caller, not copied.
          const moved = output && typeof output === 'object'
            ? Object.values(output).filter((v) => v instanceof Uint8Array && v.byteOffset === 0 && v.byteLength === v.buffer.byteLength && !(v.buffer instanceof SharedArrayBuffer)).map((v) => v.buffer)
            : [];
          parentPort.postMessage({ id, output }, moved);
        }
        catch (err) { parentPort.postMessage({ id, error: err instanceof Error ? err.message : String(err) }); }
      });`;
    const w = new Worker(code, {
      eval: true,
      execArgv,
    });
    w.unref();
    w.on('message', (m: { id: number; output?: O; error?: string }) => {
      const p = pending.get(m.id);
      if (!p) return;
      pending.delete(m.id);
      if (m.error !== undefined) p.reject(new Error(m.error)); else p.resolve(m.output as O);
    });
    const fail = (err: unknown) => {
      for (const p of pending.values()) p.reject(err);
      pending.clear();
      worker = null;
    };
    w.on('error', fail);
    w.on('exit', (code) => { if (pending.size) fail(new Error(`worker exited with code ${code}`)); worker = null; });
    return w;
  }

  return {
    /** `transfer`: memory in `input` moved to the thread instead of copied (unusable here afterwards). */
    run(input: I, transfer: ArrayBuffer[] = []): Promise<O> {
      worker ??= start();
      const id = ++seq;
      return new Promise<O>((resolve, reject) => {
        pending.set(id, { resolve, reject });
        worker!.ref(); // keep the process alive while a request is out
        worker!.postMessage({ id, input }, transfer);
      }).finally(() => { if (pending.size === 0) worker?.unref(); });
    },
    async stop(): Promise<void> {
      const w = worker;
      worker = null;
      if (w) await w.terminate();
    },
  };
}
