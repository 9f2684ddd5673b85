import { isBusy, writeWhenFree } from '../db/busy';
import type { Db } from '../db/open-db';
import type { SubmissionRepo } from './repo';
import type { NewSubmission, Submission } from './types';

/** A category the classifier may choose: the campaign's active ones, in display order. */
export interface CandidateCategory { id: number; name: string }

/**
 * Auto-categorization (src/classify): fills category, confidence and needs_triage; never throws.
 * `candidates` lets a caller that already read the campaign's active categories spare the second query.
 */
export interface Categorizer { categorize(input: NewSubmission, candidates?: readonly CandidateCategory[]): NewSubmission }

export type RecordResult = { submission: Submission; created: boolean };

/**
 * The one way a submission enters the system — resident form, grid worker entry, import, offline sync —
 * so every channel gets the same rules (idempotency, auto-categorization, triage).
 */
export function createSubmissionService(deps: {
  repo: SubmissionRepo; classify?: Categorizer; db?: Db;
  /** Syncs the database's WAL off the event loop (src/db/busy.ts walSyncer); null: commits wait for the disk inside SQLite. */
  syncWal?: (() => Promise<void>) | null;
}) {
  const prepare = (input: NewSubmission, candidates?: readonly CandidateCategory[]) =>
    (deps.classify ? deps.classify.categorize(input, candidates) : input);
  const insert = (input: NewSubmission) => deps.repo.insert(input);

  // Group commit: submissions that arrive while the previous commit is being written to disk are committed
  // together in one transaction, so a burst of residents costs one fsync per batch instead of one each.
  // Every caller still gets its answer only after its own row is durably committed. When another process holds
  // the write lock (the CLI importing), the batch waits for it without blocking the event loop
  // (src/db/busy.ts), and whatever arrives meanwhile joins the next batch.
  let queue: Array<{ input: NewSubmission; resolve: (r: RecordResult) => void; reject: (e: unknown) => void }> = [];
  let scheduled = false;
  // Batches committed unsynced, and how many of them a finished WAL sync covers: a row read back before its batch
  // is synced (a retried photo form finds its receipt by key) waits for it (whenDurable).
  let committed = 0;
  let synced = 0;
  let waiting: Array<{ upTo: number; resolve: () => void; reject: (e: unknown) => void }> = [];
  const settleWaiting = (err?: unknown) => {
    const still: typeof waiting = [];
    for (const w of waiting) {
      if (err !== undefined) w.reject(err);
      else if (w.upTo <= synced) w.resolve();
      else still.push(w);
    }
    waiting = still;
  };
  const flush = async () => {
    const batch = queue;
    queue = [];
    if (batch.length === 0) { scheduled = false; return; }
    let results: RecordResult[] | undefined;
    let failed: unknown;
    const sync = deps.syncWal;
    try {
      results = deps.db ? await writeWhenFree(deps.db, () => {
        const rows = batch.map((b) => insert(b.input));
        if (sync) committed++;
        return rows;
      }, { unsynced: !!sync }) : undefined;
    } catch (err) {
      if (isBusy(err)) failed = err;
      results = undefined;
    }
    if (results && sync) {
      // Answered only once the commit is on stable storage. A disk that fails the sync fails the whole batch (the
      // rows may be in, not known to be safe): each resident is told to try again, and the retry finds its row.
      const upTo = committed;
      try {
        await sync();
        synced = Math.max(synced, upTo);
        settleWaiting();
      } catch (err) {
        // Marked: the rows are in the database, only not known to be on the disk (a photo they name must stay).
        failed = Object.assign(typeof err === 'object' && err !== null ? err : new Error(String(err)), { committed: true });
        results = undefined;
        settleWaiting(failed);
      }
    }
    if (results) batch.forEach((b, i) => b.resolve(results![i]));
    else if (failed) batch.forEach((b) => b.reject(failed));
    else {
      // The batch was rolled back as a whole (or there is no db handle): one bad row must not fail its
      // neighbours, so each goes in on its own and gets its own answer.
      for (const b of batch) {
        try { b.resolve(insert(b.input)); } catch (err) { b.reject(err); }
      }
    }
    if (queue.length) setImmediate(() => { void flush(); });
    else scheduled = false;
  };

  return {
    /** Resolves once every batch committed so far is on stable storage (at once when commits sync themselves). */
    whenDurable(): Promise<void> {
      if (committed <= synced) return Promise.resolve();
      return new Promise((resolve, reject) => waiting.push({ upTo: committed, resolve, reject }));
    },
    /** Stores one submission synchronously (imports and entry pages run it inside their own transactions). */
    record(input: NewSubmission): RecordResult {
      return insert(prepare(input));
    },
    /** Auto-categorization alone: imports run it before their transaction, so the write lock is held for inserts only. */
    categorize: (input: NewSubmission): NewSubmission => prepare(input),
    /** Stores a submission already categorized (by `categorize`). */
    recordPrepared: (input: NewSubmission): RecordResult => insert(input),

    /**
     * Stores one submission as part of the next group commit; resolves once it is durably on disk.
     * `candidates`: the campaign's active categories in display order, when the caller has them at hand.
     */
    recordDurably(input: NewSubmission, candidates?: readonly CandidateCategory[]): Promise<RecordResult> {
      const prepared = prepare(input, candidates);
      return new Promise((resolve, reject) => {
        queue.push({ input: prepared, resolve, reject });
        if (!scheduled) {
          scheduled = true;
          setImmediate(() => { void flush(); });
        }
      });
    },
  };
}
export type SubmissionService = ReturnType<typeof createSubmissionService>;
