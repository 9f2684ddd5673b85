import type { Bar } from '../charts/svg';
import type { Place } from '../places/repo';
import { CHANNELS, CHANNEL_LABELS, type Channel } from '../submissions/types';
import type {
  CategoryCount, ClaimerCounts, CommunityCounts, DailyCount, DashboardRepo, DashboardSlice, IssueCounts, QrCount, RatingCounts, VoiceCounts,
} from './repo';

export type TimeUnit = 'day' | 'week';

export interface Figures {
  qrCodes: number;
  scans: number;
  submissions: number;
  online: number;
  offline: number;
  wishes: number;
  suggestions: number;
  issues: number;
  claimed: number;
  resolved: number;
  declined: number;
  /** resolved / issues, or null when there are no issues yet. */
  resolutionRate: number | null;
  ratings: RatingCounts & { total: number; /** (satisfied + basically) / total, or null with no ratings. */ satisfiedShare: number | null };
  claimers: ClaimerCounts;
  /** 附议 and appeals (申请复核) with how they ended. */
  voice: VoiceCounts;
}

export interface QrRow { id: number; label: string; place: string; scans: number; submissions: number; conversion: number | null }

export interface Dashboard {
  figures: Figures;
  byCategory: Bar[];
  byCommunity: Bar[];
  byChannel: Bar[];
  /** The time chart's columns: a grey "更早" column first when some days lie far before the rest. */
  overTime: Bar[];
  timeUnit: TimeUnit;
  /** First and last day with submissions (YYYY-MM-DD), for the caption; without the far earlier days. */
  period: { from: string; to: string } | null;
  /** Submissions dated far before the rest (see splitEarlier): counted in every figure, one column in the chart. */
  earlier: EarlierDays | null;
  qrCodes: QrRow[];
}

export interface EarlierDays {
  count: number;
  from: string;
  to: string;
  /** Why they are set apart, for the caption: "早于活动开始日期 2026-03-01" or "比其余意见早很多". */
  reason: string;
}

export const UNPLACED_LABEL = '未填社区';
export const EARLIER_LABEL = '更早';
export const UNCATEGORIZED_LABEL = '未分类';

/** Totals, online/offline and small wishes from the per-day counts. */
export function submissionTotals(daily: DailyCount[]) {
  const byChannel = Object.fromEntries(CHANNELS.map((c) => [c, 0])) as Record<Channel, number>;
  let total = 0;
  let wishes = 0;
  for (const r of daily) {
    total += r.n;
    if (r.kind === 'wish') wishes += r.n;
    if (r.channel in byChannel) byChannel[r.channel] += r.n;
  }
  const online = byChannel.online;
  return { total, online, offline: total - online, wishes, suggestions: total - wishes, byChannel };
}

export function channelBars(byChannel: Record<Channel, number>): Bar[] {
  return CHANNELS.map((c) => ({ label: CHANNEL_LABELS[c], value: byChannel[c] }));
}

const addDaysUtc = (day: string, n: number) => new Date(Date.parse(day + 'T00:00:00Z') + n * 86400000).toISOString().slice(0, 10);
const daysBetween = (a: string, b: string) => Math.round((Date.parse(b + 'T00:00:00Z') - Date.parse(a + 'T00:00:00Z')) / 86400000);
const isDay = (s: string) => /^\d{4}-\d{2}-\d{2}$/.test(s);

/** An empty stretch longer than this before the bulk of the days sets the days before it apart. */
export const EARLY_GAP_DAYS = 60;
/** …provided they are few: at most this share of all submissions (or 3, on a small campaign). */
export const EARLY_SHARE = 0.05;

/**
 * Sets apart the days that lie far before the bulk, so that a few old-dated entries (a 2023 paper form
 * typed in with its date) do not stretch the time chart over years of empty columns:
 *  1. days before the campaign began (`startsOn`: the earliest start of the campaigns counted), when fewer
 *     submissions lie there than after it;
 *  2. of the rest, a small early group (≤ 5 %, or ≤ 3 submissions; and fewer than what follows) separated
 *     from the later days by more than 60 empty days: for dashboards over several campaigns, or a campaign
 *     whose start lies long before it was used.
 * Nothing is set apart when that would leave no days. Malformed days are dropped, as timeSeries does.
 */
