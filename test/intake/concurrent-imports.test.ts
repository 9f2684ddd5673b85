import { parseSpreadsheet } from '../../src/intake/import/parse-sheet';
import { makeTestApp } from '../helpers/app';
import { createIntakeFixture, generatedImportCsv } from '../helpers/intake-fixtures';

/**
 * Two imports into one campaign at the same time (the command line's and a grid worker's, say): both add to the
 * same dashboard counts, chunk after chunk. On PostgreSQL the second was refused again and again until it failed.
 */
test('two imports into one campaign at once both finish, and the dashboard counts every row', async () => {
  const t = makeTestApp();
  const f = createIntakeFixture(t.db);
  const intake = t.app.ctx.intakeService;
  const rows = 1000;
  const reports = await Promise.all(['甲', '乙'].map(async (tag) =>
    intake.importSheet(null, f.campaignId, await parseSpreadsheet(Buffer.from(generatedImportCsv(tag, rows), 'utf8')), 'door_to_door', `${tag}.csv`)));
  expect(reports.map((r) => [r.imported, r.rejected.length])).toEqual([[rows, 0], [rows, 0]]);
  expect(t.db.prepare('SELECT COUNT(*) FROM submissions WHERE campaign_id = ?').pluck().get(f.campaignId)).toBe(2 * rows);
  expect(t.db.prepare('SELECT SUM(n) FROM submission_counts_daily WHERE campaign_id = ?').pluck().get(f.campaignId)).toBe(2 * rows);
});
