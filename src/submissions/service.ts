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
  const flush = async () => {
    const batch = queue;
    queue = [];
    if (batch.length === 0) { scheduled = false; return; }
    let results: RecordResult[] | undefined;
    let failed: unknown;
    const sync = deps.syncWal;
    try {
      results = deps.db ? await writeWhenFree(deps.db, () => batch.map((b) => insert(b.input)), { unsynced: !!sync }) : undefined;
    } catch (err) {
      if (isBusy(err)) failed = err;
      results = undefined;
    }
    if (results && sync) {
      // Answered only once the commit is on stable storage. A disk that fails the sync fails the whole batch (the
      // rows may be in, not known to be safe): each resident is told to try again, and the retry finds its row.
      try { await sync(); } catch (err) { failed = err; results = undefined; }
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
