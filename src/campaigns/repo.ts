import type { Db } from '../db/open-db';
import { bumpGeneration } from '../db/generation';
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

export function createCampaignRepo(db: Db) {
  const byId = db.prepare<[number], Row>('SELECT * FROM campaigns WHERE id = ?');
  const all = db.prepare<[], Row>('SELECT * FROM campaigns ORDER BY id DESC');
  const insert = db.prepare(`INSERT INTO campaigns (subdistrict_id, title, description, starts_on, ends_on, ask_photo, ask_contact,
    organizer_name, organizer_phone, public_board, created_by)
    VALUES (@subdistrictId, @title, @description, @startsOn, @endsOn, @askPhoto, @askContact, @organizerName, @organizerPhone, @publicBoard, @createdBy)`);
  const update = db.prepare(`UPDATE campaigns SET subdistrict_id = @subdistrictId, title = @title, description = @description,
    starts_on = @startsOn, ends_on = @endsOn, ask_photo = @askPhoto, ask_contact = @askContact,
    organizer_name = @organizerName, organizer_phone = @organizerPhone, public_board = @publicBoard WHERE id = @id`);
  const contacts = db.prepare<[number], { community_id: number; name: string; phone: string }>(
    'SELECT community_id, name, phone FROM campaign_community_contacts WHERE campaign_id = ? ORDER BY community_id');
  const contactOf = db.prepare<[number, number], { name: string; phone: string }>(
    'SELECT name, phone FROM campaign_community_contacts WHERE campaign_id = ? AND community_id = ?');
  const clearContacts = db.prepare('DELETE FROM campaign_community_contacts WHERE campaign_id = ?');
  const addContact = db.prepare('INSERT OR REPLACE INTO campaign_community_contacts (campaign_id, community_id, name, phone) VALUES (?, ?, ?, ?)');
  const setStatus = db.prepare('UPDATE campaigns SET status = ? WHERE id = ?');
  const communities = db.prepare('SELECT community_id FROM campaign_communities WHERE campaign_id = ? ORDER BY community_id').pluck();
  const clearCommunities = db.prepare('DELETE FROM campaign_communities WHERE campaign_id = ?');
  const addCommunity = db.prepare('INSERT OR IGNORE INTO campaign_communities (campaign_id, community_id) VALUES (?, ?)');
  const categories = db.prepare<[number], { id: number; name: string; sort_order: number; active: number }>(`
    SELECT c.* FROM campaign_categories cc JOIN categories c ON c.id = cc.category_id
    WHERE cc.campaign_id = ? ORDER BY c.sort_order, c.id`);
  const clearCategories = db.prepare('DELETE FROM campaign_categories WHERE campaign_id = ?');
  const addCategory = db.prepare('INSERT OR IGNORE INTO campaign_categories (campaign_id, category_id) VALUES (?, ?)');
  const summaries = db.prepare<[], Row & { community_ids: string | null; qr_count: number; submission_count: number }>(`
    SELECT c.*,
      (SELECT GROUP_CONCAT(community_id) FROM campaign_communities WHERE campaign_id = c.id) AS community_ids,
      (SELECT COUNT(*) FROM qr_codes q WHERE q.campaign_id = c.id) AS qr_count,
      (SELECT COALESCE(SUM(n), 0) FROM submission_counts_category k WHERE k.campaign_id = c.id) AS submission_count
    FROM campaigns c ORDER BY c.id DESC`);
  // Submission counts come from the trigger-kept summary tables of 040_dashboard_counts: counting the submissions
  // themselves took a scan per campaign with 1,000,000 rows, on every list and hub page.
  const figures = db.prepare<[number, number, number, number], CampaignFigures>(`SELECT
    (SELECT COUNT(*) FROM qr_codes WHERE campaign_id = ?) AS qrCodes,
    (SELECT COALESCE(SUM(scan_count), 0) FROM qr_codes WHERE campaign_id = ?) AS scans,
    (SELECT COALESCE(SUM(n), 0) FROM submission_counts_daily WHERE campaign_id = ? AND channel = 'online') AS online,
    (SELECT COALESCE(SUM(n), 0) FROM submission_counts_daily WHERE campaign_id = ? AND channel <> 'online') AS offline`);
  const qrIds = db.prepare('SELECT id FROM qr_codes WHERE campaign_id = ?').pluck();

  const setLinks = (id: number, input: CampaignInput) => {
    bumpGeneration(db);
    clearCommunities.run(id);
    for (const c of input.communityIds) addCommunity.run(id, c);
    clearCategories.run(id);
    for (const c of input.categoryIds) addCategory.run(id, c);
    clearContacts.run(id);
    const covered = new Set(input.communityIds);
    for (const c of input.communityContacts ?? []) {
      if (covered.has(c.communityId) && (c.name || c.phone)) addContact.run(id, c.communityId, c.name, c.phone);
    }
  };
  const params = (input: CampaignInput) => ({
    subdistrictId: input.subdistrictId, title: input.title, description: input.description, startsOn: input.startsOn,
    endsOn: input.endsOn, askPhoto: input.askPhoto ? 1 : 0, askContact: input.askContact ? 1 : 0,
    organizerName: input.organizerName ?? '', organizerPhone: input.organizerPhone ?? '',
    publicBoard: input.publicBoard === false ? 0 : 1,
  });

  return {
    findById: (id: number) => { const r = byId.get(id); return r ? toCampaign(r) : undefined; },
    list: () => all.all().map(toCampaign),
    /** Newest first, with covered communities and QR/submission counts. */
    listSummaries: (): CampaignSummary[] => summaries.all().map((r) => ({
      ...toCampaign(r),
      communityIds: r.community_ids ? r.community_ids.split(',').map(Number) : [],
      qrCount: r.qr_count,
      submissionCount: r.submission_count,
    })),
    figures: (id: number): CampaignFigures => figures.get(id, id, id, id)!,
    qrCodeIds: (id: number) => qrIds.all(id) as number[],
    create: db.transaction((input: CampaignInput, createdBy: number | null): number => {
      const id = Number(insert.run({ ...params(input), createdBy }).lastInsertRowid);
      setLinks(id, input);
      return id;
    }),
    update: db.transaction((id: number, input: CampaignInput) => {
      bumpGeneration(db);
      update.run({ ...params(input), id });
      setLinks(id, input);
    }),
    setStatus: (id: number, status: CampaignStatus) => { bumpGeneration(db); setStatus.run(status, id); },
    communityIds: (id: number) => communities.all(id) as number[],
    communityContacts: (id: number): CommunityContact[] =>
      contacts.all(id).map((r) => ({ communityId: r.community_id, name: r.name, phone: r.phone })),
    /**
     * Who residents of a community (null: a campaign-wide poster) turn to: the community's own name and phone
     * where given, each falling back to the campaign's organiser.
     */
    organizerFor(campaign: Pick<Campaign, 'id' | 'organizerName' | 'organizerPhone'>, communityId: number | null): Organizer {
      const own = communityId === null ? undefined : contactOf.get(campaign.id, communityId);
      return { name: own?.name || campaign.organizerName, phone: own?.phone || campaign.organizerPhone };
    },
    /** The categories residents may pick in this campaign, in display order. */
    categories: (id: number): Category[] =>
      categories.all(id).map((r) => ({ id: r.id, name: r.name, sortOrder: r.sort_order, active: r.active === 1 })),
  };
}
export type CampaignRepo = ReturnType<typeof createCampaignRepo>;
