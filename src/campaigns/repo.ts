import { sql } from 'kysely';
import { all, one, run, type Queries } from '../db/engine';
import { dialectOf } from '../db/dialect';
import { bumpGenerationOf, changing } from '../db/generation';
import type { CampaignStatus } from './rules';

export interface Campaign {
  id: number;
  subdistrictId: number | null;
  title: string;
  description: string;
  startsOn: string;
  endsOn: string;
  status: CampaignStatus;
  askPhoto: boolean;
  askContact: boolean;
  /** Who runs the campaign and a phone residents may call, printed on posters ('' until filled in). */
  organizerName: string;
  organizerPhone: string;
  /** Its published issues appear on the public board of their community (/b/<id>). */
  publicBoard: boolean;
  createdBy: number | null;
  createdAt: string;
}

/** A covered community's own contact, used on its posters and forms instead of the campaign's. */
export interface CommunityContact { communityId: number; name: string; phone: string }

/** Who a resident can turn to about one poster: the community's contact where set, else the campaign's organiser. */
export interface Organizer { name: string; phone: string }

export interface CampaignInput {
  subdistrictId: number | null;
  title: string;
  description: string;
  startsOn: string;
  endsOn: string;
  askPhoto: boolean;
  askContact: boolean;
  /** Default on: the board shows only titles and replies staff wrote, phone numbers masked. */
  publicBoard?: boolean;
  communityIds: number[];
  categoryIds: number[];
  organizerName?: string;
  organizerPhone?: string;
  /** Contacts of covered communities; those of communities the campaign no longer covers are dropped. */
  communityContacts?: CommunityContact[];
}

interface Row {
  id: number; subdistrict_id: number | null; title: string; description: string; starts_on: string; ends_on: string;
  status: CampaignStatus; ask_photo: number; ask_contact: number; organizer_name: string; organizer_phone: string; public_board?: number;
  created_by: number | null; created_at: string;
}
const toCampaign = (r: Row): Campaign => ({
  id: r.id, subdistrictId: r.subdistrict_id, title: r.title, description: r.description, startsOn: r.starts_on,
  endsOn: r.ends_on, status: r.status, askPhoto: r.ask_photo === 1, askContact: r.ask_contact === 1,
  organizerName: r.organizer_name ?? '', organizerPhone: r.organizer_phone ?? '',
  publicBoard: r.public_board !== 0, createdBy: r.created_by, createdAt: r.created_at,
});

export interface Category { id: number; name: string; sortOrder: number; active: boolean }

/** A campaign as the list page shows it: with covered communities and counts, from one query. */
export interface CampaignSummary extends Campaign { communityIds: number[]; qrCount: number; submissionCount: number }

/** The figure strip on a campaign's page. Scans are form views, written by the buffered scan counter. */
export interface CampaignFigures { qrCodes: number; scans: number; online: number; offline: number }

