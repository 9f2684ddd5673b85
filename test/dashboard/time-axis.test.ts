import { sqliteEngine } from '../../src/db/engine';
import { columnChart, yearMarks } from '../../src/charts/svg';
import { campaignSlice, subdistrictSlice, type Reach } from '../../src/access/rules';
import { createDashboardRepo } from '../../src/dashboard/repo';
import type { DailyCount } from '../../src/dashboard/repo';
import {
  createDashboardService, defaultTimeUnit, earlierBar, earlierDays, splitEarlier, timeSeries,
} from '../../src/dashboard/service';
import { openDb, type Db } from '../../src/db/open-db';
import { createPlaceRepo } from '../../src/places/repo';
import { loginAs, type TestApp } from '../helpers/app';
import { insertCampaign, insertSubmission } from '../helpers/factories';
import { seedDashboard, type DashboardSeed, useDashboardFixture } from '../helpers/dashboard-factories';

/**
 * The dashboard's time axis (issue 8, item 5): years on the axis when the range crosses one, and a few
 * old-dated submissions kept from stretching the chart (and the caption) over years of empty columns.
 * The chart counts by collection date (collected_on, else the day received; migration 040).
 */

const d = (day: string, n: number): DailyCount => ({ day, channel: 'door_to_door', kind: 'suggestion', n });
/** n submissions on each of the days from `from`, one day apart. */
const run = (from: string, days: number, n: number) =>
  Array.from({ length: days }, (_, i) => d(new Date(Date.parse(from + 'T00:00:00Z') + i * 86400000).toISOString().slice(0, 10), n));

describe('setting apart the far earlier days', () => {
  const campaign = run('2026-03-01', 20, 2); // 40 submissions in March 2026

  it('sets apart the days before the campaign began, and says so', () => {
    const daily = [d('2023-11-02', 2), d('2023-11-10', 1), ...campaign];
    const split = splitEarlier(daily, '2026-03-01');
    expect(split.earlier).toEqual([d('2023-11-02', 2), d('2023-11-10', 1)]);
    expect(split.main).toEqual(campaign);
    const e = earlierDays(split.earlier, split.reason, '2026-03-01', 1);
    expect(e).toEqual({ count: 3, from: '2023-11-02', to: '2023-11-10', reason: '早于活动开始日期 2026-03-01' });
    expect(earlierBar(e!)).toEqual({ label: '更早', value: 3, title: '更早（2023-11-02 至 2023-11-10，早于活动开始日期 2026-03-01）', apart: true });
    // Over several campaigns the start is the earliest one's.
    expect(earlierDays(split.earlier, split.reason, '2026-03-01', 3)!.reason).toBe('早于最早一次征求意见的开始日期 2026-03-01');
  });

  it('without a useful start date, sets apart a small early group followed by a long empty stretch', () => {
    const daily = [d('2024-01-15', 2), ...campaign];
    const split = splitEarlier(daily, '2020-01-01');
    expect(split.earlier).toEqual([d('2024-01-15', 2)]);
    expect(earlierDays(split.earlier, split.reason, '2020-01-01', 1)).toEqual({ count: 2, from: '2024-01-15', to: '2024-01-15', reason: '比其余意见早很多' });
    expect(earlierBar(earlierDays(split.earlier, split.reason, null, 1)!).title).toBe('更早（2024-01-15，比其余意见早很多）');
  });

  it('keeps a real earlier round, a short pause, and a campaign that mostly predates its start date', () => {
    // Two rounds a year apart, the first with 20 of 60 submissions: not "a few".
    const rounds = [...run('2025-03-01', 10, 2), ...campaign];
    expect(splitEarlier(rounds, '2025-03-01').earlier).toEqual([]);
    // A month without entries is a pause, not an outlier.
    expect(splitEarlier([d('2026-01-20', 1), ...campaign], null).earlier).toEqual([]);
    // Most entries before the start (a start date set wrong): nothing is hidden in "更早".
    expect(splitEarlier([...run('2025-12-01', 30, 2), d('2026-03-02', 1)], '2026-03-01').earlier).toEqual([]);
    // Everything before the start: still drawn as it is.
    expect(splitEarlier([d('2023-11-02', 1)], '2026-03-01')).toMatchObject({ main: [d('2023-11-02', 1)], earlier: [] });
  });

  it('an outlier no longer turns a three-week campaign into a weekly chart over three years', () => {
    const daily = [d('2023-11-02', 1), ...run('2026-03-01', 21, 3)];
    expect(defaultTimeUnit(daily)).toBe('week');
    const { main } = splitEarlier(daily, '2026-03-01');
    expect(defaultTimeUnit(main)).toBe('day');
    expect(timeSeries(main, 'day').bars).toHaveLength(21);
    expect(timeSeries(daily, 'day').bars.length).toBeGreaterThan(800);
  });
});

