import path from 'node:path';
import { MessageChannel, receiveMessageOnPort, Worker, type MessagePort } from 'node:worker_threads';
import type { Db } from '../../src/db/open-db';

/**
 * A PostgreSQL connection that answers synchronously, for the tests' fixtures: they were written for better-sqlite3
 * (`db.prepare(sql).get(…)` between two requests), and the same fixtures now run on either engine. The query runs on
 * a worker thread's connection; this thread waits for it with Atomics.wait. Never for the app's own code.
 */
export class SyncPg {
  private readonly worker: Worker;
  private readonly port: MessagePort;
  private readonly flag = new Int32Array(new SharedArrayBuffer(4));
  private ended = false;
  /** The number of the last message sent to the worker. */
  private seq = 0;

  constructor(readonly url: string) {
    const { port1, port2 } = new MessageChannel();
    this.worker = new Worker(path.join(__dirname, 'sync-pg-worker.js'), { workerData: { port: port2, flag: this.flag, url }, transferList: [port2] });
    this.worker.unref();
    // A worker that died is reported by the next fixture query (it times out); no error event may reach jest as an
    // uncaught exception in whatever test runs then.
    this.worker.on('error', () => undefined);
    this.port = port1;
  }

  /**
   * Waits until `done()` or `ms` have passed. The worker stores each message's `seq` in the flag once it has posted
   * the answer, then notifies. A notify can land late, in the wait for the next message (the worker was descheduled
   * between the two), so a wake-up alone means nothing: only the answer on the port does.
   */
  private waitUntil(done: () => boolean, ms: number): boolean {
    const deadline = Date.now() + ms;
    while (!done()) {
      const left = deadline - Date.now();
      if (left <= 0) return false;
      const seen = Atomics.load(this.flag, 0);
      if (seen !== this.seq) Atomics.wait(this.flag, 0, seen, left);
    }
    return true;
  }

  private call(message: object): { rows: Array<Record<string, unknown>>; rowCount: number } {
    if (this.ended) throw new Error('the fixtures\' PostgreSQL connection is closed');
    this.port.postMessage({ ...message, seq: ++this.seq });
    let got: { message: { rows: Array<Record<string, unknown>>; rowCount: number; error?: { message: string; code?: string } } } | undefined;
    if (!this.waitUntil(() => (got = receiveMessageOnPort(this.port) as typeof got) !== undefined, 60_000)) {
      throw new Error('PostgreSQL did not answer a fixture query within 60 s');
    }
    const answer = got!.message;
    if (answer.error) throw Object.assign(new Error(answer.error.message), { code: answer.error.code });
    return answer;
  }

  query(sql: string, params: unknown[] = []) {
    return this.call({ sql, params });
  }

  /** Applies the app's PostgreSQL migrations to the database at `url` (its own runner, on the worker). */
  migrate(url: string): void {
    this.call({ migrate: url });
  }

  close(): void {
    if (this.ended) return;
    this.ended = true;
    const seq = ++this.seq;
    this.port.postMessage({ end: true, seq });
    this.waitUntil(() => Atomics.load(this.flag, 0) === seq, 10_000);
    this.port.close();
    void this.worker.terminate();
  }
}

/**
 * better-sqlite3's SQL as PostgreSQL takes it: `?` placeholders as `$1, $2 …` (outside quotes), camelCase aliases
 * quoted, INSERT OR IGNORE as ON CONFLICT DO NOTHING.
 */
export function toPostgres(sql: string): string {
  let n = 0;
  let out = '';
  let quote: string | null = null;
  for (const ch of sql) {
    if (quote) {
      out += ch;
      if (ch === quote) quote = null;
    } else if (ch === "'" || ch === '"') {
      quote = ch;
      out += ch;
    } else {
      out += ch === '?' ? `$${++n}` : ch;
    }
  }
  // SQLite takes an integer as a condition (a test's `WHERE ${where}` with the default '1').
  out = out.replace(/\bWHERE\s+1\b(?!\s*[=<>!])/gi, 'WHERE TRUE');
  // SQLite keeps an alias's case; PostgreSQL folds an unquoted one to lower case.
  out = out.replace(/\bAS\s+([a-z_][a-z0-9_]*[A-Z][A-Za-z0-9_]*)\b/g, 'AS "$1"');
  if (/^\s*INSERT\s+OR\s+IGNORE\s+/i.test(out)) {
    out = out.replace(/^(\s*INSERT)\s+OR\s+IGNORE/i, '$1');
    out = /\bRETURNING\b/i.test(out) ? out.replace(/\s+RETURNING\b/i, ' ON CONFLICT DO NOTHING RETURNING') : `${out} ON CONFLICT DO NOTHING`;
  }
  return out;
}

/** better-sqlite3 hands a boolean-free world: true/false are bound as 1/0 there (and refused), numbers here. */
const bind = (params: unknown[]) => params.map((p) => (typeof p === 'bigint' ? Number(p) : p));

/**
 * The part of better-sqlite3's Database the tests use, on PostgreSQL: prepare(…).get/all/run/pluck, exec,
 * transaction. What only SQLite has (pragma, backup, functions) says so when called.
 */
export function syncPgDb(conn: SyncPg, onClose: () => void): Db {
  let open = true;
  const prepare = (sql: string) => {
    const text = toPostgres(sql);
    let plucked = false;
    const statement = {
      pluck(on = true) { plucked = on; return statement; },
      raw() { throw new Error('raw() is SQLite-only in the tests\' fixtures'); },
      get(...params: unknown[]) {
        const row = conn.query(text, bind(params)).rows[0];
        return row === undefined ? undefined : plucked ? Object.values(row)[0] : row;
      },
      all(...params: unknown[]) {
        const rows = conn.query(text, bind(params)).rows;
        return plucked ? rows.map((r) => Object.values(r)[0]) : rows;
      },
      run(...params: unknown[]) {
        // SQLite's lastInsertRowid: the new row's id, when the table has one.
        const insert = /^\s*INSERT\b/i.test(text) && !/\bRETURNING\b/i.test(text);
        const r = conn.query(insert ? `${text} RETURNING *` : text, bind(params));
        const id = insert ? r.rows[0]?.id : undefined;
        return { changes: r.rowCount, lastInsertRowid: typeof id === 'number' ? id : 0 };
      },
    };
    return statement;
  };
  const sqliteOnly = (what: string) => () => { throw new Error(`${what} is SQLite-only: this test runs on PostgreSQL`); };
  const db = {
    prepare,
    exec(sql: string) { conn.query(sql); return db; },
    transaction(fn: (...args: unknown[]) => unknown) {
      return (...args: unknown[]) => {
        conn.query('BEGIN');
        try {
          const result = fn(...args);
          conn.query('COMMIT');
          return result;
        } catch (err) {
          conn.query('ROLLBACK');
          throw err;
        }
      };
    },
    pragma: sqliteOnly('pragma'),
    backup: sqliteOnly('backup'),
    function: sqliteOnly('function'),
    get open() { return open; },
    memory: false,
    name: conn.url,
    close() {
      if (!open) return db;
      open = false;
      conn.close();
      onClose();
      return db;
    },
  };
  return db as unknown as Db;
}
