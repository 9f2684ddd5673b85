import { sql, type RawBuilder } from 'kysely';
import { all, one, run, type Queries } from '../db/engine';
import type { SubmissionFilter } from './filter';
import { submissionConditions } from './where';
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

/** The values of one row to insert, in INSERT_COLUMNS order (the tests' synchronous factory writes the same row). */
export function insertValues(s: NewSubmission, receiptCode: string): unknown[] {
  return [
    s.campaignId, s.qrCodeId ?? null, receiptCode, s.idempotencyKey, s.kind, s.categoryId ?? null, s.categoryConfidence ?? null,
    s.needsTriage ? 1 : 0, s.text, s.photoFile ?? null, s.residentName ?? null, s.residentPhone ?? null, s.building ?? null,
    s.communityId ?? null, s.gridId ?? null, s.compoundId ?? null, s.channel ?? 'online', s.enteredBy ?? null,
    s.collectedOn ?? null, s.collectedByName || null, s.intakeNote || null, s.residentKey ?? null,
  ];
}
export const INSERT_COLUMNS = `campaign_id, qr_code_id, receipt_code, idempotency_key, kind, category_id, category_confidence, needs_triage,
  text, photo_file, resident_name, resident_phone, building, community_id, grid_id, compound_id, channel,
  entered_by, collected_on, collected_by_name, intake_note, resident_key`;
/** Rows per INSERT of insertMany: 22 parameters each, well inside SQLite's and PostgreSQL's limits. */
const INSERT_ROWS_PER_STATEMENT = 200;
/** Tries with a new receipt code when one collided (vanishingly rare: 8 characters of a 31-letter alphabet). */
const RECEIPT_ATTEMPTS = 6;

