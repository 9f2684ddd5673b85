import { sql } from 'kysely';
import { all, one, OutsideUnitOfWork, run, sqliteEngine, type Engine } from '../../src/db/engine';
import { openDb, type Db } from '../../src/db/open-db';
import { isBusy, tryWrite, writeWhenFree } from '../../src/db/busy';

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
});
