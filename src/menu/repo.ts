import { sql, type RawBuilder } from 'kysely';
import { all, one, run, type Queries } from '../db/engine';
import { dialectOf, inList } from '../db/dialect';
import type { IssueStatus } from '../issues/rules';
import type { ClaimStatus } from './rules';

export interface ServiceItem {
  id: number;
  communityId: number;
  communityName: string | null;
  issueId: number | null;
  issueStatus: IssueStatus | null;
  compoundName: string | null;
  title: string;
  description: string;
  allowMultipleClaimers: boolean;
  status: 'open' | 'closed';
  publishedAt: string | null;
  closedAt: string | null;
  createdBy: number | null;
  createdAt: string;
  /** Active (not withdrawn) claims. */
  activeClaims: number;
}

export interface Claim {
  id: number;
  serviceItemId: number;
  claimerUserId: number;
  claimerName: string;
  claimerKind: 'member' | 'unit' | null;
  status: ClaimStatus;
  createdAt: string;
  updatedAt: string;
  doneAt: string | null;
}

export interface ClaimNote {
  id: number;
  claimId: number;
  userId: number | null;
  userName: string | null;
  text: string;
  photoFile: string | null;
  createdAt: string;
}

interface ItemRow {
  id: number; community_id: number; community_name: string | null; issue_id: number | null; issue_status: IssueStatus | null;
  compound_name: string | null; title: string; description: string; allow_multiple_claimers: number; status: 'open' | 'closed';
  published_at: string | null; closed_at: string | null; created_by: number | null; created_at: string; active_claims: number;
}
const toItem = (r: ItemRow): ServiceItem => ({
  id: r.id, communityId: r.community_id, communityName: r.community_name, issueId: r.issue_id, issueStatus: r.issue_status,
  compoundName: r.compound_name, title: r.title, description: r.description, allowMultipleClaimers: r.allow_multiple_claimers === 1,
  status: r.status, publishedAt: r.published_at, closedAt: r.closed_at, createdBy: r.created_by, createdAt: r.created_at,
  activeClaims: r.active_claims,
});
const ITEM_COLUMNS = sql.raw(`si.*, (SELECT name FROM places WHERE id = si.community_id) AS community_name,
  i.status AS issue_status, (SELECT name FROM places WHERE id = i.compound_id) AS compound_name,
  (SELECT COUNT(*) FROM claims c WHERE c.service_item_id = si.id AND c.status <> 'withdrawn') AS active_claims`);
const ITEM_FROM = sql.raw('service_items si LEFT JOIN issues i ON i.id = si.issue_id');

interface ClaimRow {
  id: number; service_item_id: number; claimer_user_id: number; claimer_name: string; claimer_kind: 'member' | 'unit' | null;
  status: ClaimStatus; created_at: string; updated_at: string; done_at: string | null;
}
const toClaim = (r: ClaimRow): Claim => ({
  id: r.id, serviceItemId: r.service_item_id, claimerUserId: r.claimer_user_id, claimerName: r.claimer_name,
  claimerKind: r.claimer_kind, status: r.status, createdAt: r.created_at, updatedAt: r.updated_at, doneAt: r.done_at,
});
const CLAIM_SELECT = sql.raw('SELECT c.*, u.display_name AS claimer_name, u.claimer_kind FROM claims c JOIN users u ON u.id = c.claimer_user_id');

export interface NewServiceItem {
  communityId: number; issueId: number | null; title: string; description: string; allowMultipleClaimers: boolean; createdBy: number | null;
}

interface NoteRow { id: number; claim_id: number; user_id: number | null; user_name: string | null; text: string; photo_file: string | null; created_at: string }

