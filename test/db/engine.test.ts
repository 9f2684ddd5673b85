import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { sql } from 'kysely';
import { all, one, OutsideUnitOfWork, run, sqliteEngine, type Engine } from '../../src/db/engine';
import { dbFile, openDb, type Db } from '../../src/db/open-db';
import { isBusy, tryWrite, walSyncer, writeWhenFree } from '../../src/db/busy';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('the SQLite engine (src/db/engine.ts)', () => {
  let db: Db;
  let engine: Engine;
  beforeEach(() => {
    db = openDb({ file: ':memory:' });
    db.exec('CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT NOT NULL)');
    engine = sqliteEngine(db);
  });
  afterEach(async () => { await engine.close(); db.close(); });

  const bodies = () => (db.prepare('SELECT body FROM notes ORDER BY id').pluck().all() as string[]);

  test('runs statements with their parameters bound, not spliced', async () => {
    const q = engine.queries;
    expect(await run(q, sql`INSERT INTO notes (body) VALUES (${"it's; DROP TABLE notes"}), (${'二'})`)).toBe(2);
    expect(await all<{ body: string }>(q, sql`SELECT body FROM notes ORDER BY id`)).toEqual([{ body: "it's; DROP TABLE notes" }, { body: '二' }]);
    expect(await one<{ id: number }>(q, sql`SELECT id FROM notes WHERE body = ${'二'}`)).toEqual({ id: 2 });
    expect(await one(q, sql`SELECT id FROM notes WHERE body = ${'三'}`)).toBeUndefined();
  });

  test('a unit of work commits everything together, or nothing when it throws', async () => {
    await engine.unitOfWork(async (tx) => {
      await run(tx, sql`INSERT INTO notes (body) VALUES (${'a'})`);
      await run(tx, sql`INSERT INTO notes (body) VALUES (${'b'})`);
    });
    await expect(engine.unitOfWork(async (tx) => {
      await run(tx, sql`INSERT INTO notes (body) VALUES (${'c'})`);
      throw new Error('half-way');
    })).rejects.toThrow('half-way');
    expect(bodies()).toEqual(['a', 'b']);
    expect(db.inTransaction).toBe(false);
  });

  test('units of work take turns on the one connection', async () => {
    const order: string[] = [];
    const first = engine.unitOfWork(async (tx) => {
      order.push('first begins');
      await sleep(30);
      await run(tx, sql`INSERT INTO notes (body) VALUES (${'first'})`);
      order.push('first ends');
    });
    const second = engine.unitOfWork(async (tx) => {
      order.push('second begins');
      await run(tx, sql`INSERT INTO notes (body) VALUES (${'second'})`);
    });
    await Promise.all([first, second]);
    expect(order).toEqual(['first begins', 'first ends', 'second begins']);
    expect(bodies()).toEqual(['first', 'second']);
  });

  test('a synchronous write waits while a unit of work is open, and survives its rollback', async () => {
    let release!: () => void;
    const held = new Promise<void>((r) => { release = r; });
    const uow = engine.unitOfWork(async (tx) => {
      await run(tx, sql`INSERT INTO notes (body) VALUES (${'rolled back'})`);
      await held;
      throw new Error('give up');
    });
    await sleep(5);
    let caught: unknown;
    try { tryWrite(db, () => undefined); } catch (err) { caught = err; }
    expect(isBusy(caught)).toBe(true);
    // The group commit's way: wait with the event loop free, then write.
    const resident = writeWhenFree(db, () => db.prepare('INSERT INTO notes (body) VALUES (?)').run('receipt'));
    await sleep(20);
    release();
    await expect(uow).rejects.toThrow('give up');
    await resident;
    expect(bodies()).toEqual(['receipt']);
  });

  test('a statement on the engine itself from inside a unit of work fails at once instead of waiting for ever', async () => {
    await expect(engine.unitOfWork(async (tx) => {
      await run(tx, sql`INSERT INTO notes (body) VALUES (${'kept out'})`);
      await run(engine.queries, sql`INSERT INTO notes (body) VALUES (${'deadlock'})`);
    })).rejects.toThrow(OutsideUnitOfWork);
    await expect(engine.unitOfWork(() => engine.unitOfWork(async () => undefined))).rejects.toThrow(OutsideUnitOfWork);
    expect(bodies()).toEqual([]);
    // Outside, the engine is usable again.
    expect(await run(engine.queries, sql`INSERT INTO notes (body) VALUES (${'after'})`)).toBe(1);
  });

  test('a write from outside an open unit of work is refused as busy, never taken into it', async () => {
    const insert = db.prepare('INSERT INTO notes (body) VALUES (?)');
    const both = db.transaction(() => { insert.run('legacy a'); insert.run('legacy b'); });
    let inside!: () => void;
    const reached = new Promise<void>((r) => { inside = r; });
    let release!: () => void;
    const held = new Promise<void>((r) => { release = r; });
    const uow = engine.unitOfWork(async (tx) => {
      await run(tx, sql`INSERT INTO notes (body) VALUES (${'in the unit of work'})`);
      inside();
      await held;
      throw new Error('rolled back');
    });
    await reached;
    // What a staff request's synchronous handler does between two of the unit of work's statements.
    for (const write of [() => insert.run('direct'), () => both(), () => both.immediate()]) {
      let caught: unknown;
      try { write(); } catch (err) { caught = err; }
      expect(isBusy(caught)).toBe(true);
    }
    release();
    await expect(uow).rejects.toThrow('rolled back');
    // Afterwards the same writes go in.
    both();
    expect(bodies()).toEqual(['legacy a', 'legacy b']);
  });

  test('a direct write on the connection is refused from inside a unit of work too', async () => {
    const insert = db.prepare('INSERT INTO notes (body) VALUES (?)');
    await expect(engine.unitOfWork(async () => { insert.run('refused'); })).rejects.toThrow('a unit of work holds the connection');
    expect(bodies()).toEqual([]);
  });

  test("a statement still queued when its unit of work ended is refused, not committed on its own", async () => {
    const slow = async (tx: Parameters<Parameters<Engine['unitOfWork']>[0]>[0]) => {
      await sleep(20);
      await run(tx, sql`INSERT INTO notes (body) VALUES (${'late'})`);
    };
    let late!: Promise<void>;
    await expect(engine.unitOfWork(async (tx) => {
      late = slow(tx);
      throw new Error('first branch failed');
    })).rejects.toThrow('first branch failed');
    await expect(late).rejects.toThrow('already ended');
    expect(bodies()).toEqual([]);
  });

  test('waiting inside a unit of work for the write lock it holds fails at once', async () => {
    const t0 = Date.now();
    await expect(engine.unitOfWork(async () => {
      await writeWhenFree(db, () => undefined, { deadlineMs: 5000 });
    })).rejects.toThrow('waited for the write lock');
    expect(Date.now() - t0).toBeLessThan(1000);
  });

  test('a timer a unit of work left behind runs outside it once it has ended', async () => {
    let later!: Promise<number>;
    await engine.unitOfWork(async () => {
      later = sleep(20).then(() => run(engine.queries, sql`INSERT INTO notes (body) VALUES (${'after'})`));
    });
    expect(await later).toBe(1);
  });
});

