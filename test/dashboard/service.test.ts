import { sqliteEngine } from '../../src/db/engine';
import { openDb, type Db } from '../../src/db/open-db';
import { createPlaceRepo } from '../../src/places/repo';
import { createDashboardRepo } from '../../src/dashboard/repo';
import {
  categoryBars, communityBars, createDashboardService, percent, qrRows, ratingFigures,
  submissionTotals, timeSeries, weekStart,
} from '../../src/dashboard/service';
import { seedDashboard, type DashboardSeed } from '../helpers/dashboard-factories';
import { campaignSlice, narrowToCommunity, type Reach } from '../../src/access/rules';

const reachOf = (communityIds: Reach['communityIds']) => ({ reach: { communityIds, gridIds: null, serves: [], scopeKind: null } as Reach });

describe('pure figures', () => {
  it('splits totals into online/offline and wishes', () => {
    const t = submissionTotals([
      { day: '2026-03-01', channel: 'online', kind: 'suggestion', n: 5 },
      { day: '2026-03-01', channel: 'online', kind: 'wish', n: 2 },
      { day: '2026-03-02', channel: 'meeting', kind: 'wish', n: 3 },
      { day: '2026-03-02', channel: 'hotline', kind: 'suggestion', n: 1 },
    ]);
    expect(t).toMatchObject({ total: 11, online: 7, offline: 4, wishes: 5, suggestions: 6 });
    expect(t.byChannel).toEqual({ online: 7, door_to_door: 0, meeting: 3, paper_survey: 0, city_app: 0, hotline: 1 });
  });

  it('weeks start on Monday', () => {
    expect(weekStart('2026-03-01')).toBe('2026-02-23'); // a Sunday
    expect(weekStart('2026-03-02')).toBe('2026-03-02'); // a Monday
    expect(weekStart('2026-03-08')).toBe('2026-03-02');
  });

  it('fills empty days with zero between the first and last day', () => {
    const d = (day: string, n: number) => ({ day, channel: 'online' as const, kind: 'suggestion' as const, n });
    const s = timeSeries([d('2026-03-03', 2), d('2026-03-01', 1), d('2026-03-03', 1)], 'day');
    expect(s.bars).toEqual([
      { label: '03-01', value: 1, date: '2026-03-01' }, { label: '03-02', value: 0, date: '2026-03-02' }, { label: '03-03', value: 3, date: '2026-03-03' },
    ]);
    expect(s.period).toEqual({ from: '2026-03-01', to: '2026-03-03' });
    expect(timeSeries([], 'day')).toEqual({ bars: [], period: null });
  });

  it('sorts categories by count (office order between equals) and puts uncategorized and unplaced last', () => {
    const names = new Map([[1, '环境卫生'], [2, '设施维修'], [3, '其他'], [4, '停车交通']]);
    const counts = [
      { categoryId: 3, communityId: 10, n: 4 }, { categoryId: 1, communityId: 10, n: 1 }, { categoryId: 1, communityId: 11, n: 2 },
      { categoryId: 0, communityId: 0, n: 5 }, { categoryId: 4, communityId: 11, n: 3 },
    ];
    expect(categoryBars(counts, names)).toEqual([
      { label: '其他', value: 4 }, { label: '环境卫生', value: 3 }, { label: '停车交通', value: 3 }, { label: '未分类', value: 5 },
    ]);
    expect(communityBars(counts, (id) => ({ 10: '永安社区', 11: '庆丰社区' } as Record<number, string>)[id]))
      .toEqual([{ label: '庆丰社区', value: 5 }, { label: '永安社区', value: 5 }, { label: '未填社区', value: 5 }]);
  });

  it('computes conversion per QR code and ranks the posters that worked first', () => {
    const rows = qrRows([
      { id: 1, campaignId: 1, label: 'a', placeId: null, scans: 0, submissions: 0, place: '' },
      { id: 2, campaignId: 1, label: 'b', placeId: null, scans: 50, submissions: 5, place: '' },
      { id: 3, campaignId: 1, label: 'c', placeId: null, scans: 10, submissions: 8, place: '' },
    ]);
    expect(rows.map((r) => [r.label, r.conversion])).toEqual([['c', 0.8], ['b', 0.1], ['a', null]]);
  });

  it('satisfaction is the share of satisfied plus basically satisfied among all ratings', () => {
    expect(ratingFigures({ satisfied: 6, basically: 2, unsatisfied: 2 })).toMatchObject({ total: 10, satisfiedShare: 0.8 });
    expect(ratingFigures({ satisfied: 0, basically: 0, unsatisfied: 0 }).satisfiedShare).toBeNull();
    expect(percent(2 / 3)).toBe('66.7%');
    expect(percent(null)).toBe('—');
  });
});

