import fs from 'node:fs';
import path from 'node:path';
import { createApp } from '../../src/app';
import { testConfig } from '../../src/config';
import { createContext } from '../../src/context';
import { openDb } from '../../src/db/open-db';
import * as plan from '../../src/intake/plan';
import { createIntakeService, ImportInterrupted } from '../../src/intake/service';
import { createIntakeRepo } from '../../src/intake/repo';
import { loginAs, viewerOf, type Agent, type TestApp } from '../helpers/app';
import { createIntakeFixture, type IntakeFixture } from '../helpers/intake-fixtures';

/** Import reading and planning off the event loop, the stored preview, and a commit stopped by a shutdown. */

const SHARED = path.join(__dirname, '..', '..', '..', 'shared', 'data');
const SAMPLE_CSV = fs.readFileSync(path.join(SHARED, 'door-to-door-sample.csv'));
const SAMPLE_XLSX = fs.readFileSync(path.join(SHARED, 'door-to-door-sample.xlsx'));

/** An app whose intake service sends every file, however small, to the worker thread. */
function appWithWorker(): TestApp & { f: IntakeFixture } {
  const config = testConfig();
  const db = openDb({ file: ':memory:' });
  const ctx = createContext(config, db);
  ctx.intakeService = createIntakeService({
    engine: ctx.engine, places: ctx.places, campaigns: ctx.campaigns, submissions: ctx.submissions, submissionService: ctx.submissionService,
    repo: createIntakeRepo(ctx.engine.queries), inlineBytes: 0,
  });
  const app = createApp({ config, db, ctx });
  return { app, db, config, f: createIntakeFixture(db) };
}

let t: TestApp & { f: IntakeFixture };
beforeEach(() => { t = appWithWorker(); });
afterEach(async () => { await t.app.ctx.intakeService.stop(); });

const upload = (agent: Agent, buf: Buffer, name: string) =>
  agent.post(`/intake/import?_csrf=${encodeURIComponent(agent.csrf)}`)
    .field('campaignId', String(t.f.campaignId)).field('channel', 'door_to_door').attach('file', buf, name);

describe('import in a worker thread', () => {
  it('reads and plans the file in the worker, with the same preview and result as inline', async () => {
    const staff = await loginAs(t, 'staff', { scopePlaceId: t.f.subdistrictId });
    const up = await upload(staff, SAMPLE_XLSX, 'sample.xlsx').expect(303);
    const preview = await staff.get(up.headers.location).expect(200);
    expect(preview.text).toContain('共读到 <strong>20</strong> 条数据');
    expect(preview.text).toContain('日期需要核实 <strong>14</strong> 条');
    expect(preview.text).toContain('社区不存在（“不存在社区”）');
    // The rows read are stored in parts (each its own short write), not in the batch row.
    const id = up.headers.location.split('/').pop()!;
    const parts = () => t.db.prepare('SELECT COUNT(*) FROM import_batch_parts WHERE batch_id = ?').pluck().get(id);
    expect(parts()).toBeGreaterThan(0);
    expect(t.db.prepare('SELECT parsed FROM import_batches WHERE id = ?').pluck().get(id)).toBe('');
    const done = await staff.post(`${up.headers.location}?_csrf=${encodeURIComponent(staff.csrf)}`).type('form')
      .send({ acceptOldDates: '1' }).expect(303);
    const result = await staff.get(done.headers.location).expect(200);
    expect(result.text).toContain('导入完成：新增 14 条。');
    expect(t.db.prepare("SELECT COUNT(*) FROM submissions WHERE channel = 'door_to_door'").pluck().get()).toBe(14);
    // The rows read (with residents' names) are not kept once committed.
    expect(parts()).toBe(0);
  });

  it('a file of 1,200 rows imported again: every row found as imported before, in key lookups of a few hundred', async () => {
    const staff = await loginAs(t, 'staff', { scopePlaceId: t.f.subdistrictId });
    const today = new Date(Date.now() + 8 * 3600e3).toISOString().slice(0, 10);
    const lines = ['序号,走访日期,社区,网格,小区/楼院,楼栋单元,姓名,联系电话,诉求类型,诉求内容,是否微心愿,走访人,备注'];
    for (let i = 1; i <= 1200; i++) lines.push(`${i},${today},永安社区,第一网格,,${1 + (i % 30)}号楼,,,,楼道灯坏了（第${i}户）,否,李娜,`);
    const csv = Buffer.from(lines.join('\n'), 'utf8');
    const first = await upload(staff, csv, 'big.csv').expect(303);
    await staff.post(`${first.headers.location}?_csrf=${encodeURIComponent(staff.csrf)}`).type('form').send({}).expect(303);
    expect(t.db.prepare("SELECT COUNT(*) FROM submissions WHERE channel = 'door_to_door'").pluck().get()).toBe(1200);
    const again = await upload(staff, csv, 'big.csv').expect(303);
    const preview = await staff.get(again.headers.location).expect(200);
    expect(preview.text).toContain('已导入过、将跳过 <strong>1200</strong> 条（第 2–1201 行）');
  }, 60_000);

  it('shows a file the worker cannot read with the reader\'s own message', async () => {
    const staff = await loginAs(t, 'staff', { scopePlaceId: t.f.subdistrictId });
    const res = await upload(staff, Buffer.from('PK\u0003\u0004 not really a zip'), 'broken.xlsx');
    expect(res.status).toBe(400);
    expect(res.text).toContain('无法读取这个 Excel 文件');
  });
});