describe('the SQLite engine on a file, with commits synced off the event loop', () => {
  let dir: string;
  let db: Db;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'linsheng-engine-'));
    db = openDb({ file: dbFile(dir) });
    db.exec('CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT NOT NULL)');
  });
  afterEach(() => { db.close(); fs.rmSync(dir, { recursive: true, force: true }); });

  test('answers after the sync, with the connection free for others meanwhile, and the level put back', async () => {
    const real = walSyncer(db)!;
    const events: string[] = [];
    const syncWal = Object.assign(async () => { events.push('sync starts'); await sleep(80); await real(); events.push('sync done'); }, { failure: () => real.failure() });
    const engine = sqliteEngine(db, { syncWal });
    const write = engine.unitOfWork(async (tx) => { await run(tx, sql`INSERT INTO notes (body) VALUES (${'durable'})`); })
      .then(() => events.push('unit of work answered'));
    await sleep(20);
    // The write is committed (and waiting for the disk): a read on the engine is not held behind the sync.
    expect(await all(engine.queries, sql`SELECT body FROM notes`)).toEqual([{ body: 'durable' }]);
    events.push('read answered');
    await write;
    expect(events).toEqual(['sync starts', 'read answered', 'sync done', 'unit of work answered']);
    expect(db.pragma('synchronous', { simple: true })).toBe(2);
  });

  test('ephemeral writes (the shared rate counts) are committed without waiting for the disk; the others wait', async () => {
    let syncs = 0;
    const real = walSyncer(db)!;
    const engine = sqliteEngine(db, { syncWal: Object.assign(async () => { syncs++; await real(); }, { failure: () => real.failure() }) });
    await run(engine.ephemeral, sql`INSERT INTO notes (body) VALUES (${'count'})`);
    expect(syncs).toBe(0);
    await run(engine.queries, sql`INSERT INTO notes (body) VALUES (${'receipt'})`);
    expect(syncs).toBe(1);
    expect(db.pragma('synchronous', { simple: true })).toBe(2);
  });

  test('a unit of work opened with durable: false (an import chunk) commits without waiting for the disk', async () => {
    let syncs = 0;
    const real = walSyncer(db)!;
    const engine = sqliteEngine(db, { syncWal: Object.assign(async () => { syncs++; await real(); }, { failure: () => real.failure() }) });
    await engine.unitOfWork((tx) => run(tx, sql`INSERT INTO notes (body) VALUES (${'chunk'})`), { durable: false });
    expect(syncs).toBe(0);
    expect(db.pragma('synchronous', { simple: true })).toBe(2);
    await engine.unitOfWork((tx) => run(tx, sql`INSERT INTO notes (body) VALUES (${'report'})`));
    expect(syncs).toBe(1);
  });

  test('refuses to begin once a WAL sync has failed for good', async () => {
    const broken = Object.assign(async () => undefined, { failure: () => new Error('EIO') });
    const engine = sqliteEngine(db, { syncWal: broken });
    await expect(engine.unitOfWork(async (tx) => { await run(tx, sql`INSERT INTO notes (body) VALUES (${'x'})`); })).rejects.toThrow('EIO');
    expect(db.prepare('SELECT COUNT(*) FROM notes').pluck().get()).toBe(0);
  });
});
