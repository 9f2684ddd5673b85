import pg from 'pg';
import { localInvalidation, postgresInvalidation, type Invalidation } from '../../src/db/invalidation';
import { createPgPool } from '../../src/db/postgres/pool';
import { describeOnPostgres, freshPostgresDatabase } from '../helpers/postgres';

const until = async (cond: () => boolean, ms = 5000) => {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 20));
  }
};

test('in one process the generation moves with every change', () => {
  const inv = localInvalidation();
  const g = inv.generation();
  inv.bump();
  expect(inv.generation()).toBe(g + 1);
});

describeOnPostgres('cache invalidation between app servers (LISTEN/NOTIFY)', () => {
  let db: Awaited<ReturnType<typeof freshPostgresDatabase>>;
  let pool: pg.Pool;
  const made: Invalidation[] = [];
  const server = async () => {
    const inv = await postgresInvalidation({
      connect: async () => { const c = new pg.Client({ connectionString: db.url }); await c.connect(); return c; },
      notify: (channel, payload) => pool.query('SELECT pg_notify($1, $2)', [channel, payload]),
      retryMs: 50,
    });
    made.push(inv);
    return inv;
  };
  beforeAll(async () => { db = await freshPostgresDatabase(); pool = createPgPool(db.url, { max: 2 }); });
  afterAll(async () => { for (const m of made) await m.close(); await pool.end(); await db.drop(); });

  test("a change on one server moves the other's generation, and its own once", async () => {
    const a = await server();
    const b = await server();
    const [a0, b0] = [a.generation(), b.generation()];
    a.bump();
    expect(a.generation()).toBe(a0 + 1);
    await until(() => b.generation() > b0);
    await new Promise((r) => setTimeout(r, 200));
    expect(a.generation()).toBe(a0 + 1);
  });

  test('a listener whose connection was cut listens again, and counts the gap as a change', async () => {
    const a = await server();
    const b = await server();
    const b0 = b.generation();
    await pool.query("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE query = 'LISTEN linsheng_cache' AND pid <> pg_backend_pid()");
    await until(() => b.generation() > b0);
    await new Promise((r) => setTimeout(r, 300));
    const b1 = b.generation();
    a.bump();
    await until(() => b.generation() > b1);
  });
});
