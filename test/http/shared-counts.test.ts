import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { sqliteEngine, type Engine } from '../../src/db/engine';
import { dbFile, openDb, type Db } from '../../src/db/open-db';
import { createSharedCounts } from '../../src/http/shared-counts';

/** Rate-limit counts shared by the app servers of one database (two servers here: two sharers on one database file). */
describe('shared rate-limit counts', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'linsheng-shared-counts-'));
  const dbs: Db[] = [];
  const sharers: Array<ReturnType<typeof createSharedCounts>> = [];
  /** An app server: a connection of its own to the shared file, writes giving up after `deadlineMs` of a held lock. */
  const server = (deadlineMs = 20_000) => {
    const db = openDb({ file: dbFile(dir) });
    dbs.push(db);
    const s = createSharedCounts({ engine: sqliteEngine(db, { writeDeadlineMs: deadlineMs }), open: () => db.open, intervalMs: 3_600_000 });
    sharers.push(s);
    return s;
  };
  afterAll(() => {
    sharers.forEach((s) => s.stop());
    dbs.forEach((db) => { if (db.open) db.close(); });
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('adds what the other servers counted, per limit and client, until their windows end', async () => {
    const a = server();
    const b = server();
    // As the routes do at start-up: each server has its limits before the first request.
    for (const s of [a, b]) { s.counts('public'); s.counts('login'); }
    const now = Date.now();
    for (let i = 0; i < 6; i++) a.counts('public').hit('10.0.0.1', now);
    a.counts('login').hit('10.0.0.1', now);
    await a.share(now);
    await b.share(now);
    expect(b.counts('public').hit('10.0.0.1', now).count).toBe(7);
    expect(b.counts('public').hit('10.0.0.2', now).count).toBe(1);
    expect(b.counts('login').hit('10.0.0.1', now).count).toBe(2);
    // A learns of B's one in turn, and does not count its own published six again.
    await b.share(now);
    await a.share(now);
    expect(a.counts('public').hit('10.0.0.1', now).count).toBe(6 + 1 + 1);
    // A minute later A's window has ended: B counts only its own.
    const later = now + 60_001;
    await b.share(later);
    expect(b.counts('public').hit('10.0.0.1', later).count).toBe(1);
  });

  it('keeps the counts for the next round when another process holds the database', async () => {
    const a = server(30);
    const b = server();
    b.counts('public');
    const now = Date.now();
    for (let i = 0; i < 3; i++) a.counts('public').hit('10.0.0.9', now);
    // The CLI importing: its write lock held longer than A waits.
    const cli = new Database(dbFile(dir));
    cli.exec('BEGIN IMMEDIATE');
    await a.share(now);
    cli.exec('COMMIT');
    cli.close();
    await b.share(now);
    expect(b.counts('public').hit('10.0.0.9', now).count).toBe(1);
    await a.share(now);
    await b.share(now);
    expect(b.counts('public').hit('10.0.0.9', now).count).toBe(3 + 2);
  });

  it('stops sharing once its database is closed (an app closed without a shutdown, as in tests)', async () => {
    const own = openDb({ file: ':memory:' });
    const errors: unknown[] = [];
    const engine: Engine = sqliteEngine(own);
    const s = createSharedCounts({ engine, open: () => own.open, onError: (err) => errors.push(err), intervalMs: 3_600_000 });
    s.counts('public').hit('10.0.0.3');
    own.close();
    await s.share();
    expect(errors).toEqual([]);
  });
});