describe('the import preview', () => {
  it('does not re-plan the file: viewing it reads the preview stored at upload', async () => {
    const staff = await loginAs(t, 'staff', { scopePlaceId: t.f.subdistrictId });
    const up = await upload(staff, SAMPLE_CSV, 'sample.csv').expect(303);
    const spy = jest.spyOn(plan, 'planRows');
    try {
      const first = await staff.get(up.headers.location).expect(200);
      const second = await staff.get(up.headers.location).expect(200);
      expect(spy).not.toHaveBeenCalled();
      expect(second.text).toBe(first.text);
      expect(first.text).toContain('共读到 <strong>20</strong> 条数据');
    } finally {
      spy.mockRestore();
    }
    // And the stored batch holds the preview.
    expect(t.db.prepare('SELECT preview IS NOT NULL FROM import_batches').pluck().get()).toBe(1);
  });
});

describe('a commit stopped by a shutdown', () => {
  it('finishes its chunk, records where it stopped, tells the user, and resumes on confirmation', async () => {
    const staffAgent = await loginAs(t, 'staff', { scopePlaceId: t.f.subdistrictId });
    const staff = await viewerOf(t, staffAgent.userId);
    const up = await upload(staffAgent, SAMPLE_CSV, 'sample.csv').expect(303);
    const id = up.headers.location.split('/').pop()!;
    const stop = new AbortController();
    const steps: string[] = [];
    await expect(t.app.ctx.intakeService.commitBatch(staff, id, {
      acceptOldDates: true, chunk: 4, signal: stop.signal,
      onProgress: (done, total) => { steps.push(`${done}/${total}`); if (done === 4) stop.abort(); },
    })).rejects.toBeInstanceOf(ImportInterrupted);
    expect(steps).toEqual(['0/14', '4/14']);
    // Whole chunks only: four rows are in, the batch says so and stays pending.
    expect(t.db.prepare('SELECT COUNT(*) FROM submissions').pluck().get()).toBe(4);
    const b = t.db.prepare('SELECT status, rows_done, rows_total, interrupted_at FROM import_batches WHERE id = ?').get(id) as Record<string, unknown>;
    expect(b).toMatchObject({ status: 'pending', rows_done: 4, rows_total: 14 });
    expect(b.interrupted_at).toEqual(expect.any(String));
    const page = await staffAgent.get(up.headers.location).expect(200);
    expect(page.text).toContain('导入在已导入 4 / 14 条处暂停');
    // Confirming again goes on from there: the four rows are skipped, nothing is doubled.
    const report = await t.app.ctx.intakeService.commitBatch(staff, id, { acceptOldDates: true });
    expect(report.imported).toBe(10);
    expect(report.alreadyImported).toHaveLength(4);
    expect(t.db.prepare('SELECT COUNT(*) FROM submissions').pluck().get()).toBe(14);
  });
});