export function splitEarlier(daily: DailyCount[], startsOn: string | null): { main: DailyCount[]; earlier: DailyCount[]; reason: 'beforeStart' | 'gap' | null } {
  const valid = daily.filter((d) => isDay(d.day));
  const sum = (rows: DailyCount[]) => rows.reduce((a, d) => a + d.n, 0);
  let main = valid;
  let earlier: DailyCount[] = [];
  let reason: 'beforeStart' | 'gap' | null = null;
  if (startsOn) {
    const before = valid.filter((d) => d.day < startsOn);
    const after = valid.filter((d) => d.day >= startsOn);
    if (before.length && after.length && sum(before) < sum(after)) {
      main = after;
      earlier = before;
      reason = 'beforeStart';
    }
  }
  const perDay = new Map<string, number>();
  for (const d of main) perDay.set(d.day, (perDay.get(d.day) ?? 0) + d.n);
  const days = [...perDay.keys()].sort();
  const total = sum(main);
  const allowed = Math.max(3, Math.floor(total * EARLY_SHARE));
  let prefix = 0;
  let cut: string | null = null;
  for (let i = 1; i < days.length; i++) {
    prefix += perDay.get(days[i - 1])!;
    if (prefix > allowed || prefix >= total - prefix) break;
    if (daysBetween(days[i - 1], days[i]) > EARLY_GAP_DAYS) cut = days[i];
  }
  if (cut) {
    const c = cut;
    earlier = [...earlier, ...main.filter((d) => d.day < c)];
    main = main.filter((d) => d.day >= c);
    reason = reason ?? 'gap';
  }
  return { main, earlier, reason };
}

/** The caption's account of the days set apart, or null when there are none. */
export function earlierDays(earlier: DailyCount[], reason: 'beforeStart' | 'gap' | null, startsOn: string | null, campaigns: number): EarlierDays | null {
  if (earlier.length === 0) return null;
  const days = earlier.map((d) => d.day).sort();
  const allBeforeStart = reason === 'beforeStart' && startsOn !== null && days[days.length - 1] < startsOn;
  return {
    count: earlier.reduce((a, d) => a + d.n, 0),
    from: days[0],
    to: days[days.length - 1],
    reason: allBeforeStart ? `早于${campaigns > 1 ? '最早一次征求意见的' : '活动'}开始日期 ${startsOn}` : '比其余意见早很多',
  };
}

/** The grey "更早" column in front of the time chart. */
export function earlierBar(e: EarlierDays): Bar {
  const range = e.from === e.to ? e.from : `${e.from} 至 ${e.to}`;
  return { label: EARLIER_LABEL, value: e.count, title: `${EARLIER_LABEL}（${range}，${e.reason}）`, apart: true };
}

/** The Monday of the week a day falls in (weeks in China start on Monday). */
export function weekStart(day: string): string {
  const dow = new Date(day + 'T00:00:00Z').getUTCDay(); // 0 = Sunday
  return addDaysUtc(day, -((dow + 6) % 7));
}

/** A long period shows per week by default: 60 daily columns still read well, 200 do not. (Pass the days without the far earlier ones.) */
export function defaultTimeUnit(daily: DailyCount[]): TimeUnit {
  if (daily.length === 0) return 'day';
  const days = daily.map((d) => d.day).sort();
  const span = (Date.parse(days[days.length - 1] + 'T00:00:00Z') - Date.parse(days[0] + 'T00:00:00Z')) / 86400000 + 1;
  return span > 62 ? 'week' : 'day';
}

/**
 * Submissions per day or per week from the first to the last day with any, with the empty days in between
 * shown as zero (a gap is information: nobody collected that week). Labels are MM-DD (the Monday for weeks);
 * each column carries its full date, so the chart can show the years when the range crosses one.
 */
export function timeSeries(daily: DailyCount[], unit: TimeUnit): { bars: Bar[]; period: { from: string; to: string } | null } {
  const valid = daily.filter((d) => /^\d{4}-\d{2}-\d{2}$/.test(d.day));
  if (valid.length === 0) return { bars: [], period: null };
  const totals = new Map<string, number>();
  for (const d of valid) {
    const key = unit === 'week' ? weekStart(d.day) : d.day;
    totals.set(key, (totals.get(key) ?? 0) + d.n);
  }
  const keys = [...totals.keys()].sort();
  const days = valid.map((d) => d.day).sort();
  const step = unit === 'week' ? 7 : 1;
  const bars: Bar[] = [];
  // Bounded, so a stray far-off date cannot make a chart of ten thousand columns.
  for (let k = keys[0], i = 0; k <= keys[keys.length - 1] && i < 1000; k = addDaysUtc(k, step), i++) {
    bars.push({ label: k.slice(5), value: totals.get(k) ?? 0, date: k });
  }
  return { bars, period: { from: days[0], to: days[days.length - 1] } };
}

/**
 * Categories with the most submissions first (the office's order between equal counts), counting only those
 * with submissions; 未分类 last, as it is not a category.
 */