export function createCampaignRepo(on: Queries) {
  const d = dialectOf(on);
  const communityIds = async (id: number): Promise<number[]> =>
    (await all<{ community_id: number }>(on, sql`SELECT community_id FROM campaign_communities WHERE campaign_id = ${id} ORDER BY community_id`))
      .map((r) => r.community_id);

  /** Communities, categories and contacts of a campaign, rewritten; in the caller's unit of work (create, update). */
  const setLinks = async (id: number, input: CampaignInput) => {
    bumpGenerationOf(on);
    await run(on, sql`DELETE FROM campaign_communities WHERE campaign_id = ${id}`);
    for (const c of input.communityIds) {
      await run(on, sql`INSERT INTO campaign_communities (campaign_id, community_id) VALUES (${id}, ${c}) ON CONFLICT DO NOTHING`);
    }
    await run(on, sql`DELETE FROM campaign_categories WHERE campaign_id = ${id}`);
    for (const c of input.categoryIds) {
      await run(on, sql`INSERT INTO campaign_categories (campaign_id, category_id) VALUES (${id}, ${c}) ON CONFLICT DO NOTHING`);
    }
    await run(on, sql`DELETE FROM campaign_community_contacts WHERE campaign_id = ${id}`);
    const covered = new Set(input.communityIds);
    for (const c of input.communityContacts ?? []) {
      // The last contact given for a community wins, as INSERT OR REPLACE did.
      if (covered.has(c.communityId) && (c.name || c.phone)) {
        await run(on, sql`INSERT INTO campaign_community_contacts (campaign_id, community_id, name, phone)
          VALUES (${id}, ${c.communityId}, ${c.name}, ${c.phone})
          ON CONFLICT (campaign_id, community_id) DO UPDATE SET name = excluded.name, phone = excluded.phone`);
      }
    }
  };
  const params = (input: CampaignInput) => ({
    askPhoto: input.askPhoto ? 1 : 0, askContact: input.askContact ? 1 : 0,
    organizerName: input.organizerName ?? '', organizerPhone: input.organizerPhone ?? '',
    publicBoard: input.publicBoard === false ? 0 : 1,
  });

  return {
    findById: async (id: number): Promise<Campaign | undefined> => {
      const r = await one<Row>(on, sql`SELECT * FROM campaigns WHERE id = ${id}`);
      return r ? toCampaign(r) : undefined;
    },
    list: async (): Promise<Campaign[]> => (await all<Row>(on, sql`SELECT * FROM campaigns ORDER BY id DESC`)).map(toCampaign),
    /** Newest first, with covered communities and QR/submission counts. */
    // Submission counts come from the trigger-kept summary tables of 040_dashboard_counts: counting the submissions
    // themselves took a scan per campaign with 1,000,000 rows, on every list and hub page.
    listSummaries: async (): Promise<CampaignSummary[]> => (await all<Row & { community_ids: string | null; qr_count: number; submission_count: number }>(on, sql`
      SELECT c.*,
        (SELECT ${d.joined(sql`community_id`, ',')} FROM campaign_communities WHERE campaign_id = c.id) AS community_ids,
        (SELECT COUNT(*) FROM qr_codes q WHERE q.campaign_id = c.id) AS qr_count,
        (SELECT COALESCE(SUM(n), 0) FROM submission_counts_category k WHERE k.campaign_id = c.id) AS submission_count
      FROM campaigns c ORDER BY c.id DESC`)).map((r) => ({
      ...toCampaign(r),
      communityIds: r.community_ids ? r.community_ids.split(',').map(Number) : [],
      qrCount: r.qr_count,
      submissionCount: r.submission_count,
    })),
    figures: async (id: number): Promise<CampaignFigures> => (await one<CampaignFigures>(on, sql`SELECT
      (SELECT COUNT(*) FROM qr_codes WHERE campaign_id = ${id}) AS "qrCodes",
      (SELECT COALESCE(SUM(scan_count), 0) FROM qr_codes WHERE campaign_id = ${id}) AS scans,
      (SELECT COALESCE(SUM(n), 0) FROM submission_counts_daily WHERE campaign_id = ${id} AND channel = 'online') AS online,
      (SELECT COALESCE(SUM(n), 0) FROM submission_counts_daily WHERE campaign_id = ${id} AND channel <> 'online') AS offline`))!,
    qrCodeIds: async (id: number): Promise<number[]> =>
      (await all<{ id: number }>(on, sql`SELECT id FROM qr_codes WHERE campaign_id = ${id}`)).map((r) => r.id),
    /** A new campaign (a draft) with its links; in the caller's unit of work, so all or none. */
    async create(input: CampaignInput, createdBy: number | null): Promise<number> {
      bumpGenerationOf(on);
      const p = params(input);
      const { id } = (await one<{ id: number }>(on, sql`INSERT INTO campaigns (subdistrict_id, title, description, starts_on, ends_on,
        ask_photo, ask_contact, organizer_name, organizer_phone, public_board, created_by)
        VALUES (${input.subdistrictId}, ${input.title}, ${input.description}, ${input.startsOn}, ${input.endsOn}, ${p.askPhoto},
          ${p.askContact}, ${p.organizerName}, ${p.organizerPhone}, ${p.publicBoard}, ${createdBy}) RETURNING id`))!;
      await setLinks(id, input);
      return id;
    },
    /** Rewrites a campaign and its links; in the caller's unit of work, so all or none. */
    async update(id: number, input: CampaignInput): Promise<void> {
      bumpGenerationOf(on);
      const p = params(input);
      await run(on, sql`UPDATE campaigns SET subdistrict_id = ${input.subdistrictId}, title = ${input.title},
        description = ${input.description}, starts_on = ${input.startsOn}, ends_on = ${input.endsOn}, ask_photo = ${p.askPhoto},
        ask_contact = ${p.askContact}, organizer_name = ${p.organizerName}, organizer_phone = ${p.organizerPhone},
        public_board = ${p.publicBoard} WHERE id = ${id}`);
      await setLinks(id, input);
    },
    setStatus: (id: number, status: CampaignStatus): Promise<void> =>
      changing(on, async () => { await run(on, sql`UPDATE campaigns SET status = ${status} WHERE id = ${id}`); }),
    communityIds,
    communityContacts: async (id: number): Promise<CommunityContact[]> =>
      (await all<{ community_id: number; name: string; phone: string }>(on, sql`SELECT community_id, name, phone
        FROM campaign_community_contacts WHERE campaign_id = ${id} ORDER BY community_id`))
        .map((r) => ({ communityId: r.community_id, name: r.name, phone: r.phone })),
    /**
     * Who residents of a community (null: a campaign-wide poster) turn to: the community's own name and phone
     * where given, each falling back to the campaign's organiser.
     */
    async organizerFor(campaign: Pick<Campaign, 'id' | 'organizerName' | 'organizerPhone'>, communityId: number | null): Promise<Organizer> {
      const own = communityId === null ? undefined : await one<{ name: string; phone: string }>(on, sql`SELECT name, phone
        FROM campaign_community_contacts WHERE campaign_id = ${campaign.id} AND community_id = ${communityId}`);
      return organizerOf(campaign, own);
    },
    /** The categories residents may pick in this campaign, in display order. */
    categories: async (id: number): Promise<Category[]> => (await all<CategoryRow>(on, sql`
      SELECT c.* FROM campaign_categories cc JOIN categories c ON c.id = cc.category_id
      WHERE cc.campaign_id = ${id} ORDER BY c.sort_order, c.id`)).map(toCategory),
  };
}
export type CampaignRepo = ReturnType<typeof createCampaignRepo>;

interface CategoryRow { id: number; name: string; sort_order: number; active: number }
const toCategory = (r: CategoryRow): Category => ({ id: r.id, name: r.name, sortOrder: r.sort_order, active: r.active === 1 });
const organizerOf = (campaign: Pick<Campaign, 'organizerName' | 'organizerPhone'>, own: { name: string; phone: string } | undefined): Organizer =>
  ({ name: own?.name || campaign.organizerName, phone: own?.phone || campaign.organizerPhone });
