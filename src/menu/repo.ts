import type { Db } from '../db/open-db';
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
const ITEM_COLUMNS = `si.*, (SELECT name FROM places WHERE id = si.community_id) AS community_name,
  i.status AS issue_status, (SELECT name FROM places WHERE id = i.compound_id) AS compound_name,
  (SELECT COUNT(*) FROM claims c WHERE c.service_item_id = si.id AND c.status <> 'withdrawn') AS active_claims`;
const ITEM_FROM = 'service_items si LEFT JOIN issues i ON i.id = si.issue_id';

interface ClaimRow {
  id: number; service_item_id: number; claimer_user_id: number; claimer_name: string; claimer_kind: 'member' | 'unit' | null;
  status: ClaimStatus; created_at: string; updated_at: string; done_at: string | null;
}
const toClaim = (r: ClaimRow): Claim => ({
  id: r.id, serviceItemId: r.service_item_id, claimerUserId: r.claimer_user_id, claimerName: r.claimer_name,
  claimerKind: r.claimer_kind, status: r.status, createdAt: r.created_at, updatedAt: r.updated_at, doneAt: r.done_at,
});
const CLAIM_SELECT = `SELECT c.*, u.display_name AS claimer_name, u.claimer_kind FROM claims c JOIN users u ON u.id = c.claimer_user_id`;

const NOW = "strftime('%Y-%m-%dT%H:%M:%fZ', 'now')";

export interface NewServiceItem {
  communityId: number; issueId: number | null; title: string; description: string; allowMultipleClaimers: boolean; createdBy: number | null;
}

export function createServiceItemRepo(db: Db) {
  const byId = db.prepare<[number], ItemRow>(`SELECT ${ITEM_COLUMNS} FROM ${ITEM_FROM} WHERE si.id = ?`);
  const byIssue = db.prepare<[number], ItemRow>(`SELECT ${ITEM_COLUMNS} FROM ${ITEM_FROM} WHERE si.issue_id = ?`);
  const insert = db.prepare(`INSERT INTO service_items (community_id, issue_id, title, description, allow_multiple_claimers, status, published_at, created_by)
    VALUES (@communityId, @issueId, @title, @description, @allowMultipleClaimers, 'open', ${NOW}, @createdBy)`);
  const close = db.prepare(`UPDATE service_items SET status = 'closed', closed_at = ${NOW} WHERE id = ? AND status = 'open'`);
  const claimsOf = db.prepare<[number], ClaimRow>(`${CLAIM_SELECT} WHERE c.service_item_id = ? ORDER BY c.id`);
  const claimOf = db.prepare<[number, number], ClaimRow>(`${CLAIM_SELECT} WHERE c.service_item_id = ? AND c.claimer_user_id = ?`);
  const claimsByUser = db.prepare<[number], ClaimRow>(`${CLAIM_SELECT} WHERE c.claimer_user_id = ? ORDER BY c.status = 'done', c.updated_at DESC`);
  // A withdrawn claimer who claims again gets their row back (UNIQUE(service_item_id, claimer_user_id)).
  const upsertClaim = db.prepare(`INSERT INTO claims (service_item_id, claimer_user_id) VALUES (?, ?)
    ON CONFLICT(service_item_id, claimer_user_id) DO UPDATE SET status = 'claimed', done_at = NULL, updated_at = ${NOW}`);
  const setClaimStatus = db.prepare(`UPDATE claims SET status = @status, updated_at = ${NOW},
    done_at = CASE WHEN @status = 'done' THEN ${NOW} ELSE done_at END WHERE id = @id`);
  const insertNote = db.prepare('INSERT INTO claim_notes (claim_id, user_id, text, photo_file) VALUES (?, ?, ?, ?)');
  const notesOfItem = db.prepare<[number], { id: number; claim_id: number; user_id: number | null; user_name: string | null; text: string; photo_file: string | null; created_at: string }>(`
    SELECT n.*, u.display_name AS user_name FROM claim_notes n JOIN claims c ON c.id = n.claim_id
    LEFT JOIN users u ON u.id = n.user_id WHERE c.service_item_id = ? ORDER BY n.id`);
  const itemOfPhoto = db.prepare(`SELECT c.service_item_id FROM claim_notes n JOIN claims c ON c.id = n.claim_id
    WHERE n.photo_file = ? LIMIT 1`).pluck();

  function listWhere(f: { communityIds: number[] | 'all'; status?: 'open' | 'closed'; publishedOnly?: boolean }) {
    const w: string[] = [];
    const p: unknown[] = [];
    if (f.communityIds !== 'all') { w.push(`si.community_id IN (${f.communityIds.map(() => '?').join(',') || 'NULL'})`); p.push(...f.communityIds); }
    if (f.status) { w.push('si.status = ?'); p.push(f.status); }
    if (f.publishedOnly) w.push('si.published_at IS NOT NULL');
    return { sql: w.length ? 'WHERE ' + w.join(' AND ') : '', params: p };
  }

  return {
    findById: (id: number) => { const r = byId.get(id); return r ? toItem(r) : undefined; },
    findByIssue: (issueId: number) => { const r = byIssue.get(issueId); return r ? toItem(r) : undefined; },
    insert: (i: NewServiceItem) => Number(insert.run({ ...i, allowMultipleClaimers: i.allowMultipleClaimers ? 1 : 0 }).lastInsertRowid),
    /** Returns whether it was open. */
    close: (id: number) => close.run(id).changes === 1,
    list(f: { communityIds: number[] | 'all'; status?: 'open' | 'closed'; publishedOnly?: boolean; limit?: number }): ServiceItem[] {
      const w = listWhere(f);
      return (db.prepare(`SELECT ${ITEM_COLUMNS} FROM ${ITEM_FROM} ${w.sql} ORDER BY si.status = 'closed', si.published_at DESC, si.id DESC LIMIT ?`)
        .all(...w.params, f.limit ?? 300) as ItemRow[]).map(toItem);
    },
    claims: (itemId: number) => claimsOf.all(itemId).map(toClaim),
    claimOf: (itemId: number, userId: number) => { const r = claimOf.get(itemId, userId); return r ? toClaim(r) : undefined; },
    claimsByUser: (userId: number) => claimsByUser.all(userId).map(toClaim),
    claim: (itemId: number, userId: number) => { upsertClaim.run(itemId, userId); },
    setClaimStatus: (claimId: number, status: ClaimStatus) => { setClaimStatus.run({ id: claimId, status }); },
    addNote: (claimId: number, userId: number, text: string, photoFile: string | null) => { insertNote.run(claimId, userId, text, photoFile); },
    notes: (itemId: number): ClaimNote[] => notesOfItem.all(itemId).map((r) => ({
      id: r.id, claimId: r.claim_id, userId: r.user_id, userName: r.user_name, text: r.text, photoFile: r.photo_file, createdAt: r.created_at,
    })),
    /** The item whose progress note carries this photo. */
    itemOfNotePhoto: (name: string) => itemOfPhoto.get(name) as number | undefined,
  };
}
export type ServiceItemRepo = ReturnType<typeof createServiceItemRepo>;
