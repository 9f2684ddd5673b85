import { matchPhrases } from '../../src/db/search-tokens';
import { createSearchRepo, type SearchScope } from '../../src/search/repo';
import { describeOnEngines } from '../helpers/engines';
import { FIXTURE_RECEIPT, seedEngineFixture, type EngineFixture } from '../helpers/engine-fixtures';

const everything: SearchScope = { communityIds: 'all', gridIds: null, unplacedCampaignIds: 'all' };

describeOnEngines('staff search in the database', (current) => {
  let f: EngineFixture;
  let repo: ReturnType<typeof createSearchRepo>;
  beforeEach(async () => {
    f = await seedEngineFixture(current().exec);
    repo = createSearchRepo(current().engine.queries);
  });
  const phrases = (typed: string) => matchPhrases(typed)!;

  test('finds a two-character Chinese word in suggestions and issues, newest first', async () => {
    expect((await repo.submissions(phrases('电梯'), everything, 50)).map((s) => s.id)).toEqual([f.s.s2, f.s.s1]);
    expect((await repo.submissions(phrases('电梯'), everything, 1)).map((s) => s.id)).toEqual([f.s.s2]);
    // Every term must occur, each as a phrase.
    expect((await repo.submissions(phrases('电梯 困过'), everything, 50)).map((s) => s.id)).toEqual([f.s.s1]);
    expect(await repo.submissions(phrases('电梯 垃圾'), everything, 50)).toEqual([]);
    expect(await repo.submissions(phrases('梯电'), everything, 50)).toEqual([]);
    const issues = await repo.issues(phrases('电梯'), everything, 50);
    expect(issues).toEqual([
      { id: f.issues.liftAgain, campaignId: f.spring, campaignTitle: '春季民生征求意见', title: '3号楼电梯经常坏', status: 'accepted',
        communityName: '永安社区', residents: 2, reply: null },
      { id: f.issues.lift, campaignId: f.spring, campaignTitle: '春季民生征求意见', title: '电梯维修', status: 'resolved',
        communityName: '永安社区', residents: 1, reply: null },
    ]);
  });

  test('finds a receipt code and a phone, with their labels', async () => {
    const [found] = await repo.byReceipt(FIXTURE_RECEIPT, everything);
    expect(found).toMatchObject({ id: f.s.s1, receiptCode: FIXTURE_RECEIPT, communityName: '永安社区', gridName: '第一网格',
      qrLabel: '永安社区 公告栏', campaignTitle: '春季民生征求意见', issueTitle: '3号楼电梯经常坏', issueStatus: 'accepted' });
    expect((await repo.byPhone('13812345678', everything, 50)).map((s) => s.id)).toEqual([f.s.s1]);
    expect(await repo.byReceipt('NOPE2345', everything)).toEqual([]);
  });

  test('keeps to the scope: communities, grids and unplaced submissions of the campaigns one runs', async () => {
    const qingfeng: SearchScope = { communityIds: [f.qingfeng], gridIds: null, unplacedCampaignIds: [] };
    expect(await repo.submissions(phrases('电梯'), qingfeng, 50)).toEqual([]);
    expect(await repo.byReceipt(FIXTURE_RECEIPT, qingfeng)).toEqual([]);
    expect(await repo.issues(phrases('电梯'), qingfeng, 50)).toEqual([]);
    expect((await repo.submissions(phrases('楼道'), qingfeng, 50)).map((s) => s.id)).toEqual([f.s.s3]);
    // A grid worker: only their grid's.
    const grid: SearchScope = { communityIds: [f.yongan], gridIds: [f.grid], unplacedCampaignIds: [] };
    expect((await repo.submissions(phrases('电梯'), grid, 50)).map((s) => s.id)).toEqual([f.s.s1]);
    // Unplaced submissions: for those who run their campaign.
    const running: SearchScope = { communityIds: [f.qingfeng], gridIds: null, unplacedCampaignIds: [f.spring] };
    expect((await repo.submissions(phrases('路灯'), running, 50)).map((s) => s.id)).toEqual([f.s.s4]);
    expect(await repo.submissions(phrases('路灯'), qingfeng, 50)).toEqual([]);
  });

  test('gives the same newest matches whether the newest rows hold enough of them or the index is asked', async () => {
    // A window of the single newest row: s2 is not in it, so the index answers; with all rows in it, the window does.
    const matching = async (window: number, limit: number) =>
      (await createSearchRepo(current().engine.queries, { newestWindow: window }).submissions(phrases('电梯'), everything, limit)).map((s) => s.id);
    for (const window of [1, 1_000_000]) {
      expect(await matching(window, 50)).toEqual([f.s.s2, f.s.s1]);
      expect(await matching(window, 1)).toEqual([f.s.s2]);
    }
  });
});
