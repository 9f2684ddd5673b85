import { postgresEngine, type Engine, type UnitOfWorkOptions } from '../../src/db/engine';
import { createPgPool } from '../../src/db/postgres/pool';
import { createSubmissionRepo } from '../../src/submissions/repo';
import { INSERTS_ONLY } from '../../src/submissions/service';
import type { NewSubmission } from '../../src/submissions/types';
import { seedEngineFixture, type EngineFixture } from '../helpers/engine-fixtures';
import { migratedPostgresDatabase, postgresExec, type EngineUnderTest } from '../helpers/engines';
import { describeOnPostgres, freshPostgresDatabase } from '../helpers/postgres';

/**
 * Two writers of the same dashboard counts on PostgreSQL (a CLI import and a web import into one campaign, or two
 * app servers' group commits): the counts triggers update the same rows. At SERIALIZABLE the second writer failed
 * (40001) and ran again, and against a writer committing chunk after chunk it failed every time.
 */
describeOnPostgres('units of work that only insert submissions, on PostgreSQL', () => {
  let made: Awaited<ReturnType<typeof migratedPostgresDatabase>>;
  let copy: Awaited<ReturnType<typeof migratedPostgresDatabase>>;
  let engine: Engine;
  let exec: EngineUnderTest['exec'];
  let f: EngineFixture;
  beforeAll(async () => { made = await migratedPostgresDatabase(); });
  afterAll(async () => { await made.drop(); });
  beforeEach(async () => {
    copy = await freshPostgresDatabase({ template: made.name });
    const pool = createPgPool(copy.url, { max: 4 });
    engine = postgresEngine(pool);
    exec = postgresExec(pool);
    f = await seedEngineFixture(exec);
  });
  afterEach(async () => { await engine.close(); await copy.drop(); });

  let key = 0;
  /** Eight rows of one campaign, community, day, channel and kind: every shard of their counts. */
  const eight = (): NewSubmission[] => Array.from({ length: 8 }, () => ({
    campaignId: f.spring, idempotencyKey: `counts-writers-${++key}`, kind: 'suggestion', text: '楼道灯坏了',
    communityId: f.yongan, channel: 'door_to_door', collectedOn: '2026-12-01',
  }));
  const countsOfDay = async () => Number((await exec(
    "SELECT COALESCE(SUM(n), 0) AS n FROM submission_counts_daily WHERE campaign_id = ? AND community_id = ? AND channel = 'door_to_door'",
    [f.spring, f.yongan]))[0].n);
  const waitingForALock = async () => {
    for (let i = 0; i < 500; i++) {
      const [row] = await exec("SELECT COUNT(*) AS n FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'");
      if (Number(row.n) > 0) return;
      await new Promise((r) => setTimeout(r, 10));
    }
    throw new Error('the second writer never waited for the first');
  };

  /** The first writer holds its counts until the second waits for them; how often the second's work ran. */
  async function secondWriterRuns(opts: UnitOfWorkOptions): Promise<number> {
    let release!: () => void;
    const held = new Promise<void>((r) => { release = r; });
    let inserted!: () => void;
    const first = engine.unitOfWork(async (tx) => {
      await createSubmissionRepo(tx).insertMany(eight());
      inserted();
      await held;
    }, opts);
    await new Promise<void>((r) => { inserted = r; });
    let runs = 0;
    const second = engine.unitOfWork(async (tx) => { runs++; await createSubmissionRepo(tx).insertMany(eight()); }, opts);
    await waitingForALock();
    release();
    await Promise.all([first, second]);
    return runs;
  }

  test('the second waits for the first and adds to its counts, without running again', async () => {
    expect(await secondWriterRuns(INSERTS_ONLY)).toBe(1);
    expect(await countsOfDay()).toBe(16);
  });

  test('(at SERIALIZABLE, the default, the second is refused once and runs again: what starved it)', async () => {
    expect(await secondWriterRuns({})).toBe(2);
    expect(await countsOfDay()).toBe(16);
  });
});