export function createSubmissionRepo(on: Queries) {
  const byKey = async (key: string) => one<Row>(on, sql`SELECT * FROM submissions WHERE idempotency_key = ${key}`);
  const labelled = (where: RawBuilder<unknown>) => one<LabelledRow>(on, sql`SELECT ${sql.raw(LABEL_COLUMNS)} FROM submissions s WHERE ${where}`);
  /**
   * Inserts once per idempotency key and returns the stored record with `created: false` when the key
   * was seen before (double tap, retry). A receipt-code collision, vanishingly rare, is retried. No conflict ever
   * raises an error (a failed statement would end a PostgreSQL transaction): DO NOTHING, then a look by key.
   */
  async function insert(s: NewSubmission): Promise<{ submission: Submission; created: boolean }> {
    for (let attempt = 0; attempt < RECEIPT_ATTEMPTS; attempt++) {
      const stored = await one<Row>(on, sql`INSERT INTO submissions (${sql.raw(INSERT_COLUMNS)})
        VALUES (${sql.join(insertValues(s, newReceiptCode()))}) ON CONFLICT DO NOTHING RETURNING *`);
      // RETURNING gives the new row; on a repeated key nothing is inserted and the earlier row answers.
      if (stored) return { submission: toSubmission(stored), created: true };
      const earlier = await byKey(s.idempotencyKey);
      if (earlier) return { submission: toSubmission(earlier), created: false };
    }
    throw new Error('no free receipt code after several tries');
  }

  return {
    insert,
    /**
     * `insert` for many, in order, with one statement per INSERT_ROWS_PER_STATEMENT rows (the group commit's batch:
     * a statement per resident cost more CPU than the resident's request). A row the statement did not insert (its
     * key seen before, twice in the batch, or a receipt code taken) is then inserted on its own, as `insert` does.
     */
    async insertMany(list: readonly NewSubmission[]): Promise<Array<{ submission: Submission; created: boolean }>> {
      const results: Array<{ submission: Submission; created: boolean } | undefined> = new Array(list.length);
      for (let at = 0; at < list.length; at += INSERT_ROWS_PER_STATEMENT) {
        const part = list.slice(at, at + INSERT_ROWS_PER_STATEMENT);
        const values = part.map((s) => sql`(${sql.join(insertValues(s, newReceiptCode()))})`);
        const rows = await all<Row>(on, sql`INSERT INTO submissions (${sql.raw(INSERT_COLUMNS)}) VALUES ${sql.join(values)}
          ON CONFLICT DO NOTHING RETURNING *`);
        const stored = new Map(rows.map((r) => [r.idempotency_key, r]));
        part.forEach((s, i) => {
          const r = stored.get(s.idempotencyKey);
          if (!r) return;
          // Only the first of two with one key was inserted; the second finds it below, as a double tap does.
          stored.delete(s.idempotencyKey);
          results[at + i] = { submission: toSubmission(r), created: true };
        });
      }
      for (let i = 0; i < list.length; i++) results[i] ??= await insert(list[i]);
      return results as Array<{ submission: Submission; created: boolean }>;
    },
    findById: async (id: number) => {
      const r = await one<Row>(on, sql`SELECT * FROM submissions WHERE id = ${id}`);
      return r ? toSubmission(r) : undefined;
    },
    findByReceipt: async (code: string) => {
      const r = await one<Row>(on, sql`SELECT * FROM submissions WHERE receipt_code = ${code}`);
      return r ? toSubmission(r) : undefined;
    },
    findByIdempotencyKey: async (key: string) => { const r = await byKey(key); return r ? toSubmission(r) : undefined; },
    /** Newest first. */
    async list(f: SubmissionFilter & Paging): Promise<Submission[]> {
      const rows = await all<Row>(on, sql`SELECT * FROM submissions s WHERE ${submissionConditions(on, f, 's')}
        ORDER BY s.created_at DESC, s.id DESC LIMIT ${f.limit ?? 50} OFFSET ${f.offset ?? 0}`);
      return rows.map(toSubmission);
    },
    /** Like list, with category, QR label, community, grid and campaign names for display. */
    async listLabelled(f: SubmissionFilter & Paging): Promise<LabelledSubmission[]> {
      const rows = await all<LabelledRow>(on, sql`SELECT ${sql.raw(LABEL_COLUMNS)} FROM
        (SELECT * FROM submissions s WHERE ${submissionConditions(on, f, 's')}
          ORDER BY s.created_at DESC, s.id DESC LIMIT ${f.limit ?? 50} OFFSET ${f.offset ?? 0}) s
        ORDER BY s.created_at DESC, s.id DESC`);
      return rows.map(toLabelled);
    },
    findLabelledById: async (id: number) => { const r = await labelled(sql`s.id = ${id}`); return r ? toLabelled(r) : undefined; },
    /** What the resident's receipt page shows. */
    findLabelledByReceipt: async (code: string) => { const r = await labelled(sql`s.receipt_code = ${code}`); return r ? toLabelled(r) : undefined; },
    /** The submission a stored photo belongs to (for the access check before serving it). */
    findByPhotoFile: async (name: string) => {
      const r = await one<Row>(on, sql`SELECT * FROM submissions WHERE photo_file = ${name} LIMIT 1`);
      return r ? toSubmission(r) : undefined;
    },
    /** Staff's answer, shown to the resident on the receipt page; null clears it. */
    setReply: async (id: number, reply: string | null): Promise<void> => { await run(on, sql`UPDATE submissions SET reply = ${reply} WHERE id = ${id}`); },
    /** The phone a submission came from (hashed cookie id), or null. */
    residentKeyOf: async (id: number): Promise<string | null> =>
      (await one<{ resident_key: string | null }>(on, sql`SELECT resident_key FROM submissions WHERE id = ${id}`))?.resident_key ?? null,
    /** A phone's own submissions, newest first, with what became of each (for /r). */
    mine: (residentKey: string, limit = 100): Promise<MineRow[]> => all<MineRow>(on, sql`SELECT s.receipt_code, s.kind, s.text,
        s.created_at, s.declined_at, c.title AS campaign_title, i.status AS issue_status
      FROM submissions s JOIN campaigns c ON c.id = s.campaign_id LEFT JOIN issues i ON i.id = s.issue_id
      WHERE s.resident_key = ${residentKey} ORDER BY s.id DESC LIMIT ${limit}`),
    async count(f: SubmissionFilter): Promise<number> {
      const r = await one<{ n: number }>(on, sql`SELECT COUNT(*) AS n FROM submissions s WHERE ${submissionConditions(on, f, 's')}`);
      return Number(r?.n ?? 0);
    },
  };
}
export type SubmissionRepo = ReturnType<typeof createSubmissionRepo>;
