import { createExportRepo, type ExportSubmissionRow } from '../../src/exports/repo';
import type { SubmissionFilter } from '../../src/submissions/filter';
import { describeOnEngines } from '../helpers/engines';
import { FIXTURE_RECEIPT, seedEngineFixture, type EngineFixture } from '../helpers/engine-fixtures';

describeOnEngines('the export repo', (current) => {
  let f: EngineFixture;
  beforeEach(async () => { f = await seedEngineFixture(current().exec); });

  const batches = async (filter: SubmissionFilter, size?: number) => {
    const out: number[][] = [];
    for await (const batch of createExportRepo(current().engine.queries).submissionBatches(filter, size)) out.push(batch.map((r) => r.id));
    return out;
  };

  it('gives the matching submissions oldest first, a batch at a time, whole rows', async () => {
    const { s } = f;
    // Received s1 02:00, s4 03:00, s5 04:00 on 2 March (UTC), s2 on the 3rd, s3 on the 5th: not the order of their ids.
    expect(await batches({ campaignId: f.spring, communityIds: 'all' }, 2)).toEqual([[s.s1, s.s4], [s.s5, s.s2], [s.s3]]);
    expect(await batches({ campaignId: f.spring, communityIds: 'all' })).toEqual([[s.s1, s.s4, s.s5, s.s2, s.s3]]);
    const repo = createExportRepo(current().engine.queries);
    const first: ExportSubmissionRow[] = [];
    for await (const batch of repo.submissionBatches({ campaignId: f.spring }, 1)) { first.push(...batch); break; }
    expect(first).toEqual([expect.objectContaining({
      id: s.s1, receipt_code: FIXTURE_RECEIPT, created_at: '2026-03-02T02:00:00.000Z', collected_on: null, kind: 'suggestion', channel: 'online',
      category_id: f.cats.environment, community_id: f.yongan, grid_id: f.grid, compound_id: null, building: null, text: '3号楼电梯坏了，困过人',
      resident_name: null, resident_phone: '13812345678', qr_code_id: f.qrs.yongan, issue_id: f.issues.liftAgain, reply: null,
      collected_by_name: null, intake_note: null,
    })]);
  });

  it('applies the shared submission filter (slice, choices and China-time days)', async () => {
    const { s } = f;
    expect(await batches({ campaignId: f.spring, communityIds: [f.yongan] })).toEqual([[s.s1, s.s5, s.s2]]);
    expect(await batches({ campaignId: f.spring, communityIds: [f.yongan], includeUnplaced: true })).toEqual([[s.s1, s.s4, s.s5, s.s2]]);
    expect(await batches({ campaignId: f.spring, communityIds: 'all', gridIds: [f.grid] })).toEqual([[s.s1]]);
    expect(await batches({ campaignId: f.spring, kind: 'wish' })).toEqual([[s.s2]]);
    expect(await batches({ campaignId: f.spring, channel: 'door_to_door' })).toEqual([[s.s3]]);
    // s2 came at 20:00 UTC on 3 March, which is 4 March in China.
    expect(await batches({ campaignId: f.spring, from: '2026-03-04' })).toEqual([[s.s2, s.s3]]);
    expect(await batches({ campaignId: f.spring, communityIds: [] })).toEqual([]);
    expect(await batches({ campaignId: f.winter })).toEqual([]);
  });

  it('collects ids across ranges of ids, and leaves out a row deleted while it is sent', async () => {
    const { s } = f;
    const { exec } = current();
    // An id far beyond the first range (5,000 ids a query), received before all the others.
    await exec(`INSERT INTO submissions (id, campaign_id, receipt_code, idempotency_key, kind, text, channel, created_at)
      VALUES (12001, ?, 'FARAWAY1', 'faraway', 'suggestion', '很早的一条', 'online', '2026-03-01T00:00:00.000Z')`, [f.spring]);
    expect(await batches({ campaignId: f.spring }, 3)).toEqual([[12001, s.s1, s.s4], [s.s5, s.s2, s.s3]]);

    const sent: number[][] = [];
    for await (const batch of createExportRepo(current().engine.queries).submissionBatches({ campaignId: f.spring }, 3)) {
      sent.push(batch.map((r) => r.id));
      if (sent.length === 1) await exec('DELETE FROM submissions WHERE id = ?', [s.s2]);
    }
    expect(sent).toEqual([[12001, s.s1, s.s4], [s.s5, s.s3]]);
  });

  it('reads the names behind the ids once, and who claimed each issue', async () => {
    const repo = createExportRepo(current().engine.queries);
    const l = await repo.lookups(f.spring);
    expect(l.categories.get(f.cats.environment)).toBe('环境卫生');
    expect(l.places.get(f.yongan)).toBe('永安社区');
    expect(l.places.get(f.grid)).toBe('第一网格');
    expect([...l.qrCodes.entries()].sort((a, b) => a[0] - b[0]))
      .toEqual([[f.qrs.yongan, '永安社区 公告栏'], [f.qrs.qingfeng, '庆丰社区 活动室'], [f.qrs.office, '街道办 大厅']]);
    // The campaign's issues only.
    expect([...l.issues.keys()].sort((a, b) => a - b)).toEqual([f.issues.lift, f.issues.liftAgain, f.issues.parking]);
    expect(l.issues.get(f.issues.lift)).toEqual({ id: f.issues.lift, title: '电梯维修', status: 'resolved' });
    expect((await repo.lookups(f.winter)).qrCodes.size).toBe(0);

    // The unit's claim on 3号楼电梯经常坏 was withdrawn: only the party member's stands.
    expect([...(await repo.claimersByIssue(f.spring)).entries()]).toEqual([[f.issues.lift, ['名字member1']]]);
    expect((await repo.claimersByIssue(f.winter)).size).toBe(0);
  });
});
