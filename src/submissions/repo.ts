import type { Db } from '../db/open-db';
import type { SubmissionFilter } from './filter';
import { newReceiptCode } from '../lib/receipt-code';
import type { NewSubmission, Submission } from './types';

interface Row {
  id: number; campaign_id: number; qr_code_id: number | null; receipt_code: string; idempotency_key: string;
  kind: Submission['kind']; category_id: number | null; category_confidence: number | null; needs_triage: number;
  text: string; photo_file: string | null; resident_name: string | null; resident_phone: string | null;
  building: string | null; community_id: number | null; grid_id: number | null; compound_id: number | null;
  channel: Submission['channel']; entered_by: number | null; collected_on: string | null;
  collected_by_name: string | null; intake_note: string | null; reply: string | null; created_at: string;
  declined_at: string | null; decline_reason: string | null; issue_id?: number | null;
}

export const toSubmission = (r: Row): Submission => ({
  id: r.id, campaignId: r.campaign_id, qrCodeId: r.qr_code_id, receiptCode: r.receipt_code,
  idempotencyKey: r.idempotency_key, kind: r.kind, categoryId: r.category_id,
  categoryConfidence: r.category_confidence, needsTriage: r.needs_triage === 1, text: r.text,
  photoFile: r.photo_file, residentName: r.resident_name, residentPhone: r.resident_phone, building: r.building,
  communityId: r.community_id, gridId: r.grid_id, compoundId: r.compound_id, channel: r.channel,
  enteredBy: r.entered_by, collectedOn: r.collected_on, collectedByName: r.collected_by_name, intakeNote: r.intake_note,
  reply: r.reply, createdAt: r.created_at, declinedAt: r.declined_at ?? null, declineReason: r.decline_reason ?? null,
  issueId: r.issue_id ?? null,
});

/** A submission with the names staff and residents read beside it. */
export interface LabelledSubmission extends Submission {
  categoryName: string | null;
  qrLabel: string | null;
  communityName: string | null;
  gridName: string | null;
  campaignTitle: string | null;
}
export type LabelledRow = Row & { category_name: string | null; qr_label: string | null; community_name: string | null; grid_name: string | null; campaign_title: string | null };
export const toLabelled = (r: LabelledRow): LabelledSubmission => ({
  ...toSubmission(r), categoryName: r.category_name, qrLabel: r.qr_label, communityName: r.community_name,
  gridName: r.grid_name, campaignTitle: r.campaign_title,
});
const marks = (ids: readonly unknown[]) => ids.map(() => '?').join(',') || 'NULL';

/** The WHERE clause of a submission filter (src/submissions/filter.ts), on the submissions table's own columns. */
export function submissionWhere(f: SubmissionFilter): { sql: string; params: unknown[] } {
  const where: string[] = [];
  const params: unknown[] = [];
  if (f.campaignId !== undefined) { where.push('campaign_id = ?'); params.push(f.campaignId); }
  if (f.communityIds && f.communityIds !== 'all') {
    where.push(`(community_id IN (${marks(f.communityIds)})${f.includeUnplaced ? ' OR community_id IS NULL' : ''})`);
    params.push(...f.communityIds);
  }
  if (f.gridIds) { where.push(`grid_id IN (${marks(f.gridIds)})`); params.push(...f.gridIds); }
  if (f.communityId !== undefined) { where.push('community_id = ?'); params.push(f.communityId); }
  if (f.qrCodeId !== undefined) { where.push('qr_code_id = ?'); params.push(f.qrCodeId); }
  if (f.categoryId !== undefined) { where.push('category_id = ?'); params.push(f.categoryId); }
  if (f.kind) { where.push('kind = ?'); params.push(f.kind); }
  if (f.channel) { where.push('channel = ?'); params.push(f.channel); }
  // created_at is UTC; residents and staff think in China time (UTC+8).
  if (f.from) { where.push("created_at >= strftime('%Y-%m-%dT%H:%M:%fZ', ?, '-8 hours')"); params.push(f.from); }
  if (f.to) { where.push("created_at < strftime('%Y-%m-%dT%H:%M:%fZ', ?, '+1 day', '-8 hours')"); params.push(f.to); }
  return { sql: where.length ? 'WHERE ' + where.join(' AND ') : '', params };
}