describe('the years on the time axis', () => {
  const winter = timeSeries([d('2025-12-29', 3), d('2026-01-02', 5), d('2026-01-09', 1)], 'day').bars;

  it('each column carries its full date; labels stay MM-DD', () => {
    expect(winter[0]).toEqual({ label: '12-29', value: 3, date: '2025-12-29' });
    expect(winter[3]).toEqual({ label: '01-01', value: 0, date: '2026-01-01' });
  });

  it('shows the year at the first column and where a new year begins, with a tick at the boundary', () => {
    const svg = columnChart({ id: 'w', title: '每天收到的意见', bars: winter, width: 640 }).markup;
    expect(svg).toContain('>2025年</text>');
    expect(svg).toContain('>2026年</text>');
    expect(yearMarks(winter, 640 / winter.length, 11)).toEqual([
      { index: 0, text: '2025年', boundary: false }, { index: 3, text: '2026年', boundary: true },
    ]);
    // Titles and the description name full dates.
    expect(svg).toContain('<title>2026-01-02：5</title>');
    expect(svg).toMatch(/<desc id="w-d">每天收到的意见：2025-12-29 3，/);
  });

  it('shows no year row within one year (the caption gives it)', () => {
    const march = timeSeries([d('2026-03-01', 1), d('2026-03-05', 2)], 'day').bars;
    const svg = columnChart({ id: 'm', title: 't', bars: march }).markup;
    expect(svg).not.toMatch(/\d{4}年/);
    expect(yearMarks(march, 50, 11)).toEqual([]);
  });

  it('where two years would overlap, keeps the one where the new year begins', () => {
    const bars = timeSeries([d('2025-12-31', 1), d('2026-03-31', 1)], 'day').bars; // 91 columns
    expect(yearMarks(bars, 4, 11)).toEqual([{ index: 1, text: '2026年', boundary: true }]);
    expect(yearMarks(bars, 40, 11)).toHaveLength(2);
  });

  it('draws the "更早" column grey, set off by a dashed line, with its range in the title', () => {
    const e = { count: 3, from: '2023-11-02', to: '2023-11-10', reason: '早于活动开始日期 2026-03-01' };
    const bars = [earlierBar(e), ...timeSeries(run('2026-03-01', 5, 2), 'day').bars];
    const svg = columnChart({ id: 'o', title: '每天收到的意见', bars, unit: '条' }).markup;
    expect(svg).toContain('<title>更早（2023-11-02 至 2023-11-10，早于活动开始日期 2026-03-01）：3条</title>');
    expect(svg).toMatch(/<rect [^>]*fill="#9aa0a8"\/>/);
    expect(svg.match(/fill="#9aa0a8"/g)).toHaveLength(1);
    expect(svg).toContain('stroke-dasharray="3 3"');
    expect(svg).toContain('>更早</text>');
    expect(svg).not.toMatch(/\d{4}年/); // the series itself lies in one year
  });
});

const reachAll = { scopePlaceId: null, reach: { communityIds: 'all', gridIds: null, serves: [], scopeKind: null } as Reach };

