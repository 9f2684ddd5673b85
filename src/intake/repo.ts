import type { Db } from '../db/open-db';

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

function scopeWhere(alias: string, scope: ScopeFilter): { sql: string; params: number[] } {
  const parts: string[] = [];
  const params: number[] = [];
  if (scope.gridIds) {
    parts.push(`${alias}.grid_id IN (${scope.gridIds.map(() => '?').join(',') || 'NULL'})`);
    params.push(...scope.gridIds);
  } else if (scope.communityIds !== 'all') {
    parts.push(`${alias}.community_id IN (${scope.communityIds.map(() => '?').join(',') || 'NULL'})`);
    params.push(...scope.communityIds);
  }
  return { sql: parts.length ? parts.join(' AND ') : '1', params };
}

export function createIntakeRepo(db: Db) {
  const insertMeeting = db.prepare(`INSERT INTO meetings
    (campaign_id, idempotency_key, held_on, community_id, grid_id, compound_id, location, attendance, topic, entered_by)
    VALUES (@campaignId, @idempotencyKey, @heldOn, @communityId, @gridId, @compoundId, @location, @attendance, @topic, @enteredBy)
    ON CONFLICT(idempotency_key) DO NOTHING`);
  const meetingById = db.prepare<[number], MeetingRow>('SELECT * FROM meetings WHERE id = ?');
  const meetingByKey = db.prepare<[string], MeetingRow>('SELECT * FROM meetings WHERE idempotency_key = ?');
  const setMeeting = db.prepare('UPDATE submissions SET meeting_id = ? WHERE id = ? AND meeting_id IS NULL');
  const meetingOpinionIds = db.prepare('SELECT id FROM submissions WHERE meeting_id = ? ORDER BY id').pluck();
  const keyExists = db.prepare('SELECT 1 FROM submissions WHERE idempotency_key = ?').pluck();
  const countByUser = db.prepare('SELECT COUNT(*) FROM submissions WHERE entered_by = ? AND campaign_id = ?').pluck();
  const activeCategories = db.prepare<[], CategoryOption>('SELECT id, name FROM categories WHERE active = 1 ORDER BY sort_order, id');
  const campaignCategories = db.prepare<[number], CategoryOption>(`SELECT c.id, c.name FROM campaign_categories cc
    JOIN categories c ON c.id = cc.category_id WHERE cc.campaign_id = ? AND c.active = 1 ORDER BY c.sort_order, c.id`);

  const insertBatch = db.prepare(`INSERT INTO import_batches (id, user_id, campaign_id, channel, file_name, parsed, preview)
    VALUES (@id, @userId, @campaignId, @channel, @fileName, @parsed, @preview)`);
  const setPreview = db.prepare('UPDATE import_batches SET preview = ? WHERE id = ?');
  const markInterrupted = db.prepare(`UPDATE import_batches SET interrupted_at = strftime('%Y-%m-%dT%H:%M:%fZ', 'now'),
    rows_done = ?, rows_total = ? WHERE id = ? AND status = 'pending' AND commit_lease = ?`);
  const batchById = db.prepare<[string], BatchRow>('SELECT * FROM import_batches WHERE id = ?');
  // Without the rows read from the file (megabytes for a big sheet): for the preview, the result and progress polls.
  const batchMetaById = db.prepare<[string], BatchRow>(`SELECT id, user_id, campaign_id, channel, file_name, status, '' AS parsed, report,
    created_at, preview, interrupted_at, committing_until, rows_done, rows_total FROM import_batches WHERE id = ?`);
  // The lease's end: now plus a modifier such as '+60 seconds'.
  const claimCommit = db.prepare(`UPDATE import_batches SET committing_until = strftime('%Y-%m-%dT%H:%M:%fZ', 'now', ?),
    commit_lease = ?, rows_done = 0, rows_total = 0 WHERE id = ? AND status = 'pending'
    AND (committing_until IS NULL OR committing_until < strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))`);
  const renewCommit = db.prepare(`UPDATE import_batches SET committing_until = strftime('%Y-%m-%dT%H:%M:%fZ', 'now', ?),
    rows_done = ?, rows_total = ? WHERE id = ? AND commit_lease = ?`);
  const endCommit = db.prepare('UPDATE import_batches SET committing_until = NULL, commit_lease = NULL WHERE id = ? AND commit_lease = ?');
  const commitBatch = db.prepare(`UPDATE import_batches SET status = 'committed', report = ?,
    committed_at = strftime('%Y-%m-%dT%H:%M:%fZ', 'now'), parsed = '[]', committing_until = NULL, commit_lease = NULL
    WHERE id = ? AND status = 'pending' AND commit_lease = ?`);
  const purgeBatches = db.prepare(`DELETE FROM import_batches WHERE status = 'pending'
    AND created_at < strftime('%Y-%m-%dT%H:%M:%fZ', 'now', ?)`);
  const insertPart = db.prepare('INSERT INTO import_batch_parts (batch_id, seq, data) VALUES (?, ?, ?)');
  const partBySeq = db.prepare<[string, number], Buffer>('SELECT data FROM import_batch_parts WHERE batch_id = ? AND seq = ?').pluck();
  const partCount = db.prepare<[string], number>('SELECT COUNT(*) FROM import_batch_parts WHERE batch_id = ?').pluck();
  const deleteFirstParts = db.prepare(`DELETE FROM import_batch_parts WHERE batch_id = ? AND seq IN
    (SELECT seq FROM import_batch_parts WHERE batch_id = ? ORDER BY seq LIMIT ?)`);
  // Parts whose batch is gone (purged, or never stored because the upload failed half-way).
  const purgeParts = db.prepare(`DELETE FROM import_batch_parts WHERE created_at < strftime('%Y-%m-%dT%H:%M:%fZ', 'now', ?)
    AND batch_id NOT IN (SELECT id FROM import_batches WHERE status = 'pending')`);

  return {
    /** Inserts once per idempotency key; a repeated save returns the meeting already stored. */
    insertMeeting(m: NewMeeting): { meeting: Meeting; created: boolean } {
      const info = insertMeeting.run(m);
      return { meeting: toMeeting(meetingByKey.get(m.idempotencyKey)!), created: info.changes === 1 };
    },
    findMeeting: (id: number) => { const r = meetingById.get(id); return r ? toMeeting(r) : undefined; },
    listMeetings(scope: ScopeFilter, campaignId: number | null, limit = 50): Array<Meeting & { opinions: number }> {
      const w = scopeWhere('m', scope);
      const rows = db.prepare(`SELECT m.*, (SELECT COUNT(*) FROM submissions s WHERE s.meeting_id = m.id) AS opinions
        FROM meetings m WHERE ${w.sql} ${campaignId ? 'AND m.campaign_id = ?' : ''}
        ORDER BY m.held_on DESC, m.id DESC LIMIT ?`)
        .all(...w.params, ...(campaignId ? [campaignId] : []), limit) as Array<MeetingRow & { opinions: number }>;
      return rows.map((r) => ({ ...toMeeting(r), opinions: r.opinions }));
    },
    /** Links a submission to its meeting (the shared insert does not know meetings). */
    setMeeting: (submissionId: number, meetingId: number) => { setMeeting.run(meetingId, submissionId); },
    meetingOpinionIds: (meetingId: number) => meetingOpinionIds.all(meetingId) as number[],
    /** Whether a submission with this idempotency key exists (the preview's "已导入过"). */
    hasKey: (key: string) => keyExists.get(key) !== undefined,
    countEnteredBy: (userId: number, campaignId: number) => countByUser.get(userId, campaignId) as number,
    /** The campaign's own categories, or every active category when the campaign lists none. */
    categoriesFor(campaignId: number): CategoryOption[] {
      const own = campaignCategories.all(campaignId);
      return own.length ? own : activeCategories.all();
    },
    /** Offline entries (not the resident form) inside a scope, newest first. */
    listEntryIds(scope: ScopeFilter, opts: { campaignId?: number | null; enteredBy?: number | null; limit?: number }): number[] {
      const w = scopeWhere('s', scope);
      const extra: string[] = [];
      const params: unknown[] = [...w.params];
      if (opts.campaignId) { extra.push('s.campaign_id = ?'); params.push(opts.campaignId); }
      if (opts.enteredBy) { extra.push('s.entered_by = ?'); params.push(opts.enteredBy); }
      return db.prepare(`SELECT s.id FROM submissions s WHERE s.channel <> 'online' AND ${w.sql}
        ${extra.map((e) => 'AND ' + e).join(' ')} ORDER BY s.created_at DESC, s.id DESC LIMIT ?`)
        .pluck().all(...params, opts.limit ?? 50) as number[];
    },

    insertBatch: (b: { id: string; userId: number | null; campaignId: number; channel: string; fileName: string; parsed: string; preview: string | null }) => {
      insertBatch.run(b);
    },
    setPreview: (id: string, preview: string) => { setPreview.run(preview, id); },
    /** Records that a shutdown stopped this batch's commit after `done` of `total` rows. */
    markInterrupted: (id: string, lease: string, done: number, total: number) => { markInterrupted.run(done, total, id, lease); },
    /**
     * Takes the commit lease of a pending batch for `seconds`: false when a commit holds it now (on any app
     * server) or the batch is committed. The progress starts again from 0.
     */
    claimCommit: (id: string, seconds: number, lease: string): boolean => claimCommit.run(`+${Math.round(seconds)} seconds`, lease, id).changes === 1,
    /** Renews the lease and records the progress (written with each chunk, in its transaction). */
    /** False when this lease is no longer the batch's (it ran out and another commit took the batch over). */
    renewCommit: (id: string, lease: string, done: number, total: number, seconds: number): boolean =>
      renewCommit.run(`+${Math.round(seconds)} seconds`, done, total, id, lease).changes === 1,
    /** Gives the lease up (the commit finished, failed or was interrupted). */
    endCommit: (id: string, lease: string) => { endCommit.run(id, lease); },
    /** Which of these idempotency keys are stored (a few hundred at a time). */
    existingKeys: (keys: string[]): string[] => (keys.length
      ? db.prepare(`SELECT idempotency_key FROM submissions WHERE idempotency_key IN (${keys.map(() => '?').join(',')})`).pluck().all(...keys) as string[]
      : []),
    findBatch: (id: string) => { const r = batchById.get(id); return r ? toBatch(r) : undefined; },
    /** The batch without its rows (`parsed` is ''). */
    findBatchMeta: (id: string) => { const r = batchMetaById.get(id); return r ? toBatch(r) : undefined; },
    /** Marks a pending batch committed with its report; false when it was already committed. */
    /** Marks a batch committed with its report; its parts go separately (dropParts), a few at a time. */
    /** Only by the commit holding the lease: false when another took the batch over or committed it. */
    commitBatch: (id: string, lease: string, report: string) => commitBatch.run(report, id, lease).changes === 1,
    /** Deletes up to `max` parts of a batch; how many went. */
    dropParts: (id: string, max: number): number => deleteFirstParts.run(id, id, max).changes,
    /** Forgets previews nobody confirmed. */
    purgePendingBatches: (olderThan = '-2 days') => { purgeBatches.run(olderThan); purgeParts.run(olderThan); },
    /** One part of a batch's rows (src/db/migrations/095_import_batch_parts.sql). */
    insertPart: (batchId: string, seq: number, data: Uint8Array) => { insertPart.run(batchId, seq, data); },
    partCount: (batchId: string): number => partCount.get(batchId) ?? 0,
    part: (batchId: string, seq: number): Buffer | undefined => partBySeq.get(batchId, seq),
  };
}
export type IntakeRepo = ReturnType<typeof createIntakeRepo>;
