import fs from 'node:fs';
import path from 'node:path';
import { createApp, type LinshengApp } from '../../src/app';
import { ImportRunning } from '../../src/intake/service';
import { loginAs, viewerOf, type TestApp, makeTestApp } from '../helpers/app';
import { createIntakeFixture, type IntakeFixture } from '../helpers/intake-fixtures';
import { secondConnection } from '../helpers/test-database';

/**
 * An import commit's progress and its "one at a time" live in the database: a second app server on the same
 * database shows the progress and does not start the same commit again; a lease left by a server that died runs out.
 */
const SAMPLE_CSV = fs.readFileSync(path.join(__dirname, '..', '..', '..', 'shared', 'data', 'door-to-door-sample.csv'));

let t: TestApp & { f: IntakeFixture };
let other: LinshengApp;
let second: ReturnType<typeof secondConnection>;
beforeEach(() => {
  t = { ...makeTestApp({}, { onDisk: true }), f: undefined as unknown as IntakeFixture };
  t.f = createIntakeFixture(t.db);
  // Another app server: its own connection to the same database.
  second = secondConnection(t.db);
  other = createApp({ config: t.config, db: second.appDatabase });
});
afterEach(async () => {
  await Promise.all([t.app.ctx.intakeService.stop(), other.ctx.intakeService.stop()]);
  await second.close();
  t.db.close();
  fs.rmSync(t.config.dataDir, { recursive: true, force: true });
});

async function uploaded() {
  const agent = await loginAs(t, 'staff', { scopePlaceId: t.f.subdistrictId });
  const up = await agent.post(`/intake/import?_csrf=${encodeURIComponent(agent.csrf)}`)
    .field('campaignId', String(t.f.campaignId)).field('channel', 'door_to_door').attach('file', SAMPLE_CSV, 'sample.csv').expect(303);
  return { id: up.headers.location.split('/').pop()!, userId: agent.userId, agent };
}
const submissions = () => t.db.prepare('SELECT COUNT(*) FROM submissions').pluck().get();
/** A lease's end as the repo writes it (ISO, milliseconds, Z). */
const inSeconds = (s: number) => new Date(Date.now() + s * 1000).toISOString();

it('shows a commit running on one server on the other, which does not start it again', async () => {
  const { id, userId } = await uploaded();
  const staff = await viewerOf(t, userId);
  const staffThere = await other.ctx.access.viewerOf((await other.ctx.users.findById(userId))!);
  let seenThere: unknown;
  let second: Promise<unknown> | undefined;
  const report = await t.app.ctx.intakeService.commitBatch(staff, id, {
    acceptOldDates: true, chunk: 4, progressMs: 0,
    onProgress: (done) => {
      if (done !== 4) return;
      seenThere = other.ctx.intakeService.ownBatch(staffThere, id).then((b) => other.ctx.intakeService.commitProgress(b));
      second = other.ctx.intakeService.commitBatch(staffThere, id, { acceptOldDates: true });
      // This commit waits here until the other server has tried (on PostgreSQL it could otherwise finish first).
      return Promise.all([seenThere, second]).then(() => undefined, () => undefined);
    },
  });
  expect(await seenThere).toEqual({ done: 4, total: 14 });
  await expect(second).rejects.toBeInstanceOf(ImportRunning);
  expect(report.imported).toBe(14);
  expect(submissions()).toBe(14);
  // Finished: the lease is given up, and confirming again on either server shows the same report.
  expect(other.ctx.intakeService.commitProgress(await other.ctx.intakeService.ownBatch(staffThere, id))).toBeNull();
  expect(await other.ctx.intakeService.commitBatch(staffThere, id)).toEqual(report);
});

it('waits for a lease another server holds, and resumes once the lease of a server that died has run out', async () => {
  const { id, userId, agent } = await uploaded();
  const staff = await viewerOf(t, userId);
  const lease = (seconds: number) => t.db.prepare(`UPDATE import_batches SET committing_until = ?,
    rows_done = 6, rows_total = 14 WHERE id = ?`).run(inSeconds(seconds), id);
  lease(60);
  await expect(t.app.ctx.intakeService.commitBatch(staff, id, { acceptOldDates: true })).rejects.toBeInstanceOf(ImportRunning);
  expect(submissions()).toBe(0);
  // The page's progress poll follows the other server's commit.
  const status = async () => (await agent.get(`/intake/import/${id}/status`).expect(200)).body as unknown;
  expect(await status()).toEqual({ state: 'committing', done: 6, total: 14 });
  lease(-1);
  expect(await status()).toEqual({ state: 'pending', done: 0, total: 0 });
  const report = await t.app.ctx.intakeService.commitBatch(staff, id, { acceptOldDates: true });
  expect(report.imported).toBe(14);
  expect(submissions()).toBe(14);
});

it('a commit that outlived its lease stops, and neither renews nor ends the lease of the commit that took over', async () => {
  const { id, userId } = await uploaded();
  const staff = await viewerOf(t, userId);
  let takenOver = false;
  const displaced = t.app.ctx.intakeService.commitBatch(staff, id, {
    acceptOldDates: true, chunk: 4, progressMs: 0,
    onProgress: (done) => {
      if (done !== 4) return;
      // This commit stalled past its lease, and another server's commit took the batch over.
      t.db.prepare(`UPDATE import_batches SET committing_until = ?,
        commit_lease = 'other-server', rows_done = 0 WHERE id = ?`).run(inSeconds(60), id);
      takenOver = true;
    },
  });
  await expect(displaced).rejects.toBeInstanceOf(ImportRunning);
  expect(takenOver).toBe(true);
  // Its first chunk is in (and skipped by the other commit); the chunk it was writing when it found out is not.
  expect(submissions()).toBe(4);
  expect(t.db.prepare('SELECT status, commit_lease, rows_done FROM import_batches WHERE id = ?').get(id))
    .toEqual({ status: 'pending', commit_lease: 'other-server', rows_done: 0 });
});
