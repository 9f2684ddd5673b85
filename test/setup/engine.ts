import { closeTestDatabases, markTestRunning, onPostgres } from '../helpers/test-database';

// On PostgreSQL each test app has a database of its own: closed and dropped after the test that made it (or, made
// in a beforeAll, after the file), so a file of many tests does not hold a server's worth of connections.
if (onPostgres) {
  beforeEach(() => markTestRunning(true));
  afterEach(async () => { markTestRunning(false); await closeTestDatabases('test'); });
  afterAll(() => closeTestDatabases('file'));
}
