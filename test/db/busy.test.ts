import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { tryWrite, walSyncer, withoutSync, writeDurably, writeLockWaits, writeWhenFree } from '../../src/db/busy';
import { dbFile, openDb, type Db } from '../../src/db/open-db';

describe('writing politely', () => {
  let dir: string;
  let db: Db;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'linsheng-busy-'));
    db = openDb({ file: dbFile(dir), migrate: false });
    db.exec('CREATE TABLE t (v INTEGER)');
  });
  afterEach(() => { db.close(); fs.rmSync(dir, { recursive: true, force: true }); });
  const level = () => db.pragma('synchronous', { simple: true });

  it('withoutSync commits at NORMAL and gives the connection back at its own level, also after a failure', () => {
    expect(level()).toBe(2); // FULL
    let inside: unknown;
    withoutSync(db, () => { inside = level(); db.prepare('INSERT INTO t VALUES (1)').run(); });
    expect(inside).toBe(1);
    expect(level()).toBe(2);
    expect(() => withoutSync(db, () => { throw new Error('bad row'); })).toThrow('bad row');
    expect(level()).toBe(2);
  });

  it('an unsynced write goes in like any other, and the durable level comes back for the next one', async () => {
    await writeWhenFree(db, () => db.prepare('INSERT INTO t VALUES (1)').run(), { unsynced: true });
    expect(level()).toBe(2);
    tryWrite(db, () => db.prepare('INSERT INTO t VALUES (2)').run());
    expect(db.prepare('SELECT COUNT(*) FROM t').pluck().get()).toBe(2);
  });

  it('waits for another writer without blocking, and gives up only after the deadline', async () => {
    const other = openDb({ file: dbFile(dir), migrate: false });
    try {
      other.exec('BEGIN IMMEDIATE');
      const waitsBefore = writeLockWaits.count;
      const waiting = writeWhenFree(db, () => db.prepare('INSERT INTO t VALUES (3)').run(), { unsynced: true, deadlineMs: 5000 });
      let written = false;
      void waiting.then(() => { written = true; });
      // The event loop keeps turning while the write waits (however loaded the machine: no fixed time).
      let ticks = 0;
      const ticker = setInterval(() => { ticks++; }, 5);
      while (ticks < 6) await new Promise((r) => setTimeout(r, 5));
      clearInterval(ticker);
      expect(written).toBe(false);
      other.exec('COMMIT');
      await waiting;
      // Counted for /internal/metrics: one write that waited, at least the six 5 ms ticks above.
      expect(writeLockWaits.count).toBe(waitsBefore + 1);
      expect(writeLockWaits.max).toBeGreaterThanOrEqual(30_000);
      other.exec('BEGIN IMMEDIATE');
      await expect(writeWhenFree(db, () => db.prepare('INSERT INTO t VALUES (4)').run(), { deadlineMs: 50 })).rejects.toMatchObject({ code: expect.stringMatching(/^SQLITE_BUSY/) });
      other.exec('ROLLBACK');
      expect(level()).toBe(2);
    } finally {
      other.close();
    }
  });

  it('writeDurably commits unsynced and resolves only after the WAL is synced; without a syncer it writes at the connection\'s level', async () => {
    const order: string[] = [];
    const real = walSyncer(db)!;
    const sync = async () => { order.push('sync'); await real(); order.push('synced'); };
    const out = await writeDurably(db, () => { order.push(`write at ${String(level())}`); return 7; }, sync);
    expect(out).toBe(7);
    expect(order).toEqual(['write at 1', 'sync', 'synced']);
    expect(level()).toBe(2);
    order.length = 0;
    await writeDurably(db, () => { order.push(`write at ${String(level())}`); }, null);
    expect(order).toEqual(['write at 2']);
    await expect(writeDurably(db, () => 1, async () => { throw Object.assign(new Error('i/o'), { code: 'EIO' }); })).rejects.toMatchObject({ code: 'EIO' });
  });

  it('a failed WAL sync sticks: every later sync fails with it, and the syncer reports it', async () => {
    const sync = walSyncer(db)!;
    await sync();
    expect(sync.failure()).toBeUndefined();
    fs.rmSync(dbFile(dir) + '-wal');
    await expect(sync()).rejects.toMatchObject({ code: 'ENOENT' });
    // A file that could be synced again proves nothing about the pages the failed sync lost.
    fs.writeFileSync(dbFile(dir) + '-wal', '');
    await expect(sync()).rejects.toMatchObject({ code: 'ENOENT' });
    expect(sync.failure()).toMatchObject({ code: 'ENOENT' });
  });
});
