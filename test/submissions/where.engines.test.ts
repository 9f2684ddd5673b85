import { sql } from 'kysely';
import { all } from '../../src/db/engine';
import type { SubmissionFilter } from '../../src/submissions/filter';
import { submissionConditions } from '../../src/submissions/where';
import { describeOnEngines } from '../helpers/engines';
import { seedEngineFixture, type EngineFixture } from '../helpers/engine-fixtures';

describeOnEngines('the shared submission filter', (current) => {
  let f: EngineFixture;
  beforeEach(async () => { f = await seedEngineFixture(current().exec); });
  const ids = async (filter: SubmissionFilter) => {
    const on = current().engine.queries;
    const rows = await all<{ id: number }>(on, sql`SELECT s.id FROM submissions s WHERE ${submissionConditions(on, filter, 's')} ORDER BY s.id`);
    return rows.map((r) => Number(r.id));
  };

  it('keeps a slice of communities, with or without the unplaced ones, and a grid worker to their grids', async () => {
    expect(await ids({})).toEqual([f.s.s1, f.s.s2, f.s.s3, f.s.s4, f.s.s5]);
    expect(await ids({ campaignId: f.spring, communityIds: [f.yongan] })).toEqual([f.s.s1, f.s.s2, f.s.s5]);
    expect(await ids({ campaignId: f.spring, communityIds: [f.yongan], includeUnplaced: true })).toEqual([f.s.s1, f.s.s2, f.s.s4, f.s.s5]);
    expect(await ids({ communityIds: [] })).toEqual([]);
    expect(await ids({ communityIds: 'all', gridIds: [f.grid] })).toEqual([f.s.s1]);
    expect(await ids({ campaignId: f.winter })).toEqual([]);
  });

  it('narrows by the page’s own choices', async () => {
    expect(await ids({ kind: 'wish' })).toEqual([f.s.s2]);
    expect(await ids({ channel: 'door_to_door' })).toEqual([f.s.s3]);
    expect(await ids({ categoryId: f.cats.environment, communityId: f.yongan })).toEqual([f.s.s1, f.s.s5]);
    expect(await ids({ qrCodeId: f.qrs.office })).toEqual([f.s.s4]);
  });

  it('reads from and to as whole days in China time', async () => {
    // s2 came at 20:00 UTC on 3 March, which is 4 March in China.
    expect(await ids({ from: '2026-03-04', to: '2026-03-04' })).toEqual([f.s.s2]);
    expect(await ids({ to: '2026-03-03' })).toEqual([f.s.s1, f.s.s4, f.s.s5]);
    expect(await ids({ from: '2026-03-05' })).toEqual([f.s.s3]);
    expect(await ids({ from: '2026-03-02', to: '2026-03-02' })).toEqual([f.s.s1, f.s.s4, f.s.s5]);
  });
});
