import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startCheckpointer } from '../../src/db/checkpointer';
import { dbFile, openDb } from '../../src/db/open-db';

describe('checkpoints in a thread of their own', () => {
  it('copies the WAL into the database file while the server connection never checkpoints itself', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'linsheng-ckpt-'));
    const db = openDb({ file: dbFile(dir), migrate: false });
    db.exec('CREATE TABLE t (b BLOB)');
    const checkpointer = startCheckpointer(db, 100)!;
    try {
      expect(db.pragma('wal_autocheckpoint', { simple: true })).toBe(0);
      const before = fs.statSync(dbFile(dir)).size;
      const insert = db.prepare('INSERT INTO t VALUES (randomblob(4000))');
      for (let i = 0; i < 600; i++) insert.run(); // ~2.4 MB, past the 1000 pages at which SQLite would checkpoint
      const deadline = Date.now() + 30_000;
      while (fs.statSync(dbFile(dir)).size < before + 2_000_000 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
      expect(fs.statSync(dbFile(dir)).size).toBeGreaterThan(before + 2_000_000);
    } finally {
      await checkpointer.stop();
      expect(db.pragma('wal_autocheckpoint', { simple: true })).toBe(1000);
      db.close();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  }, 60_000);

  it('has nothing to do for a database in memory', () => {
    expect(startCheckpointer(openDb({ file: ':memory:' }))).toBeNull();
  });
});
