import { createIntakeRepo } from '../../src/intake/repo';
import { describeOnEngines } from '../helpers/engines';
import { seedEngineFixture } from '../helpers/engine-fixtures';

describeOnEngines('the intake in the database: meetings, entries and import batches', (current) => {
  test('a meeting is stored once per key, lists with its opinions, in scope only', async () => {
    const { engine, exec } = current();
    const f = await seedEngineFixture(exec);
    const repo = createIntakeRepo(engine.queries);
    const meeting = {
      campaignId: f.spring, idempotencyKey: 'intake:1:meeting:a', heldOn: '2026-03-04', communityId: f.yongan, gridId: f.grid,
      compoundId: null, location: '党群服务中心', attendance: 12, topic: '加装电梯', enteredBy: null,
    };
    const first = await engine.unitOfWork(async (tx) => {
      const inTx = createIntakeRepo(tx);
      const made = await inTx.insertMeeting(meeting);
      await inTx.setMeeting(f.s.s1, made.meeting.id);
      await inTx.setMeeting(f.s.s2, made.meeting.id);
      return made;
    });
    expect(first).toMatchObject({ created: true, meeting: { ...meeting, id: expect.any(Number) } });
    const again = await repo.insertMeeting({ ...meeting, topic: '另一次保存' });
    expect(again).toEqual({ created: false, meeting: first.meeting });
    expect(await repo.findMeeting(first.meeting.id)).toEqual(first.meeting);
    expect(await repo.findMeeting(first.meeting.id + 100)).toBeUndefined();
    // A submission already linked stays with its meeting.
    await repo.setMeeting(f.s.s1, first.meeting.id + 100);
    expect(await repo.meetingOpinionIds(first.meeting.id)).toEqual([f.s.s1, f.s.s2].sort((a, b) => a - b));

    const everything = { communityIds: 'all' as const, gridIds: null };
    expect(await repo.listMeetings(everything, null)).toEqual([{ ...first.meeting, opinions: 2 }]);
    expect(await repo.listMeetings(everything, f.winter)).toEqual([]);
    expect(await repo.listMeetings({ communityIds: [f.qingfeng], gridIds: null }, f.spring)).toEqual([]);
    expect(await repo.listMeetings({ communityIds: [f.yongan], gridIds: [f.grid] }, f.spring)).toHaveLength(1);
    expect(await repo.listMeetings({ communityIds: [], gridIds: null }, null)).toEqual([]);
  });

  test('offline entries in scope, counts, keys and the categories of a campaign', async () => {
    const { engine, exec } = current();
    const f = await seedEngineFixture(exec);
    const repo = createIntakeRepo(engine.queries);
    const everything = { communityIds: 'all' as const, gridIds: null };
    // s3 is the fixture's one entry that did not come from the resident form.
    expect(await repo.listEntryIds(everything, {})).toEqual([f.s.s3]);
    expect(await repo.listEntryIds({ communityIds: [f.yongan], gridIds: null }, {})).toEqual([]);
    expect(await repo.listEntryIds(everything, { campaignId: f.winter })).toEqual([]);
    expect(await repo.listEntryIds(everything, { enteredBy: f.member })).toEqual([]);
    expect(await repo.countEnteredBy(f.member, f.spring)).toBe(0);

    const [{ idempotency_key: key }] = await exec('SELECT idempotency_key FROM submissions WHERE id = ?', [f.s.s3]);
    expect(await repo.hasKey(String(key))).toBe(true);
    expect(await repo.hasKey('import:none')).toBe(false);
    expect(await repo.existingKeys([String(key), 'import:none'])).toEqual([key]);
    expect(await repo.existingKeys([])).toEqual([]);

    const active = await repo.categoriesFor(f.spring);
    expect(active.map((c) => c.id)).toContain(f.cats.environment);
    await exec('INSERT INTO campaign_categories (campaign_id, category_id) VALUES (?, ?)', [f.spring, f.cats.repairs]);
    expect(await repo.categoriesFor(f.spring)).toEqual([{ id: f.cats.repairs, name: '设施维修' }]);
  });

  test('an import batch: parts in bytes, the lease held by one commit at a time, the report, the purge', async () => {
    const { engine, exec } = current();
    const f = await seedEngineFixture(exec);
    const repo = createIntakeRepo(engine.queries);
    const bytes = Buffer.from([0, 1, 2, 250, 255]);
    await repo.insertPart('b1', 0, bytes);
    await repo.insertPart('b1', 1, Buffer.from('第二部分'));
    await repo.insertBatch({ id: 'b1', userId: f.member, campaignId: f.spring, channel: 'door_to_door', fileName: 'a.csv', parsed: '', preview: null });
    expect(await repo.partCount('b1')).toBe(2);
    expect(await repo.partCount('none')).toBe(0);
    expect(Buffer.from((await repo.part('b1', 0))!)).toEqual(bytes);
    expect(await repo.part('b1', 2)).toBeUndefined();
    await repo.setPreview('b1', '{"total":2}');
    expect(await repo.findBatchMeta('b1')).toMatchObject({
      id: 'b1', userId: f.member, status: 'pending', parsed: '', preview: '{"total":2}', committingUntil: null, rowsDone: 0, rowsTotal: 0,
    });
    expect(await repo.findBatch('none')).toBeUndefined();

    expect(await repo.claimCommit('b1', 60, 'lease-1')).toBe(true);
    expect(await repo.claimCommit('b1', 60, 'lease-2')).toBe(false);
    expect(await repo.renewCommit('b1', 'lease-1', 10, 40, 60)).toBe(true);
    expect(await repo.renewCommit('b1', 'lease-2', 10, 40, 60)).toBe(false);
    const held = (await repo.findBatchMeta('b1'))!;
    expect(held).toMatchObject({ rowsDone: 10, rowsTotal: 40 });
    expect(held.committingUntil! > new Date().toISOString()).toBe(true);
    await repo.markInterrupted('b1', 'lease-1', 20, 40);
    expect(await repo.findBatchMeta('b1')).toMatchObject({ interruptedAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/), rowsDone: 20 });
    await repo.endCommit('b1', 'lease-1');
    // A lease given up (or run out) is taken by the next commit, which starts its progress again.
    expect(await repo.claimCommit('b1', 60, 'lease-2')).toBe(true);
    expect(await repo.findBatchMeta('b1')).toMatchObject({ rowsDone: 0, rowsTotal: 0 });
    expect(await repo.commitBatch('b1', 'lease-1', '{}')).toBe(false);
    expect(await repo.commitBatch('b1', 'lease-2', '{"imported":2}')).toBe(true);
    expect(await repo.findBatch('b1')).toMatchObject({ status: 'committed', report: '{"imported":2}', parsed: '[]', committingUntil: null });
    expect(await repo.claimCommit('b1', 60, 'lease-3')).toBe(false);
    expect(await repo.dropParts('b1', 1)).toBe(1);
    expect(await repo.partCount('b1')).toBe(1);
    expect(await repo.part('b1', 0)).toBeUndefined();
    expect(await repo.dropParts('b1', 5)).toBe(1);
    expect(await repo.dropParts('b1', 5)).toBe(0);

    // Pending batches older than two days go, with their parts; parts of a batch never stored go too.
    await repo.insertBatch({ id: 'old', userId: null, campaignId: f.spring, channel: 'hotline', fileName: 'o.csv', parsed: '[]', preview: null });
    await repo.insertBatch({ id: 'new', userId: null, campaignId: f.spring, channel: 'hotline', fileName: 'n.csv', parsed: '[]', preview: null });
    await repo.insertPart('orphan', 0, Buffer.from('x'));
    await repo.insertPart('new', 0, Buffer.from('y'));
    await exec("UPDATE import_batches SET created_at = '2020-01-01T00:00:00.000Z' WHERE id = 'old'");
    await exec("UPDATE import_batch_parts SET created_at = '2020-01-01T00:00:00.000Z' WHERE batch_id IN ('orphan', 'new')");
    await repo.purgePendingBatches();
    expect(await repo.findBatch('old')).toBeUndefined();
    expect(await repo.findBatch('new')).toBeDefined();
    expect(await repo.findBatch('b1')).toBeDefined();
    expect(await repo.partCount('orphan')).toBe(0);
    expect(await repo.partCount('new')).toBe(1);
  });
});