export function categoryBars(counts: CategoryCount[], names: Map<number, string>): Bar[] {
  const totals = new Map<number, number>();
  for (const c of counts) totals.set(c.categoryId, (totals.get(c.categoryId) ?? 0) + c.n);
  const bars: Bar[] = [];
  for (const [id, name] of names) if (totals.get(id)) bars.push({ label: name, value: totals.get(id)! });
  for (const [id, n] of totals) {
    if (n && id !== 0 && !names.has(id)) bars.push({ label: `分类#${id}`, value: n });
  }
  // Array.prototype.sort is stable: equal counts keep the office's order.
  bars.sort((a, b) => b.value - a.value);
  if (totals.get(0)) bars.push({ label: UNCATEGORIZED_LABEL, value: totals.get(0)! });
  return bars;
}

/** Communities with the most submissions first; submissions with no community last. */
export function communityBars(counts: CategoryCount[], placeName: (id: number) => string | undefined): Bar[] {
  const totals = new Map<number, number>();
  for (const c of counts) totals.set(c.communityId, (totals.get(c.communityId) ?? 0) + c.n);
  const placed = [...totals].filter(([id, n]) => id !== 0 && n)
    .map(([id, n]) => ({ label: placeName(id) ?? `社区#${id}`, value: n }))
    .sort((a, b) => b.value - a.value || a.label.localeCompare(b.label, 'zh-CN'));
  const unplaced = totals.get(0);
  return unplaced ? [...placed, { label: UNPLACED_LABEL, value: unplaced }] : placed;
}

export function ratio(part: number, whole: number): number | null {
  return whole > 0 ? part / whole : null;
}

/** 0.8765 → "87.7%"; null → "—". */
export function percent(r: number | null): string {
  return r === null ? '—' : `${(Math.round(r * 1000) / 10).toFixed(1)}%`;
}

export function issueFigures(issues: IssueCounts) {
  const total = Object.values(issues.byStatus).reduce((a, b) => a + b, 0);
  const resolved = issues.byStatus.resolved ?? 0;
  return { issues: total, claimed: issues.claimed, resolved, declined: issues.byStatus.declined ?? 0, resolutionRate: ratio(resolved, total) };
}

export function ratingFigures(r: RatingCounts): Figures['ratings'] {
  const total = r.satisfied + r.basically + r.unsatisfied;
  return { ...r, total, satisfiedShare: ratio(r.satisfied + r.basically, total) };
}

/** A row of the per-community table; the same definitions as the headline figures (issueFigures, ratingFigures). */
export interface CommunityRow {
  id: number;
  name: string;
  suggestions: number;
  issues: number;
  claimed: number;
  resolved: number;
  /** resolved / issues, or null with no issues. */
  resolutionRate: number | null;
  /** (satisfied + basically) / ratings, or null with no ratings. */
  satisfiedShare: number | null;
  ratings: number;
}

/**
 * The per-community table of a dashboard: every community in view (a community with nothing yet is
 * information too), most suggestions first, then 未填社区 when anything lacks a community; and the total row,
 * which adds up to the headline figures.
 */
export function communityRows(counts: CommunityCounts[], communityIds: number[], placeName: (id: number) => string | undefined): { rows: CommunityRow[]; total: CommunityRow } {
  const byId = new Map(counts.map((c) => [c.communityId, c]));
  const toRow = (id: number, name: string, c: CommunityCounts | undefined): CommunityRow => {
    const issues = issueFigures({ byStatus: c?.byStatus ?? {}, claimed: c?.claimed ?? 0, claimers: { member: 0, unit: 0 } });
    const ratings = ratingFigures(c?.ratings ?? { satisfied: 0, basically: 0, unsatisfied: 0 });
    return {
      id, name, suggestions: (c?.submissions ?? 0) - (c?.wishes ?? 0), issues: issues.issues, claimed: issues.claimed,
      resolved: issues.resolved, resolutionRate: issues.resolutionRate, satisfiedShare: ratings.satisfiedShare, ratings: ratings.total,
    };
  };
  const ids = [...new Set([...communityIds, ...counts.map((c) => c.communityId).filter((id) => id !== 0)])];
  const rows = ids.map((id) => toRow(id, placeName(id) ?? `社区#${id}`, byId.get(id)))
    .sort((a, b) => b.suggestions - a.suggestions || b.issues - a.issues || a.name.localeCompare(b.name, 'zh-CN'));
  const unplaced = byId.get(0);
  if (unplaced) {
    const r = toRow(0, UNPLACED_LABEL, unplaced);
    if (r.suggestions || r.issues || r.ratings) rows.push(r);
  }
  const sum: CommunityCounts = { communityId: -1, submissions: 0, wishes: 0, byStatus: {}, claimed: 0, ratings: { satisfied: 0, basically: 0, unsatisfied: 0 } };
  for (const c of counts) {
    sum.submissions += c.submissions;
    sum.wishes += c.wishes;
    sum.claimed += c.claimed;
    for (const [k, n] of Object.entries(c.byStatus)) sum.byStatus[k] = (sum.byStatus[k] ?? 0) + n;
    for (const k of ['satisfied', 'basically', 'unsatisfied'] as const) sum.ratings[k] += c.ratings[k];
  }
  return { rows, total: toRow(-1, '合计', sum) };
}

