import { sql, type RawBuilder } from 'kysely';
import { all, one, run, type Queries } from '../db/engine';
import { dialectOf, inList } from '../db/dialect';

export interface Meeting {
  id: number;
  campaignId: number;
  idempotencyKey: string;
  heldOn: string;
  communityId: number;
  gridId: number | null;
  compoundId: number | null;
  location: string | null;
  attendance: number;
  topic: string;
  enteredBy: number | null;
  createdAt: string;
}

export type NewMeeting = Omit<Meeting, 'id' | 'createdAt'>;

interface MeetingRow {
  id: number; campaign_id: number; idempotency_key: string; held_on: string; community_id: number; grid_id: number | null;
  compound_id: number | null; location: string | null; attendance: number; topic: string; entered_by: number | null; created_at: string;
}
const toMeeting = (r: MeetingRow): Meeting => ({
  id: r.id, campaignId: r.campaign_id, idempotencyKey: r.idempotency_key, heldOn: r.held_on, communityId: r.community_id,
  gridId: r.grid_id, compoundId: r.compound_id, location: r.location, attendance: r.attendance, topic: r.topic,
  enteredBy: r.entered_by, createdAt: r.created_at,
});

export interface ImportBatch {
  id: string;
  userId: number | null;
  campaignId: number;
  channel: string;
  fileName: string;
  status: 'pending' | 'committed';
  parsed: string;
  report: string | null;
  /** JSON of the stored preview (src/intake/import/plan-worker.ts ImportPreview); null for batches stored before it existed. */
  preview: string | null;
  /** Set when a shutdown stopped the commit: how far it got. */
  interruptedAt: string | null;
  /** While a commit runs (on any app server): until when its lease holds; rowsDone and rowsTotal are its progress. */
  committingUntil: string | null;
  rowsDone: number;
  rowsTotal: number;
  createdAt: string;
}

interface BatchRow {
  id: string; user_id: number | null; campaign_id: number; channel: string; file_name: string;
  status: 'pending' | 'committed'; parsed: string; report: string | null; created_at: string;
  preview: string | null; interrupted_at: string | null; committing_until: string | null; rows_done: number; rows_total: number;
}
const toBatch = (r: BatchRow): ImportBatch => ({
  id: r.id, userId: r.user_id, campaignId: r.campaign_id, channel: r.channel, fileName: r.file_name,
  status: r.status, parsed: r.parsed, report: r.report, createdAt: r.created_at,
  preview: r.preview, interruptedAt: r.interrupted_at, committingUntil: r.committing_until, rowsDone: r.rows_done, rowsTotal: r.rows_total,
});

export interface CategoryOption { id: number; name: string }

/** A scope filter in SQL: null means everything (admin), else community ids and, for grid workers, grid ids. */
export interface ScopeFilter { communityIds: number[] | 'all'; gridIds: number[] | null }

/** `AND …` keeping rows of the table aliased `alias` within the scope (nothing when it reaches everything). */
function scopeSql(scope: ScopeFilter, alias: string): RawBuilder<unknown> {
  if (scope.gridIds) return sql` AND ${sql.ref(`${alias}.grid_id`)} IN ${inList(scope.gridIds)}`;
  if (scope.communityIds !== 'all') return sql` AND ${sql.ref(`${alias}.community_id`)} IN ${inList(scope.communityIds)}`;
  return sql``;
}

/** How long ago a pending batch nobody confirmed is forgotten. */
const PENDING_BATCH_SECONDS = 2 * 24 * 3600;