export const LABEL_COLUMNS = `s.*,
  (SELECT name FROM categories WHERE id = s.category_id) AS category_name,
  (SELECT label FROM qr_codes WHERE id = s.qr_code_id) AS qr_label,
  (SELECT name FROM places WHERE id = s.community_id) AS community_name,
  (SELECT name FROM places WHERE id = s.grid_id) AS grid_name,
  (SELECT title FROM campaigns WHERE id = s.campaign_id) AS campaign_title`;

/** One of a phone's own submissions, as /r lists it. */
export interface MineRow {
  receipt_code: string; kind: Submission['kind']; text: string; created_at: string; declined_at: string | null;
  campaign_title: string; issue_status: string | null;
}

interface Paging { limit?: number; offset?: number }

export function createSubmissionRepo(db: Db) {
  const insert = db.prepare(`INSERT INTO submissions
    (campaign_id, qr_code_id, receipt_code, idempotency_key, kind, category_id, category_confidence, needs_triage,
     text, photo_file, resident_name, resident_phone, building, community_id, grid_id, compound_id, channel,
     entered_by, collected_on, collected_by_name, intake_note, resident_key)
    VALUES (@campaignId, @qrCodeId, @receiptCode, @idempotencyKey, @kind, @categoryId, @categoryConfidence, @needsTriage,
     @text, @photoFile, @residentName, @residentPhone, @building, @communityId, @gridId, @compoundId, @channel,
     @enteredBy, @collectedOn, @collectedByName, @intakeNote, @residentKey)
    ON CONFLICT(idempotency_key) DO NOTHING
    RETURNING *`);
  const byKey = db.prepare<[string], Row>('SELECT * FROM submissions WHERE idempotency_key = ?');
  const byId = db.prepare<[number], Row>('SELECT * FROM submissions WHERE id = ?');
  const byReceipt = db.prepare<[string], Row>('SELECT * FROM submissions WHERE receipt_code = ?');
  const labelledByReceipt = db.prepare<[string], LabelledRow>(`SELECT ${LABEL_COLUMNS} FROM submissions s WHERE s.receipt_code = ?`);
  const labelledById = db.prepare<[number], LabelledRow>(`SELECT ${LABEL_COLUMNS} FROM submissions s WHERE s.id = ?`);
  const byPhoto = db.prepare<[string], Row>('SELECT * FROM submissions WHERE photo_file = ? LIMIT 1');
  const setReply = db.prepare('UPDATE submissions SET reply = ? WHERE id = ?');
  const keyOf = db.prepare('SELECT resident_key FROM submissions WHERE id = ?').pluck();
  const mine = db.prepare<[string, number], MineRow>(`SELECT s.receipt_code, s.kind, s.text, s.created_at, s.declined_at,
      c.title AS campaign_title, i.status AS issue_status
    FROM submissions s JOIN campaigns c ON c.id = s.campaign_id LEFT JOIN issues i ON i.id = s.issue_id
    WHERE s.resident_key = ? ORDER BY s.id DESC LIMIT ?`);

  return {
    /**
     * Inserts once per idempotency key and returns the stored record with `created: false` when the key
     * was seen before (double tap, retry). A receipt-code collision, vanishingly rare, is retried.
     */
    insert(s: NewSubmission): { submission: Submission; created: boolean } {
      for (let attempt = 0; ; attempt++) {
        try {
          const stored = insert.get({
            campaignId: s.campaignId, qrCodeId: s.qrCodeId ?? null, receiptCode: newReceiptCode(),
            idempotencyKey: s.idempotencyKey, kind: s.kind, categoryId: s.categoryId ?? null,
            categoryConfidence: s.categoryConfidence ?? null, needsTriage: s.needsTriage ? 1 : 0, text: s.text,
            photoFile: s.photoFile ?? null, residentName: s.residentName ?? null, residentPhone: s.residentPhone ?? null,
            building: s.building ?? null, communityId: s.communityId ?? null, gridId: s.gridId ?? null,
            compoundId: s.compoundId ?? null, channel: s.channel ?? 'online', enteredBy: s.enteredBy ?? null,
            collectedOn: s.collectedOn ?? null, collectedByName: s.collectedByName || null, intakeNote: s.intakeNote || null,
            residentKey: s.residentKey ?? null,
          });
          // RETURNING gives the new row; on a repeated key nothing is inserted and the earlier row answers.
          if (stored) return { submission: toSubmission(stored as Row), created: true };
          return { submission: toSubmission(byKey.get(s.idempotencyKey)!), created: false };
        } catch (err) {
          const e = err as { code?: string; message?: string };
          if (attempt < 5 && e.code === 'SQLITE_CONSTRAINT_UNIQUE' && e.message?.includes('receipt_code')) continue;
          throw err;
        }
      }
    },
    findById: (id: number) => { const r = byId.get(id); return r ? toSubmission(r) : undefined; },
    findByReceipt: (code: string) => { const r = byReceipt.get(code); return r ? toSubmission(r) : undefined; },
    findByIdempotencyKey: (key: string) => { const r = byKey.get(key); return r ? toSubmission(r) : undefined; },
    /** Newest first. */
    list(f: SubmissionFilter & Paging): Submission[] {
      const w = submissionWhere(f);
      const rows = db.prepare(`SELECT * FROM submissions ${w.sql} ORDER BY created_at DESC, id DESC LIMIT ? OFFSET ?`)
        .all(...w.params, f.limit ?? 50, f.offset ?? 0) as Row[];
      return rows.map(toSubmission);
    },
    /** Like list, with category, QR label, community, grid and campaign names for display. */
    listLabelled(f: SubmissionFilter & Paging): LabelledSubmission[] {
      const w = submissionWhere(f);
      const rows = db.prepare(`SELECT ${LABEL_COLUMNS} FROM
        (SELECT * FROM submissions ${w.sql} ORDER BY created_at DESC, id DESC LIMIT ? OFFSET ?) s
        ORDER BY s.created_at DESC, s.id DESC`).all(...w.params, f.limit ?? 50, f.offset ?? 0) as LabelledRow[];
      return rows.map(toLabelled);
    },
    findLabelledById: (id: number) => { const r = labelledById.get(id); return r ? toLabelled(r) : undefined; },
    /** What the resident's receipt page shows. */
    findLabelledByReceipt: (code: string) => { const r = labelledByReceipt.get(code); return r ? toLabelled(r) : undefined; },
    /** The submission a stored photo belongs to (for the access check before serving it). */
    findByPhotoFile: (name: string) => { const r = byPhoto.get(name); return r ? toSubmission(r) : undefined; },
    /** Staff's answer, shown to the resident on the receipt page; null clears it. */
    setReply: (id: number, reply: string | null) => { setReply.run(reply, id); },
    /** The phone a submission came from (hashed cookie id), or null. */
    residentKeyOf: (id: number) => (keyOf.get(id) as string | null | undefined) ?? null,
    /** A phone's own submissions, newest first, with what became of each (for /r). */
    mine: (residentKey: string, limit = 100): MineRow[] => mine.all(residentKey, limit),
    count(f: SubmissionFilter): number {
      const w = submissionWhere(f);
      return db.prepare(`SELECT COUNT(*) FROM submissions ${w.sql}`).pluck().get(...w.params) as number;
    },
  };
}
export type SubmissionRepo = ReturnType<typeof createSubmissionRepo>;
