/**
 * `describeOnPostgres`: a describe block that runs when a PostgreSQL server answers (./postgres-server.ts) and
 * otherwise says loudly that its tests are skipped, as the browser tests do without Chromium.
 */
import pg from 'pg';
import { check, ENV } from './postgres-server';

export { freshPostgresDatabase, postgresAvailable } from './postgres-server';

const SKIPPED = `skipped: PostgreSQL not available — set ${ENV} (.ci/postgres.sh starts one)`;

let warned = false;

/**
 * `describe` for tests that need PostgreSQL: the block when a server answers, otherwise one skipped test that says
 * why (and a warning, once per test file, since jest shows skipped tests only as a count).
 */
export function describeOnPostgres(name: string, fn: () => void): void {
  const state = check();
  if (state.ok) {
    describe(name, fn);
    return;
  }
  if (!warned) {
    warned = true;
    // eslint-disable-next-line no-console
    console.warn(`SKIPPED PostgreSQL tests "${name}": ${state.why}. Set ${ENV} (.ci/postgres.sh starts a server and prints it).`);
  }
  describe(name, () => it.skip(SKIPPED, () => undefined));
}


/** How many connections to the database at `url` others hold (a pool a test expects closed leaves none). */
export async function otherConnections(url: string): Promise<number> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const { rows } = await client.query<{ n: string }>(
      'SELECT count(*) AS n FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()');
    return Number(rows[0].n);
  } finally {
    await client.end();
  }
}