export function createServiceItemRepo(on: Queries) {
  const NOW = dialectOf(on).nowIso;

  function listWhere(f: { communityIds: number[] | 'all'; status?: 'open' | 'closed'; publishedOnly?: boolean }): RawBuilder<unknown> {
    const w: Array<RawBuilder<unknown>> = [];
    if (f.communityIds !== 'all') w.push(sql`si.community_id IN ${inList(f.communityIds)}`);
    if (f.status) w.push(sql`si.status = ${f.status}`);
    if (f.publishedOnly) w.push(sql`si.published_at IS NOT NULL`);
    return w.length ? sql`WHERE ${sql.join(w, sql` AND `)}` : sql``;
  }

  return {
    async findById(id: number): Promise<ServiceItem | undefined> {
      const r = await one<ItemRow>(on, sql`SELECT ${ITEM_COLUMNS} FROM ${ITEM_FROM} WHERE si.id = ${id}`);
      return r ? toItem(r) : undefined;
    },
    async findByIssue(issueId: number): Promise<ServiceItem | undefined> {
      const r = await one<ItemRow>(on, sql`SELECT ${ITEM_COLUMNS} FROM ${ITEM_FROM} WHERE si.issue_id = ${issueId}`);
      return r ? toItem(r) : undefined;
    },
    async insert(i: NewServiceItem): Promise<number> {
      const r = await one<{ id: number }>(on, sql`INSERT INTO service_items
        (community_id, issue_id, title, description, allow_multiple_claimers, status, published_at, created_by)
        VALUES (${i.communityId}, ${i.issueId}, ${i.title}, ${i.description}, ${i.allowMultipleClaimers ? 1 : 0}, 'open', ${NOW}, ${i.createdBy})
        RETURNING id`);
      return r!.id;
    },
    /** Returns whether it was open. */
    close: async (id: number): Promise<boolean> =>
      (await run(on, sql`UPDATE service_items SET status = 'closed', closed_at = ${NOW} WHERE id = ${id} AND status = 'open'`)) === 1,
    list: async (f: { communityIds: number[] | 'all'; status?: 'open' | 'closed'; publishedOnly?: boolean; limit?: number }): Promise<ServiceItem[]> =>
      (await all<ItemRow>(on, sql`SELECT ${ITEM_COLUMNS} FROM ${ITEM_FROM} ${listWhere(f)}
        ORDER BY CASE WHEN si.status = 'closed' THEN 1 ELSE 0 END, si.published_at DESC, si.id DESC LIMIT ${f.limit ?? 300}`)).map(toItem),
    claims: async (itemId: number): Promise<Claim[]> =>
      (await all<ClaimRow>(on, sql`${CLAIM_SELECT} WHERE c.service_item_id = ${itemId} ORDER BY c.id`)).map(toClaim),
    async claimOf(itemId: number, userId: number): Promise<Claim | undefined> {
      const r = await one<ClaimRow>(on, sql`${CLAIM_SELECT} WHERE c.service_item_id = ${itemId} AND c.claimer_user_id = ${userId}`);
      return r ? toClaim(r) : undefined;
    },
    claimsByUser: async (userId: number): Promise<Claim[]> => (await all<ClaimRow>(on, sql`${CLAIM_SELECT} WHERE c.claimer_user_id = ${userId}
      ORDER BY CASE WHEN c.status = 'done' THEN 1 ELSE 0 END, c.updated_at DESC`)).map(toClaim),
    // A withdrawn claimer who claims again gets their row back (UNIQUE(service_item_id, claimer_user_id)).
    claim: async (itemId: number, userId: number): Promise<void> => {
      await run(on, sql`INSERT INTO claims (service_item_id, claimer_user_id) VALUES (${itemId}, ${userId})
        ON CONFLICT (service_item_id, claimer_user_id) DO UPDATE SET status = 'claimed', done_at = NULL, updated_at = ${NOW}`);
    },
    setClaimStatus: async (claimId: number, status: ClaimStatus): Promise<void> => {
      await run(on, sql`UPDATE claims SET status = ${status}, updated_at = ${NOW},
        done_at = ${status === 'done' ? NOW : sql.ref('done_at')} WHERE id = ${claimId}`);
    },
    addNote: async (claimId: number, userId: number, text: string, photoFile: string | null): Promise<void> => {
      await run(on, sql`INSERT INTO claim_notes (claim_id, user_id, text, photo_file) VALUES (${claimId}, ${userId}, ${text}, ${photoFile})`);
    },
    notes: async (itemId: number): Promise<ClaimNote[]> => (await all<NoteRow>(on, sql`
      SELECT n.*, u.display_name AS user_name FROM claim_notes n JOIN claims c ON c.id = n.claim_id
      LEFT JOIN users u ON u.id = n.user_id WHERE c.service_item_id = ${itemId} ORDER BY n.id`)).map((r) => ({
      id: r.id, claimId: r.claim_id, userId: r.user_id, userName: r.user_name, text: r.text, photoFile: r.photo_file, createdAt: r.created_at,
    })),
    /** The item whose progress note carries this photo. */
    itemOfNotePhoto: async (name: string): Promise<number | undefined> => (await one<{ service_item_id: number }>(on, sql`
      SELECT c.service_item_id FROM claim_notes n JOIN claims c ON c.id = n.claim_id WHERE n.photo_file = ${name} LIMIT 1`))?.service_item_id,
  };
}
export type ServiceItemRepo = ReturnType<typeof createServiceItemRepo>;
