import { createReadiness, writeFailureReason } from '../../src/health/readiness';
import { describeOnEngines } from '../helpers/engines';

describeOnEngines('readiness', (current) => {
  test('a database that takes the probe write, with nothing pending, is ready', async () => {
    const { engine, exec } = current();
    const readiness = createReadiness({ engine, pendingMigrations: async () => [], dataDir: process.cwd(), minFreeBytes: 0 });
    const r = await readiness.check();
    expect(r).toMatchObject({ ready: true, reasons: [], checks: { database: 'ok', migrations: 'ok' } });
    // The probe row is gone again.
    expect(await exec("SELECT key FROM settings WHERE key = 'readyz_probe'")).toEqual([]);
  });
});

test("PostgreSQL's failures map to the same reasons as SQLite's", () => {
  const pgError = (code: string) => Object.assign(new Error('pg'), { code });
  expect(writeFailureReason(pgError('53100'))).toBe('database_full');
  expect(writeFailureReason(pgError('25006'))).toBe('database_read_only');
  expect(writeFailureReason(pgError('55P03'))).toBe('database_locked');
  expect(writeFailureReason(pgError('58030'))).toBe('database_io_error');
  expect(writeFailureReason(pgError('08006'))).toBe('database_error');
});
