import type { Engine, Queries } from '../db/engine';
import { isBusy } from '../db/busy';
import { createSubmissionRepo } from './repo';
import type { NewSubmission, Submission } from './types';

/** A category the classifier may choose: the campaign's active ones, in display order. */
export interface CandidateCategory { id: number; name: string }

/**
 * Auto-categorization (src/classify): fills category, confidence and needs_triage; never throws.
 * `candidates` lets a caller that already read the campaign's active categories spare the second query.
 */
export interface Categorizer {
  /** `on`: the caller's unit of work, to read the category lists inside it. */
  categorize(input: NewSubmission, candidates?: readonly CandidateCategory[], on?: Queries): Promise<NewSubmission>;
}

export type RecordResult = { submission: Submission; created: boolean };

/**
 * The one way a submission enters the system — resident form, grid worker entry, import, offline sync —
 * so every channel gets the same rules (idempotency, auto-categorization, triage).
 */
/**
 * A unit of work that only inserts submissions: their key's unique constraint keeps each once, so on PostgreSQL it
 * runs at READ COMMITTED, and writers of the same dashboard counts wait for each other instead of failing
 * (src/db/engine.ts UnitOfWorkOptions.isolation).
 */
export const INSERTS_ONLY = { isolation: 'read committed' } as const;

export function createSubmissionService(deps: { engine: Pick<Engine, 'queries' | 'unitOfWork'>; classify?: Categorizer }) {
  const { engine } = deps;
  const prepare = async (input: NewSubmission, candidates?: readonly CandidateCategory[], on?: Queries) =>
    (deps.classify ? deps.classify.categorize(input, candidates, on) : input);

  // Group commit: submissions that arrive while the previous commit is being written to disk are committed
  // together in one unit of work, so a burst of residents costs one commit (on SQLite one WAL sync, made off the
  // event loop after the connection is free) per batch instead of one each. Every caller still gets its answer
  // only after its own row is durably committed. When another process holds SQLite's write lock (the CLI
  // importing), the engine waits for it without blocking the event loop, and whatever arrives meanwhile joins the
  // next batch.
  let queue: Array<{ input: NewSubmission; resolve: (r: RecordResult) => void; reject: (e: unknown) => void }> = [];
  let scheduled = false;
  // Batches committed, and how many of them are known durable: a row read back before its batch is (a retried
  // photo form finds its receipt by key) waits for it (whenDurable).
  let committed = 0;
  let durable = 0;
  let waiting: Array<{ upTo: number; resolve: () => void; reject: (e: unknown) => void }> = [];
  const settleWaiting = (err?: unknown) => {
    const still: typeof waiting = [];
    for (const w of waiting) {
      if (err !== undefined) w.reject(err);
      else if (w.upTo <= durable) w.resolve();
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
    let upTo = 0;
    try {
      results = await engine.unitOfWork(async (tx) => {
        const rows = await createSubmissionRepo(tx).insertMany(batch.map((b) => b.input));
        // Counted as the work ends: a commit that fails after it (the disk refused the sync) still counts.
        upTo = ++committed;
        return rows;
      }, INSERTS_ONLY);
      durable = Math.max(durable, upTo);
      settleWaiting();
    } catch (err) {
      results = undefined;
      if (upTo > 0) {
        // The work ended, so the commit was written; the sync after it failed. The rows may be in, not known to
        // be safe: each resident is told to try again, and the retry finds its row. Marked, so that a photo they
        // name stays.
        failed = Object.assign(typeof err === 'object' && err !== null ? err : new Error(String(err)), { committed: true });
        settleWaiting(failed);
      } else if (isBusy(err)) failed = err;
    }
    if (results) batch.forEach((b, i) => b.resolve(results![i]));
    else if (failed) batch.forEach((b) => b.reject(failed));
    else {
      // The batch was rolled back as a whole: one bad row must not fail its neighbours, so each goes in on its
      // own and gets its own answer.
      for (const b of batch) {
        try { b.resolve(await engine.unitOfWork((tx) => createSubmissionRepo(tx).insert(b.input), INSERTS_ONLY)); } catch (err) { b.reject(err); }
      }
    }
    if (queue.length) setImmediate(() => { void flush(); });
    else scheduled = false;
  };
  const insertOn = (input: NewSubmission, tx?: Queries): Promise<RecordResult> =>
    (tx ? createSubmissionRepo(tx).insert(input) : engine.unitOfWork((own) => createSubmissionRepo(own).insert(input), INSERTS_ONLY));

  return {
    /** Resolves once every batch committed so far is on stable storage. */
    whenDurable(): Promise<void> {
      if (committed <= durable) return Promise.resolve();
      return new Promise((resolve, reject) => waiting.push({ upTo: committed, resolve, reject }));
    },
    /** Stores one submission, inside the caller's unit of work `tx` or in one of its own. */
    record: async (input: NewSubmission, tx?: Queries): Promise<RecordResult> => insertOn(await prepare(input, undefined, tx), tx),
    /** Auto-categorization alone: imports run it before their unit of work, so the write lock is held for inserts only. */
    categorize: (input: NewSubmission): Promise<NewSubmission> => prepare(input),
    /** Stores a submission already categorized (by `categorize`), inside `tx` or on its own. */
    recordPrepared: (input: NewSubmission, tx?: Queries): Promise<RecordResult> => insertOn(input, tx),
    /**
     * Many submissions already categorized, in order, inside the caller's unit of work: one statement per 200 rows
     * (an import's chunk), each answered as `recordPrepared` would (created, or found by its key).
     */
    recordPreparedMany: (inputs: readonly NewSubmission[], tx: Queries): Promise<RecordResult[]> => createSubmissionRepo(tx).insertMany(inputs),

    /**
     * Stores one submission as part of the next group commit; resolves once it is durably on disk.
     * `candidates`: the campaign's active categories in display order, when the caller has them at hand.
     */
    async recordDurably(input: NewSubmission, candidates?: readonly CandidateCategory[]): Promise<RecordResult> {
      const prepared = await prepare(input, candidates);
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