describe('the dashboard with old-dated submissions', () => {
  let db: Db;
  let seed: DashboardSeed;
  let service: ReturnType<typeof createDashboardService>;
  beforeAll(() => {
    db = openDb({ file: ':memory:' });
    seed = seedDashboard(db);
    // Two paper forms of November 2023 typed in with their dates (confirmed at entry), in a March 2026 campaign.
    for (const day of ['2023-11-02', '2023-11-10']) {
      insertSubmission(db, { campaignId: seed.campaignId, communityId: seed.yongan, channel: 'door_to_door', collectedOn: day, createdAt: '2026-03-05T02:00:00.000Z' });
    }
    const queries = sqliteEngine(db).queries;
    service = createDashboardService({ repo: createDashboardRepo(queries), places: createPlaceRepo(queries) });
  });
  afterAll(() => db.close());

  it('counts them in every figure, draws them as one "更早" column and keeps the period to the campaign', async () => {
    const dash = await service.build(campaignSlice(reachAll, 'manage', [seed.campaignId]));
    expect(dash.figures.submissions).toBe(12);
    expect(dash.earlier).toEqual({ count: 2, from: '2023-11-02', to: '2023-11-10', reason: '早于活动开始日期 2026-03-01' });
    expect(dash.period).toEqual({ from: '2026-03-01', to: '2026-03-10' });
    expect(dash.timeUnit).toBe('day');
    expect(dash.overTime[0]).toMatchObject({ label: '更早', value: 2, apart: true });
    // The rest is the same chart as without them.
    expect(dash.overTime.slice(1).map((b) => b.value)).toEqual([1, 3, 0, 1, 0, 0, 0, 0, 2, 3]);
  });

  it('a sub-district over two campaigns a year apart shows both, with the years on the axis', async () => {
    const winter = insertCampaign(db, {
      subdistrictId: seed.subdistrict, title: '冬季走访', description: '', startsOn: '2025-12-15', endsOn: '2026-01-20',
      askPhoto: false, askContact: false, communityIds: [seed.yongan], categoryIds: [], status: 'closed',
    });
    for (const day of ['2025-12-20', '2025-12-28', '2026-01-05', '2026-01-12']) {
      for (let i = 0; i < 3; i++) insertSubmission(db, { campaignId: winter, communityId: seed.yongan, channel: 'door_to_door', collectedOn: day });
    }
    const slice = subdistrictSlice(reachAll, [seed.yongan, seed.qingfeng], seed.subdistrict, [seed.campaignId, winter])!;
    const dash = await service.build(slice);
    expect(dash.period).toEqual({ from: '2025-12-20', to: '2026-03-10' });
    expect(dash.earlier?.reason).toBe('早于最早一次征求意见的开始日期 2025-12-15');
    expect(dash.timeUnit).toBe('week');
    const svg = columnChart({ id: 's', title: 't', bars: dash.overTime, width: 900 }).markup;
    expect(svg).toContain('>2025年</text>');
    expect(svg).toContain('>2026年</text>');
  });
});

describe('the dashboard page', () => {
  let t: TestApp;
  let seed: DashboardSeed;
  useDashboardFixture((made) => ({ t, seed } = made));

  it('says when the opinions were collected without starting years early, and mentions the earlier ones', async () => {
    const admin = await loginAs(t, 'admin');
    const plain = (await admin.get(`/campaigns/${seed.campaignId}/dashboard`).expect(200)).text;
    expect(plain).toContain('意见收集时间 2026-03-01 至 2026-03-10。');
    expect(plain).not.toContain('收集日期更早');

    insertSubmission(t.db, { campaignId: seed.campaignId, communityId: seed.yongan, channel: 'door_to_door', collectedOn: '2023-11-02' });
    const page = (await admin.get(`/campaigns/${seed.campaignId}/dashboard`).expect(200)).text;
    expect(page).toContain('意见收集时间 2026-03-01 至 2026-03-10。');
    expect(page).toContain('另有 1 条的收集日期更早（2023-11-02，早于活动开始日期 2026-03-01），已计入各项数字，在时间图中合为“更早”一栏。');
    expect(page).toContain('<title>更早（2023-11-02，早于活动开始日期 2026-03-01）：1</title>');
    expect(page).toMatch(/<strong>11<\/strong><span>收集意见/);
    expect(page).toContain('每天收到的意见'); // still by day, not stretched into weeks
  });
});
