import { TEMPLATE_HEADERS } from '../../src/intake/import/columns';
import { parseSpreadsheet } from '../../src/intake/import/parse-sheet';
import { makeTestApp } from '../helpers/app';
import { createIntakeFixture } from '../helpers/intake-fixtures';

/** Today in China, as the sheets' 走访日期 (a recent date goes in without confirmation). */
const today = () => new Date(Date.now() + 8 * 3600e3).toISOString().slice(0, 10);

function sheet(tag: string, rows: number): Buffer {
  const lines = [TEMPLATE_HEADERS.map((h) => h[1]).join(',')];
  for (let i = 0; i < rows; i++) {
    lines.push([String(i + 1), today(), '永安社区', '第一网格', '', `${1 + (i % 30)}号楼`, `居民${tag}${i}`, '', '', `楼道灯坏了（${tag}第${i + 1}户）`, '否', '李娜', ''].join(','));
  }
  return Buffer.from(lines.join('\n') + '\n', 'utf8');
}

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
    intake.importSheet(null, f.campaignId, await parseSpreadsheet(sheet(tag, rows)), 'door_to_door', `${tag}.csv`)));
  expect(reports.map((r) => [r.imported, r.rejected.length])).toEqual([[rows, 0], [rows, 0]]);
  expect(t.db.prepare('SELECT COUNT(*) FROM submissions WHERE campaign_id = ?').pluck().get(f.campaignId)).toBe(2 * rows);
  expect(t.db.prepare('SELECT SUM(n) FROM submission_counts_daily WHERE campaign_id = ?').pluck().get(f.campaignId)).toBe(2 * rows);
});