export function createIntakeRepo(on: Queries) {
  const d = dialectOf(on);
  /** The batch without its rows (`parsed` is ''): megabytes for a big sheet, not needed by the preview, result and progress polls. */
  const BATCH_META = sql.raw(`id, user_id, campaign_id, channel, file_name, status, '' AS parsed, report,
    created_at, preview, interrupted_at, committing_until, rows_done, rows_total`);
  const meetingByKey = async (key: string) => toMeeting((await one<MeetingRow>(on, sql`SELECT * FROM meetings WHERE idempotency_key = ${key}`))!);

  return {
    /** Inserts once per idempotency key; a repeated save returns the meeting already stored. */
    async insertMeeting(m: NewMeeting): Promise<{ meeting: Meeting; created: boolean }> {
      const changed = await run(on, sql`INSERT INTO meetings
        (campaign_id, idempotency_key, held_on, community_id, grid_id, compound_id, location, attendance, topic, entered_by)
        VALUES (${m.campaignId}, ${m.idempotencyKey}, ${m.heldOn}, ${m.communityId}, ${m.gridId}, ${m.compoundId}, ${m.location},
          ${m.attendance}, ${m.topic}, ${m.enteredBy})
        ON CONFLICT (idempotency_key) DO NOTHING`);
      return { meeting: await meetingByKey(m.idempotencyKey), created: changed === 1 };
    },
    async findMeeting(id: number): Promise<Meeting | undefined> {
      const r = await one<MeetingRow>(on, sql`SELECT * FROM meetings WHERE id = ${id}`);
      return r ? toMeeting(r) : undefined;
    },
    async listMeetings(scope: ScopeFilter, campaignId: number | null, limit = 50): Promise<Array<Meeting & { opinions: number }>> {
      const rows = await all<MeetingRow & { opinions: number }>(on, sql`SELECT m.*,
          (SELECT COUNT(*) FROM submissions s WHERE s.meeting_id = m.id) AS opinions
        FROM meetings m WHERE 1 = 1${scopeSql(scope, 'm')}${campaignId ? sql` AND m.campaign_id = ${campaignId}` : sql``}
        ORDER BY m.held_on DESC, m.id DESC LIMIT ${limit}`);
      return rows.map((r) => ({ ...toMeeting(r), opinions: r.opinions }));
    },
    /** Links a submission to its meeting (the shared insert does not know meetings). */
    setMeeting: async (submissionId: number, meetingId: number): Promise<void> => {
      await run(on, sql`UPDATE submissions SET meeting_id = ${meetingId} WHERE id = ${submissionId} AND meeting_id IS NULL`);
    },
    meetingOpinionIds: async (meetingId: number): Promise<number[]> =>
      (await all<{ id: number }>(on, sql`SELECT id FROM submissions WHERE meeting_id = ${meetingId} ORDER BY id`)).map((r) => r.id),
    /** Whether a submission with this idempotency key exists (the preview's "已导入过"). */
    hasKey: async (key: string): Promise<boolean> =>
      (await one(on, sql`SELECT 1 AS found FROM submissions WHERE idempotency_key = ${key}`)) !== undefined,
    countEnteredBy: async (userId: number, campaignId: number): Promise<number> =>
      (await one<{ n: number }>(on, sql`SELECT COUNT(*) AS n FROM submissions WHERE entered_by = ${userId} AND campaign_id = ${campaignId}`))!.n,
    /** The campaign's own categories, or every active category when the campaign lists none. */
    async categoriesFor(campaignId: number): Promise<CategoryOption[]> {
      const own = await all<CategoryOption>(on, sql`SELECT c.id, c.name FROM campaign_categories cc
        JOIN categories c ON c.id = cc.category_id WHERE cc.campaign_id = ${campaignId} AND c.active = 1 ORDER BY c.sort_order, c.id`);
      return own.length ? own : all<CategoryOption>(on, sql`SELECT id, name FROM categories WHERE active = 1 ORDER BY sort_order, id`);
    },
    /** Offline entries (not the resident form) inside a scope, newest first. */
    async listEntryIds(scope: ScopeFilter, opts: { campaignId?: number | null; enteredBy?: number | null; limit?: number }): Promise<number[]> {
      const rows = await all<{ id: number }>(on, sql`SELECT s.id FROM submissions s WHERE s.channel <> 'online'${scopeSql(scope, 's')}
        ${opts.campaignId ? sql` AND s.campaign_id = ${opts.campaignId}` : sql``}${opts.enteredBy ? sql` AND s.entered_by = ${opts.enteredBy}` : sql``}
        ORDER BY s.created_at DESC, s.id DESC LIMIT ${opts.limit ?? 50}`);
      return rows.map((r) => r.id);
    },

    async insertBatch(b: { id: string; userId: number | null; campaignId: number; channel: string; fileName: string; parsed: string; preview: string | null }): Promise<void> {
      await run(on, sql`INSERT INTO import_batches (id, user_id, campaign_id, channel, file_name, parsed, preview)
        VALUES (${b.id}, ${b.userId}, ${b.campaignId}, ${b.channel}, ${b.fileName}, ${b.parsed}, ${b.preview})`);
    },
    setPreview: async (id: string, preview: string): Promise<void> => { await run(on, sql`UPDATE import_batches SET preview = ${preview} WHERE id = ${id}`); },
    /** Records that a shutdown stopped this batch's commit after `done` of `total` rows. */
    markInterrupted: async (id: string, lease: string, done: number, total: number): Promise<void> => {
      await run(on, sql`UPDATE import_batches SET interrupted_at = ${d.nowIso}, rows_done = ${done}, rows_total = ${total}
        WHERE id = ${id} AND status = 'pending' AND commit_lease = ${lease}`);
    },
    /**
     * Takes the commit lease of a pending batch for `seconds`: false when a commit holds it now (on any app
     * server) or the batch is committed. The progress starts again from 0.
     */
    claimCommit: async (id: string, seconds: number, lease: string): Promise<boolean> =>
      (await run(on, sql`UPDATE import_batches SET committing_until = ${d.nowIsoPlus(Math.round(seconds))},
        commit_lease = ${lease}, rows_done = 0, rows_total = 0 WHERE id = ${id} AND status = 'pending'
        AND (committing_until IS NULL OR committing_until < ${d.nowIso})`)) === 1,
    /**
     * Renews the lease and records the progress (written with each chunk, in its transaction). False when this lease
     * is no longer the batch's (it ran out and another commit took the batch over).
     */
    renewCommit: async (id: string, lease: string, done: number, total: number, seconds: number): Promise<boolean> =>
      (await run(on, sql`UPDATE import_batches SET committing_until = ${d.nowIsoPlus(Math.round(seconds))},
        rows_done = ${done}, rows_total = ${total} WHERE id = ${id} AND commit_lease = ${lease}`)) === 1,
    /** Gives the lease up (the commit finished, failed or was interrupted). */
    endCommit: async (id: string, lease: string): Promise<void> => {
      await run(on, sql`UPDATE import_batches SET committing_until = NULL, commit_lease = NULL WHERE id = ${id} AND commit_lease = ${lease}`);
    },
    /** Which of these idempotency keys are stored (a few hundred at a time). */
    existingKeys: async (keys: string[]): Promise<string[]> => (keys.length
      ? (await all<{ idempotency_key: string }>(on, sql`SELECT idempotency_key FROM submissions WHERE idempotency_key IN ${inList(keys)}`))
        .map((r) => r.idempotency_key)
      : []),
    async findBatch(id: string): Promise<ImportBatch | undefined> {
      const r = await one<BatchRow>(on, sql`SELECT * FROM import_batches WHERE id = ${id}`);
      return r ? toBatch(r) : undefined;
    },
    /** The batch without its rows (`parsed` is ''). */
    async findBatchMeta(id: string): Promise<ImportBatch | undefined> {
      const r = await one<BatchRow>(on, sql`SELECT ${BATCH_META} FROM import_batches WHERE id = ${id}`);
      return r ? toBatch(r) : undefined;
    },
    /**
     * Marks a pending batch committed with its report; its parts go separately (dropParts), a few at a time. Only by
     * the commit holding the lease: false when another took the batch over or committed it.
     */
    commitBatch: async (id: string, lease: string, report: string): Promise<boolean> =>
      (await run(on, sql`UPDATE import_batches SET status = 'committed', report = ${report},
        committed_at = ${d.nowIso}, parsed = '[]', committing_until = NULL, commit_lease = NULL
        WHERE id = ${id} AND status = 'pending' AND commit_lease = ${lease}`)) === 1,
    /** Deletes up to `max` parts of a batch; how many went. */
    dropParts: (id: string, max: number): Promise<number> => run(on, sql`DELETE FROM import_batch_parts WHERE batch_id = ${id} AND seq IN
      (SELECT seq FROM import_batch_parts WHERE batch_id = ${id} ORDER BY seq LIMIT ${max})`),
    /** Forgets previews nobody confirmed, and parts whose batch is gone (purged, or never stored: the upload failed half-way). */
    async purgePendingBatches(olderThanSeconds = PENDING_BATCH_SECONDS): Promise<void> {
      const before = d.nowIsoPlus(-olderThanSeconds);
      await run(on, sql`DELETE FROM import_batches WHERE status = 'pending' AND created_at < ${before}`);
      await run(on, sql`DELETE FROM import_batch_parts WHERE created_at < ${before}
        AND batch_id NOT IN (SELECT id FROM import_batches WHERE status = 'pending')`);
    },
    /** One part of a batch's rows (src/db/migrations/095_import_batch_parts.sql): bytes on both engines (bytea). */
    insertPart: async (batchId: string, seq: number, data: Buffer): Promise<void> => {
      await run(on, sql`INSERT INTO import_batch_parts (batch_id, seq, data) VALUES (${batchId}, ${seq}, ${data})`);
    },
    partCount: async (batchId: string): Promise<number> =>
      (await one<{ n: number }>(on, sql`SELECT COUNT(*) AS n FROM import_batch_parts WHERE batch_id = ${batchId}`))?.n ?? 0,
    part: async (batchId: string, seq: number): Promise<Buffer | undefined> =>
      (await one<{ data: Buffer }>(on, sql`SELECT data FROM import_batch_parts WHERE batch_id = ${batchId} AND seq = ${seq}`))?.data,
  };
}
export type IntakeRepo = ReturnType<typeof createIntakeRepo>;
