import { createDashboardRepo, type DashboardSlice } from '../../src/dashboard/repo';
import { describeOnEngines } from '../helpers/engines';
import { seedEngineFixture, type EngineFixture } from '../helpers/engine-fixtures';

describeOnEngines('the dashboard\'s reads', (current) => {
  let f: EngineFixture;
  let repo: ReturnType<typeof createDashboardRepo>;
  beforeEach(async () => {
    f = await seedEngineFixture(current().exec);
    repo = createDashboardRepo(current().engine.queries);
  });
  const whole = (): DashboardSlice => ({ campaignIds: [f.spring], communityIds: 'all', includeUnplaced: true });

  test('submissions per day, channel and kind, summed over the count shards', async () => {
    expect(await repo.daily(whole())).toEqual([
      { day: '2026-03-01', channel: 'door_to_door', kind: 'suggestion', n: 1 },
      { day: '2026-03-02', channel: 'online', kind: 'suggestion', n: 3 },
      { day: '2026-03-04', channel: 'online', kind: 'wish', n: 1 },
    ]);
    // 庆丰's staff: their community only, nothing without one.
    expect(await repo.daily({ campaignIds: [f.spring], communityIds: [f.qingfeng], includeUnplaced: false }))
      .toEqual([{ day: '2026-03-01', channel: 'door_to_door', kind: 'suggestion', n: 1 }]);
    expect(await repo.daily({ campaignIds: [], communityIds: 'all', includeUnplaced: true })).toEqual([]);
  });

  test('categories per community, and QR codes with their submissions', async () => {
    const byKey = (a: { categoryId: number; communityId: number }, b: { categoryId: number; communityId: number }) =>
      a.categoryId - b.categoryId || a.communityId - b.communityId;
    expect((await repo.categories(whole())).sort(byKey)).toEqual([
      { categoryId: 0, communityId: 0, n: 1 },
      { categoryId: f.cats.environment, communityId: f.yongan, n: 2 },
      { categoryId: f.cats.environment, communityId: f.qingfeng, n: 1 },
      { categoryId: f.cats.repairs, communityId: f.yongan, n: 1 },
    ].sort(byKey));
    expect(await repo.qrCodes([f.spring])).toEqual([
      { id: f.qrs.yongan, campaignId: f.spring, label: '永安社区 公告栏', placeId: f.yongan, scans: 40, submissions: 3 },
      { id: f.qrs.qingfeng, campaignId: f.spring, label: '庆丰社区 活动室', placeId: f.qingfeng, scans: 0, submissions: 0 },
      { id: f.qrs.office, campaignId: f.spring, label: '街道办 大厅', placeId: null, scans: 5, submissions: 1 },
    ]);
  });

  test('issues, claims, ratings, supports and appeals', async () => {
    expect(await repo.issues(whole())).toEqual({ byStatus: { resolved: 1, accepted: 1, new: 1 }, claimed: 1, claimers: { member: 1, unit: 0 } });
    expect(await repo.ratings(whole())).toEqual({ satisfied: 1, basically: 0, unsatisfied: 0 });
    expect(await repo.voice(whole())).toEqual({ supports: 2, appeals: { open: 1, upheld: 0, reopened: 0 } });
    const qingfeng: DashboardSlice = { campaignIds: [f.spring], communityIds: [f.qingfeng], includeUnplaced: false };
    expect(await repo.issues(qingfeng)).toEqual({ byStatus: { new: 1 }, claimed: 0, claimers: { member: 0, unit: 0 } });
    expect(await repo.voice(qingfeng)).toEqual({ supports: 0, appeals: { open: 1, upheld: 0, reopened: 0 } });
  });

  test('the same figures per community', async () => {
    const rows = (await repo.perCommunity(whole())).sort((a, b) => a.communityId - b.communityId);
    const none = { satisfied: 0, basically: 0, unsatisfied: 0 };
    expect(rows).toEqual([
      { communityId: 0, submissions: 1, wishes: 0, byStatus: {}, claimed: 0, ratings: none },
      { communityId: f.yongan, submissions: 3, wishes: 1, byStatus: { resolved: 1, accepted: 1 }, claimed: 1, ratings: { ...none, satisfied: 1 } },
      { communityId: f.qingfeng, submissions: 1, wishes: 0, byStatus: { new: 1 }, claimed: 0, ratings: none },
    ].sort((a, b) => a.communityId - b.communityId));
  });

  test('campaign dates, a sub-district\'s campaigns and the category names', async () => {
    expect(await repo.firstCampaignStart([f.spring, f.winter])).toBe('2025-12-15');
    expect(await repo.firstCampaignStart([])).toBeNull();
    expect(await repo.campaignIdsOfSubdistrict(f.subdistrict)).toEqual([f.winter, f.spring]);
    const names = await repo.categoryNames();
    expect(names.get(f.cats.environment)).toBe('环境卫生');
    expect([...names.keys()].length).toBeGreaterThanOrEqual(2);
  });
});
