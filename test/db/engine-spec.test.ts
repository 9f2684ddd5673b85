import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { sql } from 'kysely';
import Database from 'better-sqlite3';
import { all, run } from '../../src/db/engine';
import { openReadOnlyEngine, ReadOnlyEngine, type EngineSpec } from '../../src/db/engine-spec';
import { openDb } from '../../src/db/open-db';
import { migratedPostgresDatabase } from '../helpers/engines';
import { describeOnPostgres, otherConnections } from '../helpers/postgres';

/** What a read-only engine from an EngineSpec (a worker thread's) does on either engine. */
function readOnlyEngineTests(open: () => Promise<{ spec: EngineSpec; close(): Promise<void> }>, isReadOnlyError: (err: unknown) => boolean) {
  let spec: EngineSpec;
  let close: (() => Promise<void>) | undefined;
  beforeAll(async () => { ({ spec, close } = await open()); });
  afterAll(async () => { await close?.(); });

  it('reads, and refuses to write or to begin a unit of work', async () => {
    const engine = await openReadOnlyEngine(spec);
    try {
      expect(engine.kind).toBe(spec.kind);
      expect(await all<{ name: string }>(engine.queries, sql`SELECT name FROM categories WHERE name = ${'环境卫生'}`)).toEqual([{ name: '环境卫生' }]);
      const write = run(engine.queries, sql`INSERT INTO places (kind, parent_id, name) VALUES ('district', NULL, ${'不该写入'})`);
      const refused = await write.then(() => undefined, (err: unknown) => err);
      expect([refused, isReadOnlyError(refused)]).toEqual([expect.anything(), true]);
      await expect(engine.unitOfWork(async () => 1)).rejects.toBeInstanceOf(ReadOnlyEngine);
    } finally {
      await engine.close();
    }
  });
}

describe('a read-only engine on a SQLite file', () => {
  readOnlyEngineTests(async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'linsheng-engine-spec-'));
    const file = path.join(dir, 'linsheng.db');
    openDb({ file }).close();
    return { spec: { kind: 'sqlite', file }, close: async () => fs.rmSync(dir, { recursive: true, force: true }) };
  }, (err) => String((err as { code?: unknown }).code).startsWith('SQLITE_READONLY'));

  it('closes its connection', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'linsheng-engine-spec-'));
    try {
      const file = path.join(dir, 'linsheng.db');
      openDb({ file }).close();
      const closing = jest.spyOn(Database.prototype, 'close');
      const engine = await openReadOnlyEngine({ kind: 'sqlite', file });
      await all(engine.queries, sql`SELECT 1 AS one`);
      expect(closing).not.toHaveBeenCalled();
      await engine.close();
      expect(closing).toHaveBeenCalledTimes(1);
    } finally {
      jest.restoreAllMocks();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

describeOnPostgres('a read-only engine on PostgreSQL', () => {
  let made: Awaited<ReturnType<typeof migratedPostgresDatabase>>;
  readOnlyEngineTests(async () => {
    made = await migratedPostgresDatabase();
    return { spec: { kind: 'postgres', url: made.url }, close: () => made.drop() };
  }, (err) => (err as { code?: unknown }).code === '25006');

  it('uses one connection, and leaves none behind once closed', async () => {
    const others = () => otherConnections(made.url);
    const engine = await openReadOnlyEngine({ kind: 'postgres', url: made.url });
    await Promise.all([1, 2, 3].map(() => all(engine.queries, sql`SELECT pg_sleep(0.05)`)));
    expect(await others()).toBe(1);
    await engine.close();
    expect(await others()).toBe(0);
  });
});