describe('dashboard on a known dataset', () => {
  let db: Db;
  let seed: DashboardSeed;
  let service: ReturnType<typeof createDashboardService>;
  beforeAll(() => {
    db = openDb({ file: ':memory:' });
    seed = seedDashboard(db);
    const queries = sqliteEngine(db).queries;
    service = createDashboardService({ repo: createDashboardRepo(queries), places: createPlaceRepo(queries), pendingScans: (id) => (id === seed.qr.office ? 3 : 0) });
  });
  afterAll(() => db.close());

  it('gives the figures the office reports upward for the whole campaign', async () => {
    const d = await service.build(campaignSlice(reachOf('all'), 'manage', [seed.campaignId]));
    expect(d.figures).toEqual({
      qrCodes: 4, scans: 58, submissions: 10, online: 7, offline: 3, wishes: 2, suggestions: 8,
      issues: 4, claimed: 2, resolved: 1, declined: 1, resolutionRate: 0.25,
      ratings: { satisfied: 1, basically: 1, unsatisfied: 1, total: 3, satisfiedShare: 2 / 3 },
      claimers: { member: 1, unit: 1 },
      voice: { supports: 0, appeals: { open: 0, upheld: 0, reopened: 0 } },
    });
    expect(d.byCategory).toEqual([
      { label: '环境卫生', value: 3 }, { label: '停车交通', value: 2 }, { label: '养老服务', value: 2 },
      { label: '设施维修', value: 1 }, { label: '其他', value: 1 }, { label: '未分类', value: 1 },
    ]);
    expect(d.byCommunity).toEqual([{ label: '永安社区', value: 5 }, { label: '庆丰社区', value: 4 }, { label: '未填社区', value: 1 }]);
    expect(d.byChannel.map((b) => [b.label, b.value])).toEqual([
      ['线上扫码', 7], ['入户走访', 1], ['民情恳谈会', 1], ['需求调查表', 0], ['郑好拍', 0], ['12345热线', 1],
    ]);
    // Collected on 03-01 (door to door), received in China time (20:00 UTC on the 3rd is the 4th).
    expect(d.timeUnit).toBe('day');
    expect(d.overTime.map((b) => b.value)).toEqual([1, 3, 0, 1, 0, 0, 0, 0, 2, 3]);
    expect(d.overTime[0].label).toBe('03-01');
    expect(d.period).toEqual({ from: '2026-03-01', to: '2026-03-10' });
    expect(d.qrCodes.map((q) => [q.label, q.scans, q.submissions, q.conversion])).toEqual([
      ['永安社区 3号楼公告栏', 40, 4, 0.1], ['庆丰第二网格 门岗', 10, 2, 0.2], ['街道办 大厅', 8, 1, 0.125], ['庆丰社区 活动室', 0, 0, null],
    ]);
  });

  it('groups per week on request', async () => {
    const d = await service.build(campaignSlice(reachOf('all'), 'manage', [seed.campaignId]), 'week');
    expect(d.overTime).toEqual([
      { label: '02-23', value: 1, date: '2026-02-23' }, { label: '03-02', value: 4, date: '2026-03-02' }, { label: '03-09', value: 5, date: '2026-03-09' },
    ]);
  });

  it('a community\'s staff see only their community: no unplaced submissions or codes, no other community\'s issues', async () => {
    const slice = campaignSlice(reachOf([seed.qingfeng]), 'view', [seed.campaignId]);
    const d = await service.build(slice);
    expect(d.figures).toMatchObject({
      qrCodes: 2, scans: 10, submissions: 4, online: 2, offline: 2, wishes: 1, issues: 2, claimed: 0, resolved: 0, resolutionRate: 0,
      ratings: { satisfied: 0, basically: 0, unsatisfied: 1, total: 1, satisfiedShare: 0 }, claimers: { member: 0, unit: 0 },
    });
    expect(d.byCommunity).toEqual([{ label: '庆丰社区', value: 4 }]);
  });

  it('the community filter narrows within the scope and never widens it', async () => {
    const all = campaignSlice(reachOf('all'), 'manage', [seed.campaignId]);
    expect((await service.build(narrowToCommunity(all, seed.yongan))).figures).toMatchObject({ submissions: 5, qrCodes: 1, issues: 2, resolved: 1 });
    const qingfengOnly = campaignSlice(reachOf([seed.qingfeng]), 'view', [seed.campaignId]);
    expect((await service.build(narrowToCommunity(qingfengOnly, seed.yongan))).figures).toMatchObject({ submissions: 0, qrCodes: 0, issues: 0 });
  });
});
