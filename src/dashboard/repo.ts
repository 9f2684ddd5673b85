import type { Slice } from '../access/rules';
import { sql, type RawBuilder } from 'kysely';
import { all, one, type Queries } from '../db/engine';
import { dialectOf, inList } from '../db/dialect';
import type { Channel, SubmissionKind } from '../submissions/types';

/** What the dashboard counts: the slice's campaigns and communities (grids play no part in its summary tables). */
export type DashboardSlice = Pick<Slice, 'campaignIds' | 'communityIds' | 'includeUnplaced'>;

export interface DailyCount { day: string; channel: Channel; kind: SubmissionKind; n: number }
/** communityId / categoryId 0 = none given / not yet categorized. */
export interface CategoryCount { categoryId: number; communityId: number; n: number }
export interface QrCount { id: number; campaignId: number; label: string; placeId: number | null; scans: number; submissions: number }
export interface IssueCounts { byStatus: Record<string, number>; claimed: number; claimers: ClaimerCounts }
export interface ClaimerCounts { member: number; unit: number }
export interface RatingCounts { satisfied: number; basically: number; unsatisfied: number }
/** One community's counts for the per-community table (communityId 0 = none given). */
export interface CommunityCounts {
  communityId: number;
  submissions: number;
  wishes: number;
  byStatus: Record<string, number>;
  claimed: number;
  ratings: RatingCounts;
}

/** 附议 on the slice's issues, and residents' appeals (申请复核) by how they ended. */
export interface VoiceCounts { supports: number; appeals: { open: number; upheld: number; reopened: number } }

/**
 * Aggregates for the dashboard. Submission figures come from the summary tables that migration 040 keeps up
 * to date with triggers (a few thousand rows, however many submissions; on PostgreSQL each count is kept in
 * shards, so every read sums them); issue, claim and rating figures from their own small tables through their
 * indexes. Every read is one statement, whatever the number of rows.
 */