/** The per-poster table: the codes that brought most submissions first; conversion = submissions / scans. */
export function qrRows(codes: Array<QrCount & { place: string }>): QrRow[] {
  return codes
    .map((q) => ({ id: q.id, label: q.label, place: q.place, scans: q.scans, submissions: q.submissions, conversion: ratio(q.submissions, q.scans) }))
    .sort((a, b) => b.submissions - a.submissions || b.scans - a.scans || a.id - b.id);
}

/** The community a place lies in: itself for a community, its parent for a grid or compound. */
export function communityOfPlace(placeId: number | null, places: Map<number, Place>): number | null {
  if (placeId === null) return null;
  const p = places.get(placeId);
  if (!p) return null;
  if (p.kind === 'community') return p.id;
  if ((p.kind === 'grid' || p.kind === 'compound') && p.parentId !== null) return p.parentId;
  return null;
}

export interface DashboardDeps {
  repo: DashboardRepo;
  places: { list(): Promise<Place[]> };
  /** Scans counted in memory and not yet written (the live part of scan_count). */
  pendingScans?: (qrCodeId: number) => number;
}

export function createDashboardService(deps: DashboardDeps) {
  const { repo } = deps;

  /** The QR codes whose place lies in the slice, with live scan counts and their place's name. */
  async function codesIn(slice: DashboardSlice, places: Map<number, Place>) {
    const visible = (c: number | null) => c === null ? slice.includeUnplaced
      : slice.communityIds === 'all' || slice.communityIds.includes(c);
    return (await repo.qrCodes(slice.campaignIds))
      .filter((q) => visible(communityOfPlace(q.placeId, places)))
      .map((q) => ({
        ...q,
        scans: q.scans + (deps.pendingScans?.(q.id) ?? 0),
        place: q.placeId !== null ? places.get(q.placeId)?.name ?? '' : '',
      }));
  }

  async function figuresOf(slice: DashboardSlice, totals: ReturnType<typeof submissionTotals>, codes: Array<{ scans: number }>): Promise<Figures> {
    const [issues, ratings, voice] = await Promise.all([repo.issues(slice), repo.ratings(slice), repo.voice(slice)]);
    return {
      qrCodes: codes.length,
      scans: codes.reduce((a, q) => a + q.scans, 0),
      submissions: totals.total,
      online: totals.online,
      offline: totals.offline,
      wishes: totals.wishes,
      suggestions: totals.suggestions,
      ...issueFigures(issues),
      ratings: ratingFigures(ratings),
      claimers: issues.claimers,
      voice,
    };
  }

  const placeMap = async () => new Map((await deps.places.list()).map((p) => [p.id, p]));

  return {
    /** The headline figures only (for the per-campaign table of a sub-district). */
    async figures(slice: DashboardSlice): Promise<Figures> {
      const places = await placeMap();
      const [daily, codes] = await Promise.all([repo.daily(slice), codesIn(slice, places)]);
      return figuresOf(slice, submissionTotals(daily), codes);
    },

    /** The per-community table for the communities in view (see communityRows). */
    async perCommunity(slice: DashboardSlice, communityIds: number[]) {
      const places = await placeMap();
      return communityRows(await repo.perCommunity(slice), communityIds, (id) => places.get(id)?.name);
    },

    async build(slice: DashboardSlice, unit?: TimeUnit): Promise<Dashboard> {
      const places = await placeMap();
      // The reads are independent: on PostgreSQL they run side by side; SQLite takes them in turn.
      const [daily, cats, startsOn, codes, names] = await Promise.all([
        repo.daily(slice), repo.categories(slice), repo.firstCampaignStart(slice.campaignIds), codesIn(slice, places), repo.categoryNames(),
      ]);
      const totals = submissionTotals(daily);
      // The chart and its caption cover the bulk of the days; the far earlier ones become one "更早" column.
      const split = splitEarlier(daily, startsOn);
      const earlier = earlierDays(split.earlier, split.reason, startsOn, slice.campaignIds.length);
      const chosenUnit = unit ?? defaultTimeUnit(split.main);
      const series = timeSeries(split.main, chosenUnit);
      return {
        figures: await figuresOf(slice, totals, codes),
        byCategory: categoryBars(cats, names),
        byCommunity: communityBars(cats, (id) => places.get(id)?.name),
        byChannel: channelBars(totals.byChannel),
        overTime: earlier ? [earlierBar(earlier), ...series.bars] : series.bars,
        timeUnit: chosenUnit,
        period: series.period,
        earlier,
        qrCodes: qrRows(codes),
      };
    },
  };
}
export type DashboardService = ReturnType<typeof createDashboardService>;
