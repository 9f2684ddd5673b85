/**
 * PostgreSQL for tests: a server named by LINSHENG_TEST_DATABASE_URL (a role with CREATEDB; .ci/postgres.sh starts
 * one and prints the line to export), a database of its own per test file, and whether one answers. No test
 * runner here: benchmarks use it too (`describeOnPostgres` is in ./postgres.ts).
 */
import { spawnSync } from 'node:child_process';
import crypto from 'node:crypto';
import pg from 'pg';
import { PROJECT_ROOT } from '../../src/paths';

export const ENV = 'LINSHENG_TEST_DATABASE_URL';

let availability: { ok: true } | { ok: false; why: string } | undefined;

/**
 * Whether LINSHENG_TEST_DATABASE_URL is set and answers. Synchronous, because jest registers tests synchronously:
 * a child process tries to log in (a few hundred milliseconds, once per test file).
 */
export function postgresAvailable(): boolean {
  return check().ok;
}

/** Whether a server answers, and if not why (for the message of skipped tests). */
export function check(): NonNullable<typeof availability> {
  if (availability) return availability;
  const url = process.env[ENV];
  if (!url) return (availability = { ok: false, why: `${ENV} is not set` });
  const probe = `const c = new (require('pg').Client)({ connectionString: process.env.PROBE_URL, connectionTimeoutMillis: 3000 });
    c.connect().then(() => c.query('SELECT 1')).then(() => c.end()).then(() => process.exit(0),
      (e) => { process.stderr.write(String(e && e.message)); process.exit(1); });`;
  const r = spawnSync(process.execPath, ['-e', probe], {
    cwd: PROJECT_ROOT, env: { ...process.env, PROBE_URL: url }, encoding: 'utf8', timeout: 10_000,
  });
  availability = r.status === 0 ? { ok: true } : { ok: false, why: `${redact(url)}: ${r.stderr.trim() || r.error?.message || 'no answer'}` };
  return availability;
}

/** The URL without its password, for messages. */
const redact = (url: string) => url.replace(/(\/\/[^:/@]+:)[^@]*@/, '$1***@');

async function asAdmin<T>(run: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: process.env[ENV], application_name: 'linsheng-test' });
  await client.connect();
  try {
    return await run(client);
  } finally {
    await client.end();
  }
}

/**
 * A new database on the test server, with SQLite's text semantics (UTF-8, byte-order collation: locale C): empty, or
 * a copy of `template` (a database made here, e.g. migrated once per file; nobody may be connected to it). `drop()`
 * removes it even while connections remain (a test that failed half-way leaves some open).
 */
export async function freshPostgresDatabase(opts: { template?: string } = {}): Promise<{ url: string; name: string; drop(): Promise<void> }> {
  const base = process.env[ENV];
  if (!base) throw new Error(`${ENV} is not set`);
  const name = `linsheng_test_${process.pid}_${crypto.randomBytes(4).toString('hex')}`;
  const from = opts.template === undefined ? `ENCODING 'UTF8' LOCALE 'C' TEMPLATE template0` : `TEMPLATE ${pg.escapeIdentifier(opts.template)}`;
  await asAdmin((c) => c.query(`CREATE DATABASE ${name} ${from}`));
  const url = new URL(base);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    name,
    drop: () => dropDatabase(name),
  };
}

/**
 * Drops a test database even while connections remain. An autovacuum worker that just started on it belongs to the
 * server, not to the test role, and FORCE may not end it (42501): it finishes within moments, so try again.
 */
async function dropDatabase(name: string): Promise<void> {
  for (let attempt = 0; ; attempt++) {
    try {
      await asAdmin((c) => c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`));
      return;
    } catch (err) {
      const code = (err as { code?: string }).code;
      if ((code !== '42501' && code !== '55006') || attempt >= 50) throw err;
      await new Promise((r) => setTimeout(r, 100));
    }
  }
}