export function createDashboardRepo(on: Queries) {
  const d = dialectOf(on);
  /** `AND <column> IN (…)` for the slice's communities (nothing when it sees them all). */
  function communityClause(s: DashboardSlice, column: string, unplacedValue: 0 | null): RawBuilder<unknown> {
    if (s.communityIds === 'all') return sql``;
    const col = sql.ref(column);
    const unplaced = !s.includeUnplaced ? sql`` : unplacedValue === 0 ? sql` OR ${col} = 0` : sql` OR ${col} IS NULL`;
    return sql` AND (${col} IN ${inList(s.communityIds)}${unplaced})`;
  }
  /** The issues of the slice (alias i). */
  const issuesOf = (s: DashboardSlice) => sql`i.campaign_id IN ${inList(s.campaignIds)}${communityClause(s, 'i.community_id', null)}`;

  return {
    daily: (s: DashboardSlice): Promise<DailyCount[]> => all<DailyCount>(on, sql`SELECT day, channel, kind, SUM(n) AS n FROM submission_counts_daily
        WHERE campaign_id IN ${inList(s.campaignIds)}${communityClause(s, 'community_id', 0)}
        GROUP BY day, channel, kind HAVING SUM(n) <> 0 ORDER BY day`),

    categories: (s: DashboardSlice): Promise<CategoryCount[]> => all<CategoryCount>(on, sql`SELECT category_id AS "categoryId",
          community_id AS "communityId", SUM(n) AS n FROM submission_counts_category
        WHERE campaign_id IN ${inList(s.campaignIds)}${communityClause(s, 'community_id', 0)}
        GROUP BY category_id, community_id HAVING SUM(n) <> 0`),

    /** Every QR code of the campaigns with its stored scans and submissions (the caller filters by place). */
    qrCodes: (campaignIds: number[]): Promise<QrCount[]> => all<QrCount>(on, sql`SELECT q.id, q.campaign_id AS "campaignId", q.label,
          q.place_id AS "placeId", q.scan_count AS scans, COALESCE(c.n, 0) AS submissions
        FROM qr_codes q LEFT JOIN (SELECT qr_code_id, SUM(n) AS n FROM submission_counts_qr GROUP BY qr_code_id) c ON c.qr_code_id = q.id
        WHERE q.campaign_id IN ${inList(campaignIds)} ORDER BY q.id`),

    async issues(s: DashboardSlice): Promise<IssueCounts> {
      const rows = await all<{ status: string; n: number }>(on, sql`SELECT i.status, COUNT(*) AS n FROM issues i WHERE ${issuesOf(s)} GROUP BY i.status`);
      // Claimed = someone took it on (a claim not withdrawn), whatever happened next: a resolved issue that staff
      // handled themselves was never claimed. The same pass counts the distinct claimers of each kind.
      // CROSS JOIN on SQLite fixes the order: the campaign's issues, then their items and claims, never every user first.
      const claims = (await one<{ claimed: number; member: number; unit: number }>(on, sql`SELECT COUNT(DISTINCT i.id) AS claimed,
          COUNT(DISTINCT CASE WHEN u.claimer_kind = 'member' THEN u.id END) AS member,
          COUNT(DISTINCT CASE WHEN u.claimer_kind = 'unit' THEN u.id END) AS unit
        FROM issues i ${d.fixedJoin} service_items si ON si.issue_id = i.id ${d.fixedJoin} claims c ON c.service_item_id = si.id
        ${d.fixedJoin} users u ON u.id = c.claimer_user_id
        WHERE ${issuesOf(s)} AND c.status <> 'withdrawn'`))!;
      return {
        byStatus: Object.fromEntries(rows.map((r) => [r.status, r.n])),
        claimed: claims.claimed,
        claimers: { member: claims.member, unit: claims.unit },
      };
    },

    /**
     * Ratings of the slice's issues. Through the issue (campaign, community) rather than the submission: a
     * rating is about the issue's outcome, and this never touches the big submissions table (10,000 random
     * row reads there cost ~100 ms with a million submissions; measured).
     */
    async ratings(s: DashboardSlice): Promise<RatingCounts> {
      const rows = await all<{ rating: keyof RatingCounts; n: number }>(on, sql`SELECT f.rating, COUNT(*) AS n
        FROM issues i ${d.fixedJoin} feedback f ON f.issue_id = i.id WHERE ${issuesOf(s)} GROUP BY f.rating`);
      const out: RatingCounts = { satisfied: 0, basically: 0, unsatisfied: 0 };
      for (const r of rows) if (r.rating in out) out[r.rating] = r.n;
      return out;
    },

    /**
     * The same figures as `daily`, `issues` and `ratings`, per community: submissions from the summary table,
     * issues, claims and ratings through the issues' (campaign, community) index. Never the submissions table.
     */
    async perCommunity(s: DashboardSlice): Promise<CommunityCounts[]> {
      const out = new Map<number, CommunityCounts>();
      const row = (id: number | null) => {
        const key = id ?? 0;
        let r = out.get(key);
        if (!r) {
          r = { communityId: key, submissions: 0, wishes: 0, byStatus: {}, claimed: 0, ratings: { satisfied: 0, basically: 0, unsatisfied: 0 } };
          out.set(key, r);
        }
        return r;
      };
      for (const r of await all<{ communityId: number; kind: string; n: number }>(on, sql`SELECT community_id AS "communityId", kind,
          SUM(n) AS n FROM submission_counts_daily
          WHERE campaign_id IN ${inList(s.campaignIds)}${communityClause(s, 'community_id', 0)} GROUP BY community_id, kind`)) {
        const c = row(r.communityId);
        c.submissions += r.n;
        if (r.kind === 'wish') c.wishes += r.n;
      }
      for (const r of await all<{ communityId: number | null; status: string; n: number }>(on, sql`SELECT i.community_id AS "communityId",
          i.status, COUNT(*) AS n FROM issues i WHERE ${issuesOf(s)} GROUP BY i.community_id, i.status`)) {
        row(r.communityId).byStatus[r.status] = r.n;
      }
      // As in issues(): claimed = a claim not withdrawn, whatever happened next.
      for (const r of await all<{ communityId: number | null; n: number }>(on, sql`SELECT i.community_id AS "communityId", COUNT(DISTINCT i.id) AS n
          FROM issues i ${d.fixedJoin} service_items si ON si.issue_id = i.id ${d.fixedJoin} claims c ON c.service_item_id = si.id
          WHERE ${issuesOf(s)} AND c.status <> 'withdrawn' GROUP BY i.community_id`)) {
        row(r.communityId).claimed = r.n;
      }
      for (const r of await all<{ communityId: number | null; rating: keyof RatingCounts; n: number }>(on, sql`SELECT i.community_id AS "communityId",
          f.rating, COUNT(*) AS n FROM issues i ${d.fixedJoin} feedback f ON f.issue_id = i.id
          WHERE ${issuesOf(s)} GROUP BY i.community_id, f.rating`)) {
        const c = row(r.communityId);
        if (r.rating in c.ratings) c.ratings[r.rating] = r.n;
      }
      return [...out.values()];
    },

    /** 附议 through the issues (their campaign and community); appeals through their submissions (a few rows). */
    async voice(s: DashboardSlice): Promise<VoiceCounts> {
      const supports = (await one<{ n: number }>(on, sql`SELECT COUNT(*) AS n FROM issues i ${d.fixedJoin} issue_supports p ON p.issue_id = i.id
        WHERE ${issuesOf(s)}`))!.n;
      const rows = await all<{ status: keyof VoiceCounts['appeals']; n: number }>(on, sql`SELECT a.status, COUNT(*) AS n
        FROM appeals a ${d.fixedJoin} submissions s ON s.id = a.submission_id
        WHERE s.campaign_id IN ${inList(s.campaignIds)}${communityClause(s, 's.community_id', null)} GROUP BY a.status`);
      const appeals = { open: 0, upheld: 0, reopened: 0 };
      for (const r of rows) if (r.status in appeals) appeals[r.status] = r.n;
      return { supports, appeals };
    },

    /** The earliest start date of the campaigns (the time chart sets apart days before it). */
    async firstCampaignStart(campaignIds: number[]): Promise<string | null> {
      if (campaignIds.length === 0) return null;
      return (await one<{ d: string | null }>(on, sql`SELECT MIN(starts_on) AS d FROM campaigns WHERE id IN ${inList(campaignIds)}`))?.d ?? null;
    },

    /** Campaigns of a sub-district, newest first. */
    campaignIdsOfSubdistrict: async (subdistrictId: number): Promise<number[]> =>
      (await all<{ id: number }>(on, sql`SELECT id FROM campaigns WHERE subdistrict_id = ${subdistrictId} ORDER BY id DESC`)).map((r) => r.id),

    async categoryNames(): Promise<Map<number, string>> {
      const rows = await all<{ id: number; name: string }>(on, sql`SELECT id, name FROM categories ORDER BY sort_order, id`);
      return new Map(rows.map((r) => [r.id, r.name]));
    },
  };
}
export type DashboardRepo = ReturnType<typeof createDashboardRepo>;
