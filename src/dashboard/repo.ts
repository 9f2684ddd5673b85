import type { Slice } from '../access/rules';
import type { Db } from '../db/open-db';
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

const marks = (ids: readonly unknown[]) => ids.map(() => '?').join(',') || 'NULL';

/**
 * Aggregates for the dashboard. Submission figures come from the summary tables that migration 040 keeps up
 * to date with triggers (a few thousand rows, however many submissions); issue, claim and rating figures from
 * their own small tables through their indexes.
 */
export function createDashboardRepo(db: Db) {
  /** `AND <column> IN (…)` for the slice's communities, with the matching parameters. */
  function communityClause(s: DashboardSlice, column: string, unplacedValue: 0 | null): { sql: string; params: number[] } {
    if (s.communityIds === 'all') return { sql: '', params: [] };
    const unplaced = s.includeUnplaced ? (unplacedValue === 0 ? ` OR ${column} = 0` : ` OR ${column} IS NULL`) : '';
    return { sql: ` AND (${column} IN (${marks(s.communityIds)})${unplaced})`, params: s.communityIds };
  }

  return {
    daily(s: DashboardSlice): DailyCount[] {
      const c = communityClause(s, 'community_id', 0);
      return db.prepare(`SELECT day, channel, kind, SUM(n) AS n FROM submission_counts_daily
        WHERE campaign_id IN (${marks(s.campaignIds)})${c.sql} GROUP BY day, channel, kind HAVING SUM(n) <> 0 ORDER BY day`)
        .all(...s.campaignIds, ...c.params) as DailyCount[];
    },

    categories(s: DashboardSlice): CategoryCount[] {
      const c = communityClause(s, 'community_id', 0);
      return db.prepare(`SELECT category_id AS categoryId, community_id AS communityId, SUM(n) AS n FROM submission_counts_category
        WHERE campaign_id IN (${marks(s.campaignIds)})${c.sql} GROUP BY category_id, community_id HAVING SUM(n) <> 0`)
        .all(...s.campaignIds, ...c.params) as CategoryCount[];
    },

    /** Every QR code of the campaigns with its stored scans and submissions (the caller filters by place). */
    qrCodes(campaignIds: number[]): QrCount[] {
      return db.prepare(`SELECT q.id, q.campaign_id AS campaignId, q.label, q.place_id AS placeId, q.scan_count AS scans,
          IFNULL(c.n, 0) AS submissions
        FROM qr_codes q LEFT JOIN submission_counts_qr c ON c.qr_code_id = q.id
        WHERE q.campaign_id IN (${marks(campaignIds)}) ORDER BY q.id`).all(...campaignIds) as QrCount[];
    },

    issues(s: DashboardSlice): IssueCounts {
      const c = communityClause(s, 'i.community_id', null);
      const where = `i.campaign_id IN (${marks(s.campaignIds)})${c.sql}`;
      const rows = db.prepare(`SELECT i.status, COUNT(*) AS n FROM issues i WHERE ${where} GROUP BY i.status`)
        .all(...s.campaignIds, ...c.params) as Array<{ status: string; n: number }>;
      // Claimed = someone took it on (a claim not withdrawn), whatever happened next: a resolved issue that staff
      // handled themselves was never claimed. The same pass counts the distinct claimers of each kind.
      // CROSS JOIN fixes the order: the campaign's issues, then their items and claims, never every user first.
      const claims = db.prepare(`SELECT COUNT(DISTINCT i.id) AS claimed,
          COUNT(DISTINCT CASE WHEN u.claimer_kind = 'member' THEN u.id END) AS member,
          COUNT(DISTINCT CASE WHEN u.claimer_kind = 'unit' THEN u.id END) AS unit
        FROM issues i CROSS JOIN service_items si ON si.issue_id = i.id CROSS JOIN claims c ON c.service_item_id = si.id
        CROSS JOIN users u ON u.id = c.claimer_user_id
        WHERE ${where} AND c.status <> 'withdrawn'`).get(...s.campaignIds, ...c.params) as { claimed: number; member: number; unit: number };
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
    ratings(s: DashboardSlice): RatingCounts {
      const c = communityClause(s, 'i.community_id', null);
      const rows = db.prepare(`SELECT f.rating, COUNT(*) AS n FROM issues i CROSS JOIN feedback f ON f.issue_id = i.id
        WHERE i.campaign_id IN (${marks(s.campaignIds)})${c.sql} GROUP BY f.rating`)
        .all(...s.campaignIds, ...c.params) as Array<{ rating: keyof RatingCounts; n: number }>;
      const out: RatingCounts = { satisfied: 0, basically: 0, unsatisfied: 0 };
      for (const r of rows) if (r.rating in out) out[r.rating] = r.n;
      return out;
    },

    /**
     * The same figures as `daily`, `issues` and `ratings`, per community: submissions from the summary table,
     * issues, claims and ratings through the issues' (campaign, community) index. Never the submissions table.
     */
    perCommunity(s: DashboardSlice): CommunityCounts[] {
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
      const ids = s.campaignIds;
      const sc = communityClause(s, 'community_id', 0);
      for (const r of db.prepare(`SELECT community_id AS communityId, kind, SUM(n) AS n FROM submission_counts_daily
          WHERE campaign_id IN (${marks(ids)})${sc.sql} GROUP BY community_id, kind`)
        .all(...ids, ...sc.params) as Array<{ communityId: number; kind: string; n: number }>) {
        const c = row(r.communityId);
        c.submissions += r.n;
        if (r.kind === 'wish') c.wishes += r.n;
      }
      const ic = communityClause(s, 'i.community_id', null);
      const where = `i.campaign_id IN (${marks(ids)})${ic.sql}`;
      for (const r of db.prepare(`SELECT i.community_id AS communityId, i.status, COUNT(*) AS n FROM issues i
          WHERE ${where} GROUP BY i.community_id, i.status`).all(...ids, ...ic.params) as Array<{ communityId: number | null; status: string; n: number }>) {
        row(r.communityId).byStatus[r.status] = r.n;
      }
      // As in issues(): claimed = a claim not withdrawn, whatever happened next.
      for (const r of db.prepare(`SELECT i.community_id AS communityId, COUNT(DISTINCT i.id) AS n
          FROM issues i CROSS JOIN service_items si ON si.issue_id = i.id CROSS JOIN claims c ON c.service_item_id = si.id
          WHERE ${where} AND c.status <> 'withdrawn' GROUP BY i.community_id`).all(...ids, ...ic.params) as Array<{ communityId: number | null; n: number }>) {
        row(r.communityId).claimed = r.n;
      }
      for (const r of db.prepare(`SELECT i.community_id AS communityId, f.rating, COUNT(*) AS n FROM issues i CROSS JOIN feedback f ON f.issue_id = i.id
          WHERE ${where} GROUP BY i.community_id, f.rating`).all(...ids, ...ic.params) as Array<{ communityId: number | null; rating: keyof RatingCounts; n: number }>) {
        const c = row(r.communityId);
        if (r.rating in c.ratings) c.ratings[r.rating] = r.n;
      }
      return [...out.values()];
    },
    /** 附议 through the issues (their campaign and community); appeals through their submissions (a few rows). */
    voice(s: DashboardSlice): VoiceCounts {
      const ci = communityClause(s, 'i.community_id', null);
      const supports = db.prepare(`SELECT COUNT(*) FROM issues i CROSS JOIN issue_supports p ON p.issue_id = i.id
        WHERE i.campaign_id IN (${marks(s.campaignIds)})${ci.sql}`).pluck().get(...s.campaignIds, ...ci.params) as number;
      const cs = communityClause(s, 's.community_id', null);
      const rows = db.prepare(`SELECT a.status, COUNT(*) AS n FROM appeals a CROSS JOIN submissions s ON s.id = a.submission_id
        WHERE s.campaign_id IN (${marks(s.campaignIds)})${cs.sql} GROUP BY a.status`)
        .all(...s.campaignIds, ...cs.params) as Array<{ status: keyof VoiceCounts['appeals']; n: number }>;
      const appeals = { open: 0, upheld: 0, reopened: 0 };
      for (const r of rows) if (r.status in appeals) appeals[r.status] = r.n;
      return { supports, appeals };
    },

    /** The earliest start date of the campaigns (the time chart sets apart days before it). */
    firstCampaignStart(campaignIds: number[]): string | null {
      if (campaignIds.length === 0) return null;
      return (db.prepare(`SELECT MIN(starts_on) FROM campaigns WHERE id IN (${marks(campaignIds)})`).pluck().get(...campaignIds) as string | null) ?? null;
    },

    /** Campaigns of a sub-district, newest first. */
    campaignIdsOfSubdistrict(subdistrictId: number): number[] {
      return db.prepare('SELECT id FROM campaigns WHERE subdistrict_id = ? ORDER BY id DESC').pluck().all(subdistrictId) as number[];
    },

    categoryNames(): Map<number, string> {
      const rows = db.prepare('SELECT id, name FROM categories ORDER BY sort_order, id').all() as Array<{ id: number; name: string }>;
      return new Map(rows.map((r) => [r.id, r.name]));
    },
  };
}
export type DashboardRepo = ReturnType<typeof createDashboardRepo>;
