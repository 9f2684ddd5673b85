import { createSubmissionRepo } from '../../src/submissions/repo';
import { createSubmissionService } from '../../src/submissions/service';
import type { NewSubmission } from '../../src/submissions/types';
import { describeOnEngines } from '../helpers/engines';
import { FIXTURE_OWNER_KEY, FIXTURE_RECEIPT, seedEngineFixture, type EngineFixture } from '../helpers/engine-fixtures';

describeOnEngines('the submissions repo and the group commit', (current) => {
  let f: EngineFixture;
  beforeEach(async () => { f = await seedEngineFixture(current().exec); });
  const repo = () => createSubmissionRepo(current().engine.queries);
  const input = (key: string, over: Partial<NewSubmission> = {}): NewSubmission => ({
    campaignId: f.spring, qrCodeId: f.qrs.yongan, idempotencyKey: key, kind: 'suggestion', text: '楼道灯坏了',
    communityId: f.yongan, residentPhone: '13912345678', residentKey: 'phone-x', ...over,
  });

  it('inserts once per idempotency key, with a fresh receipt code, and answers a repeat with the earlier row', async () => {
    const first = await repo().insert(input('k1'));
    expect(first.created).toBe(true);
    expect(first.submission).toMatchObject({ campaignId: f.spring, communityId: f.yongan, channel: 'online', needsTriage: false, text: '楼道灯坏了' });
    expect(first.submission.receiptCode).toMatch(/^[A-Z0-9]{8}$/);
    const again = await repo().insert(input('k1', { text: '改过的字' }));
    expect(again).toEqual({ submission: first.submission, created: false });
    expect(await repo().findByIdempotencyKey('k1')).toEqual(first.submission);
    expect(await repo().findByReceipt(first.submission.receiptCode)).toEqual(first.submission);
    expect(await repo().residentKeyOf(first.submission.id)).toBe('phone-x');
  });

  it('inserts many in one statement, in order: a key seen before or twice in the batch answers with the one row', async () => {
    const earlier = await repo().insert(input('old'));
    const results = await repo().insertMany([input('n1'), input('old'), input('n2'), input('n1'), input('n3', { kind: 'wish' })]);
    expect(results.map((r) => [r.submission.idempotencyKey, r.created])).toEqual([
      ['n1', true], ['old', false], ['n2', true], ['n1', false], ['n3', true],
    ]);
    expect(results[1].submission).toEqual(earlier.submission);
    expect(results[3].submission).toEqual(results[0].submission);
    expect(results[4].submission.kind).toBe('wish');
    expect(new Set(results.map((r) => r.submission.receiptCode)).size).toBe(4);
    expect(await repo().count({ campaignId: f.spring })).toBe(5 + 4);
  });

  it('lists, counts and labels through the shared filter, newest first', async () => {
    const scope = { campaignId: f.spring, communityIds: [f.yongan] };
    expect(await repo().count(scope)).toBe(3);
    const listed = await repo().listLabelled({ ...scope, limit: 2 });
    expect(listed.map((s) => s.id)).toEqual([f.s.s2, f.s.s5]);
    expect(listed[0]).toMatchObject({ communityName: '永安社区', categoryName: '设施维修', qrLabel: '永安社区 公告栏', campaignTitle: '春季民生征求意见' });
    expect((await repo().list({ ...scope, offset: 2 })).map((s) => s.id)).toEqual([f.s.s1]);
    expect((await repo().findLabelledByReceipt(FIXTURE_RECEIPT))?.id).toBe(f.s.s1);
    expect((await repo().findLabelledById(f.s.s4))?.communityName).toBeNull();
  });

  it('keeps a reply and lists a phone’s own submissions with what became of them', async () => {
    await repo().setReply(f.s.s1, '已联系物业');
    expect((await repo().findById(f.s.s1))?.reply).toBe('已联系物业');
    expect(await repo().mine(FIXTURE_OWNER_KEY)).toEqual([expect.objectContaining({
      receipt_code: FIXTURE_RECEIPT, campaign_title: '春季民生征求意见', issue_status: 'accepted', declined_at: null,
    })]);
  });

  it('commits a burst in one unit of work, a double tap once, and a bad row alone', async () => {
    const service = createSubmissionService({ engine: current().engine });
    const settled = await Promise.allSettled([
      service.recordDurably(input('a')), service.recordDurably(input('a')), service.recordDurably(input('bad', { campaignId: 999_999 })),
      service.recordDurably(input('b')),
    ]);
    expect(settled.map((s) => s.status)).toEqual(['fulfilled', 'fulfilled', 'rejected', 'fulfilled']);
    const [a, a2, , b] = settled.map((s) => (s.status === 'fulfilled' ? s.value : undefined));
    expect(a!.submission.receiptCode).toBe(a2!.submission.receiptCode);
    expect([a!.created, a2!.created].sort()).toEqual([false, true]);
    expect(b!.created).toBe(true);
    expect(await repo().count({ campaignId: f.spring })).toBe(7);
  });
});
