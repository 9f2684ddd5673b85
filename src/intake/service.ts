import path from 'node:path';
import { reachesRecord, type Reach, type Viewer } from '../access/rules';
import type { Campaign, CampaignRepo } from '../campaigns/repo';
import { chinaToday } from '../campaigns/rules';
import { ConflictError, DomainError, forbidden, invalid, notFound } from '../lib/errors';
import { createWorker } from '../lib/worker';
import { randomToken } from '../lib/random';
import type { Engine } from '../db/engine';
import type { Place, PlaceRepo } from '../places/repo';
import type { SubmissionRepo } from '../submissions/repo';
import { INSERTS_ONLY, type SubmissionService } from '../submissions/service';
import type { Channel, NewSubmission, Submission, SubmissionKind } from '../submissions/types';
import { createIntakeRepo, type CategoryOption, type ImportBatch, type IntakeRepo, type Meeting, type NewMeeting } from './repo';
import type { ParsedSheet } from './import/parse-sheet';
import { chunksOf, joinKeys, keysOf, movable, parsedSize, parsedText, previewOf, runPlanJob, type ImportPreview, type JoinedKeys, type Parsed, type PlanJob, type PlanOutput, splitKeys } from './import/plan-worker';
import { planRows, type DatesPolicy, type DateToConfirm, type ImportPlan, type PlanSnapshot, type RowNote, type RowProblem } from './plan';
import { checkCollectionDate, DateNeedsConfirmation } from './rules';

export { IMPORT_MESSAGES, type DatesPolicy, type DateToConfirm, type ImportPlan, type RowNote, type RowProblem } from './plan';
export type { ImportPreview } from './import/plan-worker';

/**
 * Rows per transaction when an import commits on SQLite (categorized before it): a few milliseconds of lock, so
 * residents' submissions get in between, and on the server a few milliseconds of the event loop per chunk (50 rows
 * took up to ~55 ms under the mixed benchmark's load; the commits are unsynced, so smaller chunks cost little).
 * 10 rather than 25: a resident's commit waited for the CLI's chunk up to 25 ms at p99 (/internal/metrics), and
 * the residents' p99 under the mixed load went from 53–90 ms to 43 ms; a 50,000-row import took ~20% longer.
 */
export const COMMIT_CHUNK_ROWS = 10;
/**
 * The same on PostgreSQL, where rows lock one by one and residents' inserts never wait for an import's chunk: a
 * transaction per 25 rows there cost a round trip and a commit each (10,000 rows took 7–8 s, more than the goal).
 */
export const POSTGRES_COMMIT_CHUNK_ROWS = 200;
/** Files up to this size are read and planned inline (a few milliseconds); bigger ones in the worker thread. */
export const INLINE_BYTES = 64 * 1024;
/** Stored rows (as JSON) up to this size are re-planned inline at commit; more in the worker thread. */
const INLINE_PARSED_CHARS = 256 * 1024;
const KEY_LOOKUP_CHUNK = 500;
/** Stored parts of an upload's rows (bytes of JSON): a few milliseconds to write or read each. */
const PART_BYTES = 512 * 1024;
/** New rows shown in the preview. */
export const PREVIEW_ROWS = 20;
/** Rows with a date to confirm listed one by one; beyond that, by row numbers (a whole old sheet can be 10,000 rows). */
export const DATED_ROWS_SHOWN = 200;

const yieldNow = () => new Promise<void>((resolve) => { setImmediate(resolve); });

/** An import commit stopped by a shutdown after a whole chunk: confirming the preview again resumes it. */
export class ImportInterrupted extends ConflictError {
  constructor(readonly done: number, readonly total: number) {
    super(`服务器正在重启，导入已暂停：已导入 ${done} / ${total} 条，已导入的部分都已保存。服务器恢复后打开这次导入，再点一次“确认导入”即可从中断处继续，不会重复。`);
    this.name = 'ImportInterrupted';
  }
}

/** A second confirmation while the commit runs (on this app server or another). */
export class ImportRunning extends ConflictError {
  constructor() {
    super('这次导入正在进行中，请稍候，页面会显示进度。');
    this.name = 'ImportRunning';
  }
}

/**
 * How long a commit's lease holds unless renewed. It is renewed with the chunks (every PROGRESS_WRITE_MS); a server
 * that died mid-commit leaves it behind, and confirming again resumes once it has run out.
 */
export const COMMIT_LEASE_SECONDS = 60;
/**
 * The lease and the progress are written with a chunk at most this often: the batch row holds the stored preview,
 * so each write rewrites it, and one per 25-row chunk made a 10,000-row commit 15 % slower (measured).
 */
export const PROGRESS_WRITE_MS = 500;

/** Channels staff enter by hand or import; `online` belongs to the resident form only. */
export const INTAKE_CHANNELS = ['door_to_door', 'meeting', 'paper_survey', 'city_app', 'hotline'] as const satisfies readonly Channel[];
export type IntakeChannel = (typeof INTAKE_CHANNELS)[number];

export const MESSAGES = {
  campaignDraft: '这次征求意见还是草稿，还不能录入。请先在“征求意见”页面发布。',
  noCommunity: '请选择社区。',
  notInCampaign: '这个社区不在本次征求意见的范围内。',
  gridNotInCommunity: '所选网格不属于这个社区。',
  compoundNotInCommunity: '所选小区/楼院不属于这个社区。',
  gridRequired: '请选择您负责的网格。',
  categoryNotInCampaign: '所选分类不在本次征求意见的目录中。',
  futureDate: '日期不能晚于今天。',
  afterClose: (endsOn: string) => `这次征求意见已于 ${endsOn} 结束，之后收集的意见不能再录入。请核对日期；新的意见请录入到正在进行的征求意见中。`,
  noOpinions: '请至少填写一条意见。',
  batchGone: '找不到这次导入（可能已过期）。请重新上传文件。',
};

export interface EntryInput {
  campaignId: number;
  channel: IntakeChannel;
  collectedOn: string;
  communityId: number;
  gridId: number | null;
  compoundId: number | null;
  building: string | null;
  residentName: string | null;
  residentPhone: string | null;
  kind: SubmissionKind;
  categoryId: number | null;
  text: string;
  photoFile: string | null;
  /** Random per form render (or per offline entry): a double submit or a re-send is one record. */
  idempotencyKey: string;
  /** The date the person confirmed as right although it is before the campaign or over a year ago. */
  confirmedDate?: string | null;
}

/** A meeting as the form gives it (who entered it comes from the session), with the opinions raised there. */
export type MeetingInput = Omit<NewMeeting, 'enteredBy'> & {
  opinions: Array<{ kind: SubmissionKind; categoryId: number | null; text: string }>;
  /** As for quick entry: the meeting date, confirmed although it is before the campaign or over a year ago. */
  confirmedDate?: string | null;
};

export interface ImportReport {
  fileName: string;
  sheetName: string | null;
  headerRow: number;
  /** Header columns the import does not use (unknown titles, a second 社区…), so the report can name them. */
  ignoredColumns?: Array<{ column: string; title: string }>;
  channel: IntakeChannel;
  campaignId: number;
  /** Non-blank data rows read. */
  total: number;
  imported: number;
  /** Sheet rows skipped because the same row was imported before. */
  alreadyImported: number[];
  rejected: RowProblem[];
  notes: RowNote[];
  /** Rows whose date needed confirming (absent in reports stored before this existed). */
  datesToConfirm?: DateToConfirm[];
  /** Whether those rows were confirmed and imported; if not, they are among `rejected`. */
  datesAccepted?: boolean;
}

interface Deps {
  /**
   * The batch, report and interruption writes are durable (`queries`, or a unit of work). The lease, the parts
   * written before their batch row and the parts dropped after the report are `ephemeral`: on SQLite the durable
   * write after them syncs them too, and a lease or a drop lost to a power cut only runs out or waits for the purge.
   */
  engine: Pick<Engine, 'kind' | 'unitOfWork' | 'queries' | 'ephemeral'>;
  places: Pick<PlaceRepo, 'findById' | 'list' | 'ofKind' | 'communityIdsUnder'>;
  campaigns: Pick<CampaignRepo, 'findById' | 'list' | 'communityIds'>;
  submissions: SubmissionRepo; submissionService: SubmissionService;
}

/** The sheet's sheet name, header row and ignored columns, for reports of batches stored before previews were. */
function sheetMeta(parsed: string) {
  const sheet = JSON.parse(parsed) as ParsedSheet;
  return { sheetName: sheet.sheetName, headerRow: sheet.headerRow, ignoredColumns: sheet.ignoredColumns ?? [] };
}

/**
 * Offline intake: quick entry, meetings, spreadsheet import. Who may touch what is decided here, once:
 * admin everything; staff their sub-district/community; grid workers only their grids. A `null` actor is
 * the command line, run by whoever holds the server's data directory.
 */
/** A chunk's outcome: how many rows went in, and the sheet rows that were in already (found by their keys). */
function tally(part: ReadonlyArray<{ row: number }>, results: ReadonlyArray<{ created: boolean }>): { created: number; again: number[] } {
  return { created: results.filter((r) => r.created).length, again: part.filter((_, k) => !results[k].created).map((v) => v.row) };
}

export function createIntakeService(deps: Deps & { repo?: IntakeRepo; inlineBytes?: number }) {
  const repo = deps.repo ?? createIntakeRepo(deps.engine.queries);
  /** The same statements committed without waiting for the disk (Engine.ephemeral). */
  const unsynced = createIntakeRepo(deps.engine.ephemeral);
  const inlineBytes = deps.inlineBytes ?? INLINE_BYTES;
  const chunkRows = deps.engine.kind === 'postgres' ? POSTGRES_COMMIT_CHUNK_ROWS : COMMIT_CHUNK_ROWS;
  const inlineParsed = deps.inlineBytes === undefined ? INLINE_PARSED_CHARS : deps.inlineBytes;
  const planWorker = createWorker<PlanJob, PlanOutput>(path.join(__dirname, 'import', 'plan-worker'), 'runPlanJob');

  /** The command line (no user) reaches everything. */
  const scopeFor = (user: Viewer | null): Pick<Reach, 'communityIds' | 'gridIds'> => (user ? user.reach : { communityIds: 'all', gridIds: null });

  /** The communities a campaign collects from: its own list, else its sub-district's, else all. */
  async function coverage(c: Campaign): Promise<Set<number> | 'all'> {
    const ids = await deps.campaigns.communityIds(c.id);
    if (ids.length) return new Set(ids);
    if (c.subdistrictId) return new Set(await deps.places.communityIdsUnder(c.subdistrictId));
    return 'all';
  }
  const covers = (cov: Set<number> | 'all', communityId: number) => cov === 'all' || cov.has(communityId);

  /** `communities`: every community, when the caller has read them already (a list of campaigns). */
  async function communitiesFor(user: Viewer | null, c: Campaign, communities?: Place[]): Promise<Place[]> {
    const scope = scopeFor(user);
    const cov = await coverage(c);
    return (communities ?? await deps.places.ofKind('community'))
      .filter((p) => covers(cov, p.id) && (scope.communityIds === 'all' || scope.communityIds.includes(p.id)));
  }

  async function visible(user: Viewer | null, c: Campaign, communities?: Place[]): Promise<boolean> {
    return (await communitiesFor(user, c, communities)).length > 0;
  }

  /** The campaigns `wanted` keeps that this user may see, newest first. */
  async function visibleCampaigns(user: Viewer | null, wanted: (c: Campaign) => boolean): Promise<Campaign[]> {
    const communities = await deps.places.ofKind('community');
    const out: Campaign[] = [];
    for (const c of await deps.campaigns.list()) if (wanted(c) && await visible(user, c, communities)) out.push(c);
    return out;
  }

  async function campaignFor(user: Viewer | null, id: number, forWrite: boolean): Promise<Campaign> {
    const c = await deps.campaigns.findById(id);
    if (!c || !await visible(user, c)) throw notFound('征求意见活动');
    if (forWrite && c.status === 'draft') throw invalid(MESSAGES.campaignDraft);
    return c;
  }

  /** Checks a (community, grid, compound) choice against the campaign and the user's scope. */
  async function checkPlace(user: Viewer | null, c: Campaign, p: { communityId: number; gridId: number | null; compoundId: number | null }): Promise<void> {
    const community = await deps.places.findById(p.communityId);
    if (!community || community.kind !== 'community') throw invalid(MESSAGES.noCommunity);
    if (!covers(await coverage(c), community.id)) throw invalid(MESSAGES.notInCampaign);
    const scope = scopeFor(user);
    if (p.gridId !== null) {
      const grid = await deps.places.findById(p.gridId);
      if (!grid || grid.kind !== 'grid' || grid.parentId !== community.id) throw invalid(MESSAGES.gridNotInCommunity);
    } else if (scope.gridIds) {
      throw invalid(MESSAGES.gridRequired);
    }
    if (!reachesRecord(scope, community.id, p.gridId)) throw forbidden();
    if (p.compoundId !== null) {
      const compound = await deps.places.findById(p.compoundId);
      if (!compound || compound.kind !== 'compound' || compound.parentId !== community.id) throw invalid(MESSAGES.compoundNotInCommunity);
    }
  }

  async function checkCategory(c: Campaign, categoryId: number | null): Promise<void> {
    if (categoryId !== null && !(await repo.categoriesFor(c.id)).some((k) => k.id === categoryId)) {
      throw invalid(MESSAGES.categoryNotInCampaign);
    }
  }

  /** A form's date: refused, or sent back for confirmation (src/intake/rules.ts), unless it was confirmed. */
  function checkDate(c: Campaign, day: string, confirmedDate: string | null | undefined, field: string): void {
    const check = checkCollectionDate(c, day, chinaToday());
    if (check.block === 'future') throw invalid(MESSAGES.futureDate);
    if (check.block === 'afterClose') throw invalid(MESSAGES.afterClose(c.endsOn));
    if (check.doubts.length && confirmedDate !== day) throw new DateNeedsConfirmation(day, check.doubts, field);
  }

  /** The submissions of these ids that exist, in the same order. */
  async function submissionsOf(ids: number[]): Promise<Submission[]> {
    const out: Submission[] = [];
    for (const id of ids) {
      const s = await deps.submissions.findById(id);
      if (s) out.push(s);
    }
    return out;
  }

  /** Keys from browsers are namespaced per user, so nobody can hit someone else's record by guessing a key. */
  const entryKey = (user: Viewer | null, key: string) => `intake:${user?.id ?? 0}:${key}`;

  // ---- import -------------------------------------------------------------------------------------

  /** What planning checks rows against, read now (plain data: it may cross to the worker thread). */
  async function snapshotFor(user: Viewer | null, c: Campaign, channel: IntakeChannel): Promise<PlanSnapshot> {
    const cov = await coverage(c);
    const s = scopeFor(user);
    return {
      campaign: { id: c.id, startsOn: c.startsOn, endsOn: c.endsOn, status: c.status },
      coverage: cov === 'all' ? 'all' : [...cov], scope: { communityIds: s.communityIds, gridIds: s.gridIds },
      places: await deps.places.list(), categories: await repo.categoriesFor(c.id), channel, enteredBy: user?.id ?? null, today: chinaToday(),
    };
  }

  /** Plans inline (the command line, batches stored before previews were): the rows' keys looked up first. */
  async function planImport(user: Viewer | null, c: Campaign, sheet: ParsedSheet, channel: IntakeChannel, dates: DatesPolicy = 'ask'): Promise<ImportPlan> {
    const snapshot = await snapshotFor(user, c, channel);
    const existing = new Set(splitKeys(await existingKeys(joinKeys(keysOf(sheet, c.id)))));
    return planRows(sheet, snapshot, (key) => existing.has(key), dates);
  }

  /** Which of these keys the database holds, looked up a few hundred at a time with the event loop free in between. */
  async function existingKeys(joined: JoinedKeys): Promise<JoinedKeys> {
    // Split a slice at a time: only a few hundred key strings exist at once.
    const out: string[] = [];
    for (let at = 0; at < joined.length;) {
      let end = at;
      for (let n = 0; n < KEY_LOOKUP_CHUNK && end < joined.length; n++) {
        const nl = joined.indexOf('\n', end);
        end = nl < 0 ? joined.length : nl + 1;
      }
      const slice = joined.slice(at, end).split('\n').filter(Boolean);
      for (const k of await repo.existingKeys(slice)) out.push(k);
      at = end;
      if (at < joined.length) await yieldNow();
    }
    return joinKeys(out);
  }
  async function runJob<K extends PlanOutput['kind']>(job: PlanJob, inline: boolean, transfer: ArrayBuffer[] = []): Promise<Extract<PlanOutput, { kind: K }>> {
    const out = inline ? await runPlanJob(job) : await planWorker.run(job, transfer);
    if (out.kind === 'error') throw new DomainError(out.errorKind, out.message);
    return out as Extract<PlanOutput, { kind: K }>;
  }

  /**
   * Plans rows already read in the worker, or inline when there are few: the plan with its rows in chunks. The
   * rows are sent once at most (moved when they are bytes), or not at all when the job that read them kept them.
   */
  async function planInChunks(user: Viewer | null, c: Campaign, rows: { parsed: Parsed } | { kept: string }, inline: boolean, channel: IntakeChannel,
    dates: DatesPolicy, keys?: JoinedKeys, rowsPerChunk = chunkRows) {
    let source = rows;
    if (!keys) {
      if (!('parsed' in rows)) throw new Error('import plan: the keys of kept rows come with them');
      const name = randomToken(12);
      keys = (await runJob<'keys'>({ kind: 'keys', parsed: rows.parsed, campaignId: c.id, keep: name }, inline, inline ? [] : movable(rows.parsed))).keys;
      source = { kept: name };
    }
    const existing = await existingKeys(keys);
    return runJob<'plan'>({
      kind: 'plan', ...source, snapshot: await snapshotFor(user, c, channel), existing, dates, chunkRows: rowsPerChunk,
      previewRows: PREVIEW_ROWS, datedRows: DATED_ROWS_SHOWN,
    }, inline);
  }

  /** Rows of a chunk auto-categorized, before its unit of work (which then awaits only the database). */
  async function categorized(rows: ReadonlyArray<{ row: number; input: NewSubmission }>): Promise<Array<{ row: number; input: NewSubmission }>> {
    const out = [];
    for (const v of rows) out.push({ row: v.row, input: await deps.submissionService.categorize(v.input) });
    return out;
  }

  /** The commit of a batch whose lease this process holds (commitBatch). */
  async function commitClaimed(user: Viewer, b: ImportBatch, c: Campaign, lease: string, opts: { acceptOldDates?: boolean; signal?: AbortSignal; chunk?: number; progressMs?: number },
    onProgress: (done: number, total: number) => void | Promise<void>): Promise<ImportReport> {
    const channel = b.channel as IntakeChannel;
    const accepted = opts.acceptOldDates === true;
    const parsed = await parsedOf(b.id);
    // Read before the rows are moved to the worker (batches stored before previews were kept only).
    const meta = b.preview ? (JSON.parse(b.preview) as ImportPreview).source : sheetMeta(parsedText(parsed));
    const { plan, rows } = await planInChunks(user, c, { parsed }, parsedSize(parsed) <= inlineParsed, channel, accepted ? 'accept' : 'reject', undefined, opts.chunk);
    let imported = 0;
    let done = 0;
    const alreadyImported: number[] = [];
    // Planning may have outlasted the lease (a busy planning thread), and another commit taken the batch over.
    if (!await unsynced.renewCommit(b.id, lease, 0, plan.validCount, COMMIT_LEASE_SECONDS)) {
      throw new ImportRunning();
    }
    let progressAt = Date.now();
    const progressMs = opts.progressMs ?? PROGRESS_WRITE_MS;
    await onProgress(0, plan.validCount);
    for (const chunk of chunksOf(plan, rows)) {
      if (opts.signal?.aborted) {
        await repo.markInterrupted(b.id, lease, done, plan.validCount);
        throw new ImportInterrupted(done, plan.validCount);
      }
      const part = await categorized(JSON.parse(chunk) as Array<{ row: number; input: NewSubmission }>);
      // One unit of work per chunk, taken when the database is free (another writer is waited for without blocking).
      // A chunk need not be durable by itself: the report below is committed durably, and with it every chunk before
      // it; a power cut half-way loses at most the last chunks, which confirming again adds. So it does not wait for
      // the disk (a WAL sync per chunk of 25 rows measured ~0.6 s more per 10,000 rows). It only inserts (each row
      // once by its key) and renews the lease by a conditional update, which READ COMMITTED checks again on the
      // newest row: INSERTS_ONLY, so another import into the same campaign waits for the counts rather than failing.
      const counts = await deps.engine.unitOfWork(async (tx) => {
        // One statement for the chunk (a round trip per row cost PostgreSQL most of an import's time).
        const { created, again } = tally(part, await deps.submissionService.recordPreparedMany(part.map((v) => v.input), tx));
        if (Date.now() - progressAt >= progressMs) {
          // Lost to another commit: this chunk is rolled back, and that commit goes on.
          if (!await createIntakeRepo(tx).renewCommit(b.id, lease, done + part.length, plan.validCount, COMMIT_LEASE_SECONDS)) throw new ImportRunning();
          progressAt = Date.now();
        }
        return { created, again };
      }, { durable: false, ...INSERTS_ONLY });
      imported += counts.created;
      alreadyImported.push(...counts.again);
      done += part.length;
      // Awaited: a caller may hold the commit here (a test makes another server try the same commit meanwhile).
      await onProgress(done, plan.validCount);
      await yieldNow();
    }
    const report: ImportReport = {
      fileName: b.fileName, sheetName: meta.sheetName, headerRow: meta.headerRow, ignoredColumns: meta.ignoredColumns, channel, campaignId: c.id,
      total: plan.total, imported, alreadyImported, rejected: plan.rejected, notes: plan.notes,
      datesToConfirm: plan.datesToConfirm, datesAccepted: accepted,
    };
    if (!await repo.commitBatch(b.id, lease, JSON.stringify(report))) {
      // Two confirmations racing: the report stored first is the one everybody sees; a commit that lost its lease
      // while another goes on reports nothing of its own.
      const now = await repo.findBatchMeta(b.id);
      if (now?.status === 'committed') return JSON.parse(now.report!) as ImportReport;
      throw new ImportRunning();
    }
    // The rows read (residents' names among them) are not kept once committed: dropped one part (512 KB) per
    // short transaction, since deleting 20 MB in the durable commit above held the event loop ~90 ms.
    try {
      while (await unsynced.dropParts(b.id, 1) > 0) await yieldNow();
    } catch {
      // The import is done and reported; parts left by a busy database go with the periodic purge of old parts.
    }
    return report;
  }

  /** Stores a batch read and planned elsewhere. */
  async function storeBatch(user: Viewer, c: Campaign, channel: IntakeChannel, fileName: string, parsed: string, preview: string): Promise<string> {
    await repo.purgePendingBatches();
    const id = randomToken(18);
    await repo.insertBatch({ id, userId: user.id, campaignId: c.id, channel, fileName: fileName.slice(0, 200), parsed, preview });
    return id;
  }
  /**
   * The same from the web, the rows (UTF-8 JSON) in parts of PART_BYTES, each written in its own short transaction
   * with the event loop free in between (one 20 MB write held it for hundreds of milliseconds); the batch row last,
   * so a batch never exists without all its parts. Each write waits for another writer (the CLI) without blocking.
   */
  async function storeBatchInParts(user: Viewer, c: Campaign, channel: IntakeChannel, fileName: string, parsed: Uint8Array, preview: string): Promise<string> {
    const id = randomToken(18);
    for (let seq = 0, at = 0; at < parsed.byteLength; seq++, at += PART_BYTES) {
      const part = Buffer.from(parsed.buffer, parsed.byteOffset + at, Math.min(PART_BYTES, parsed.byteLength - at));
      // Unsynced: the batch row written next is committed durably, which syncs these parts too.
      await unsynced.insertPart(id, seq, part);
      await yieldNow();
    }
    return deps.engine.unitOfWork(async (tx) => {
      const inTx = createIntakeRepo(tx);
      await inTx.purgePendingBatches();
      await inTx.insertBatch({ id, userId: user.id, campaignId: c.id, channel, fileName: fileName.slice(0, 200), parsed: '', preview });
      return id;
    });
  }

  /** A pending batch's rows: read part by part with the event loop free in between, or (older batches) at once. */
  async function parsedOf(id: string): Promise<Parsed> {
    const n = await repo.partCount(id);
    if (n === 0) return (await repo.findBatch(id))!.parsed;
    const parts: Buffer[] = [];
    for (let seq = 0; seq < n; seq++) {
      parts.push((await repo.part(id, seq))!);
      await yieldNow();
    }
    // Not joined here: the worker decodes them in turn (joining 20 MB cost this thread ~70 ms under load).
    return parts;
  }

  /**
   * Records the valid rows in short transactions of COMMIT_CHUNK_ROWS rows, so another writer (the server's
   * residents, when the CLI imports) gets the database between them; `between` runs after each one. A crash
   * half-way loses nothing and duplicates nothing: the same import again skips the rows already in.
   */
  async function commitPlan(plan: ImportPlan, meta: Omit<ImportReport, 'total' | 'imported' | 'alreadyImported' | 'rejected' | 'notes' | 'datesToConfirm'>,
    between: () => void | Promise<void> = () => undefined): Promise<ImportReport> {
    let imported = 0;
    const alreadyImported: number[] = [];
    for (let i = 0; i < plan.valid.length; i += chunkRows) {
      // Categorized before the unit of work: the lock is held only for the inserts (a few milliseconds).
      const part = await categorized(plan.valid.slice(i, i + chunkRows));
      // Counted once it committed: on PostgreSQL a unit of work may run again (engine.ts, serialization failures).
      // Whether each chunk waits for the disk is the engine's: the command line's commits them unsynced and syncs
      // the WAL once at the end (src/cli/commands/import.ts).
      const counts = await deps.engine.unitOfWork(async (tx) => {
        // One statement for the chunk (a round trip per row cost PostgreSQL most of an import's time).
        return tally(part, await deps.submissionService.recordPreparedMany(part.map((v) => v.input), tx));
      }, INSERTS_ONLY);
      imported += counts.created;
      alreadyImported.push(...counts.again);
      if (i + chunkRows < plan.valid.length) await between();
    }
    return { ...meta, total: plan.total, imported, alreadyImported, rejected: plan.rejected, notes: plan.notes, datesToConfirm: plan.datesToConfirm };
  }

  return {
    scopeFor,
    coverage,
    /** Open campaigns this user may enter data for, newest first. */
    openCampaigns: (user: Viewer | null): Promise<Campaign[]> => visibleCampaigns(user, (c) => c.status === 'open'),
    /** Campaigns this user may import into or read entries of (open or closed, not drafts). */
    usableCampaigns: (user: Viewer | null): Promise<Campaign[]> => visibleCampaigns(user, (c) => c.status !== 'draft'),
    campaignFor,
    categoriesFor: (campaignId: number): Promise<CategoryOption[]> => repo.categoriesFor(campaignId),
    /** The place choices of the entry forms: communities in scope and campaign; the grids and compounds in them. */
    async placeOptions(user: Viewer | null, c: Campaign) {
      const scope = scopeFor(user);
      const communities = await communitiesFor(user, c);
      const ids = new Set(communities.map((p) => p.id));
      const grids = (await deps.places.ofKind('grid')).filter((g) => g.parentId !== null && ids.has(g.parentId) && (!scope.gridIds || scope.gridIds.includes(g.id)));
      const compounds = (await deps.places.ofKind('compound')).filter((p) => p.parentId !== null && ids.has(p.parentId));
      return { communities, grids, compounds };
    },

    /** Quick entry (form, JSON API and offline re-send alike). */
    async recordEntry(user: Viewer, input: EntryInput): Promise<{ submission: Submission; created: boolean; count: number }> {
      const c = await campaignFor(user, input.campaignId, true);
      await checkPlace(user, c, input);
      await checkCategory(c, input.categoryId);
      checkDate(c, input.collectedOn, input.confirmedDate, '日期');
      const { submission, created } = await deps.submissionService.record({
        campaignId: c.id, idempotencyKey: entryKey(user, input.idempotencyKey), kind: input.kind, categoryId: input.categoryId,
        text: input.text, photoFile: input.photoFile, residentName: input.residentName, residentPhone: input.residentPhone,
        building: input.building, communityId: input.communityId, gridId: input.gridId, compoundId: input.compoundId,
        channel: input.channel, enteredBy: user.id, collectedOn: input.collectedOn,
      });
      return { submission, created, count: await repo.countEnteredBy(user.id, c.id) };
    },
    /** Whether this key was already saved (the route then drops a photo it stored for nothing). */
    findEntryByKey: (user: Viewer, key: string) => deps.submissions.findByIdempotencyKey(entryKey(user, key)),

    /** One submission, if it lies inside the user's scope; otherwise it does not exist for them. */
    async getEntry(user: Viewer, id: number): Promise<Submission> {
      const s = await deps.submissions.findById(id);
      if (!s || !reachesRecord(scopeFor(user), s.communityId, s.gridId)) throw notFound('记录');
      return s;
    },
    async listEntries(user: Viewer, opts: { campaignId?: number | null; mine?: boolean; limit?: number }): Promise<Submission[]> {
      const ids = await repo.listEntryIds(scopeFor(user), { campaignId: opts.campaignId, enteredBy: opts.mine ? user.id : null, limit: opts.limit });
      return submissionsOf(ids);
    },

    /** One meeting and all its opinions in one transaction; a repeated save returns the stored meeting. */
    async recordMeeting(user: Viewer, input: MeetingInput): Promise<{ meeting: Meeting; created: boolean }> {
      const c = await campaignFor(user, input.campaignId, true);
      await checkPlace(user, c, input);
      checkDate(c, input.heldOn, input.confirmedDate, '会议日期');
      for (const o of input.opinions) await checkCategory(c, o.categoryId);
      if (input.opinions.length === 0) throw invalid(MESSAGES.noOpinions);
      const key = entryKey(user, 'meeting:' + input.idempotencyKey);
      // Categorized before the unit of work, which awaits only the database (a repeated save categorizes for nothing).
      const opinions = await Promise.all(input.opinions.map((o, i) => deps.submissionService.categorize({
        campaignId: c.id, idempotencyKey: `${key}:${i + 1}`, kind: o.kind, categoryId: o.categoryId, text: o.text,
        communityId: input.communityId, gridId: input.gridId, compoundId: input.compoundId, channel: 'meeting',
        enteredBy: user.id, collectedOn: input.heldOn,
      })));
      return deps.engine.unitOfWork(async (tx) => {
        const meetings = createIntakeRepo(tx);
        const { meeting, created } = await meetings.insertMeeting({
          campaignId: c.id, idempotencyKey: key, heldOn: input.heldOn, communityId: input.communityId, gridId: input.gridId,
          compoundId: input.compoundId, location: input.location, attendance: input.attendance, topic: input.topic, enteredBy: user.id,
        });
        if (!created) return { meeting, created };
        for (const o of opinions) {
          const { submission } = await deps.submissionService.recordPrepared({ ...o, meetingId: meeting.id }, tx);
          await meetings.setMeeting(submission.id, meeting.id);
        }
        return { meeting, created };
      });
    },
    async getMeeting(user: Viewer, id: number): Promise<{ meeting: Meeting; opinions: Submission[] }> {
      const meeting = await repo.findMeeting(id);
      if (!meeting || !reachesRecord(scopeFor(user), meeting.communityId, meeting.gridId)) throw notFound('会议记录');
      return { meeting, opinions: await submissionsOf(await repo.meetingOpinionIds(id)) };
    },
    listMeetings: (user: Viewer, campaignId: number | null) => repo.listMeetings(scopeFor(user), campaignId),

    planImport,
    /**
     * Parse → plan → commit at once (the command line). Rows whose date needs confirming are rejected by row
     * number unless `acceptOldDates` says the person running it has checked them. `between` runs between the
     * short units of work (the CLI pauses there, so a live server's writes get in).
     */
    async importSheet(user: Viewer | null, campaignId: number, sheet: ParsedSheet, channel: IntakeChannel, fileName: string,
      opts: { acceptOldDates?: boolean; between?: () => void | Promise<void> } = {}): Promise<ImportReport> {
      const c = await campaignFor(user, campaignId, true);
      const accepted = opts.acceptOldDates === true;
      const plan = await planImport(user, c, sheet, channel, accepted ? 'accept' : 'reject');
      return commitPlan(plan, {
        fileName, sheetName: sheet.sheetName, headerRow: sheet.headerRow, ignoredColumns: sheet.ignoredColumns ?? [], channel, campaignId: c.id,
        datesAccepted: accepted,
      }, opts.between);
    },
    /** Keeps the parsed rows, and the preview planned from them, server-side until the user confirms. */
    async createBatch(user: Viewer, campaignId: number, sheet: ParsedSheet, channel: IntakeChannel, fileName: string): Promise<string> {
      const c = await campaignFor(user, campaignId, true);
      const plan = await planImport(user, c, sheet, channel);
      return storeBatch(user, c, channel, fileName, JSON.stringify(sheet), JSON.stringify(previewOf(sheet, plan, PREVIEW_ROWS, DATED_ROWS_SHOWN)));
    },
    /**
     * An uploaded file read and planned for the preview in a worker thread (inline when small), so a 50,000-row
     * file does not stop the server; the preview is stored with the batch and never planned again for viewing.
     */
    async readUpload(user: Viewer, campaignId: number, file: Buffer, channel: IntakeChannel, fileName: string): Promise<string> {
      const c = await campaignFor(user, campaignId, true);
      const inline = file.length <= inlineBytes;
      const name = randomToken(12);
      // The file moves to the worker rather than being copied (40 ms of the event loop for 2.5 MB, measured).
      const read = await runJob<'read'>({ kind: 'read', file, campaignId: c.id, keep: name }, inline, inline ? [] : movable(file));
      const planned = await planInChunks(user, c, { kept: name }, inline, channel, 'ask', read.keys);
      return storeBatchInParts(user, c, channel, fileName, read.parsed, planned.preview);
    },
    /** A batch with its stored preview (pending) or report (committed); only its owner may see it. */
    async getBatch(user: Viewer, id: string) {
      const b = await repo.findBatchMeta(id);
      if (!b || b.userId !== user.id) throw notFound('导入记录');
      const campaign = await campaignFor(user, b.campaignId, false);
      if (b.status === 'committed') return { batch: b, campaign, report: JSON.parse(b.report!) as ImportReport, preview: null };
      let preview = b.preview;
      if (preview === null) {
        // A batch uploaded before previews were stored: planned once now, then kept.
        const sheet = JSON.parse((await repo.findBatch(id))!.parsed) as ParsedSheet;
        preview = JSON.stringify(previewOf(sheet, await planImport(user, campaign, sheet, b.channel as IntakeChannel), PREVIEW_ROWS, DATED_ROWS_SHOWN));
        await repo.setPreview(b.id, preview);
      }
      return { batch: b, campaign, report: null, preview: JSON.parse(preview) as ImportPreview };
    },
    /** The batch if it is this user's (cheap: for the progress endpoint, which is polled). */
    async ownBatch(user: Viewer, id: string): Promise<ImportBatch> {
      const b = await repo.findBatchMeta(id);
      if (!b || b.userId !== user.id) throw notFound('导入记录');
      return b;
    },
    /**
     * Confirms a preview, re-planned (in the worker) against the current places: a place deleted meanwhile is
     * reported, not crashed on. Rows go in by short transactions of COMMIT_CHUNK_ROWS rows, each taken when the
     * database is free (another writer is waited for without blocking), yielding between them so residents are
     * answered during a 50,000-row import and the page can show real progress. A crash half-way loses nothing and
     * duplicates nothing: confirming again skips the rows already in. When `signal` aborts (SIGTERM), the chunk
     * being written is finished, the batch records how far it got and ImportInterrupted is thrown; confirming
     * again resumes. Rows whose date needs confirming go in if the person ticked `acceptOldDates`; otherwise
     * they are reported by row number and the other rows go in.
     */
    async commitBatch(user: Viewer, id: string, opts: {
      acceptOldDates?: boolean; onProgress?: (done: number, total: number) => void | Promise<void>; signal?: AbortSignal; chunk?: number;
      /** How often the progress is written for other servers (PROGRESS_WRITE_MS; tests write it with every chunk). */
      progressMs?: number;
    } = {}): Promise<ImportReport> {
      const onProgress = opts.onProgress ?? (() => undefined);
      const b = await repo.findBatchMeta(id);
      if (!b || b.userId !== user.id) throw notFound('导入记录');
      if (b.status === 'committed') return JSON.parse(b.report!) as ImportReport;
      const c = await campaignFor(user, b.campaignId, true);
      const lease = randomToken(12);
      // Unsynced: a lease lost to a power cut only lets the next confirmation start at once.
      if (!await unsynced.claimCommit(b.id, COMMIT_LEASE_SECONDS, lease)) {
        const now = (await repo.findBatchMeta(b.id))!;
        if (now.status === 'committed') return JSON.parse(now.report!) as ImportReport;
        throw new ImportRunning();
      }
      try {
        return await commitClaimed(user, b, c, lease, opts, onProgress);
      } finally {
        // A lease left behind (a busy database, or a crash) runs out by itself.
        await unsynced.endCommit(b.id, lease).catch(() => undefined);
      }
    },
    /** Whether a commit of this batch runs now, on this app server or another, and how far it got. */
    commitProgress(b: ImportBatch): { done: number; total: number } | null {
      return b.status === 'pending' && b.committingUntil !== null && b.committingUntil > new Date().toISOString()
        ? { done: b.rowsDone, total: b.rowsTotal } : null;
    },
    /** Stops the planning thread (SIGTERM, end of a CLI run). */
    stop: () => planWorker.stop(),
  };
}
export type IntakeService = ReturnType<typeof createIntakeService>;

/** The report as lines of text, for the command line. */
export function formatReport(r: ImportReport): string[] {
  const lines = [
    `文件：${r.fileName}${r.sheetName ? `（工作表“${r.sheetName}”）` : ''}，表头在第 ${r.headerRow} 行，共 ${r.total} 条数据`,
    `导入 ${r.imported} 条；已导入过（跳过）${r.alreadyImported.length} 条；有问题未导入 ${r.rejected.length} 条`,
  ];
  if (r.ignoredColumns?.length) lines.push(`没有导入的列：${r.ignoredColumns.map((c) => `${c.column} 列“${c.title}”`).join('、')}`);
  if (r.alreadyImported.length) lines.push(`已导入过的行：${compactRows(r.alreadyImported)}`);
  if (r.rejected.length) {
    lines.push('未导入的行：');
    for (const p of r.rejected) lines.push(`  第 ${p.row} 行：${p.reasons.join('；')}`);
  }
  if (r.notes.length) {
    lines.push('说明：');
    for (const n of r.notes) lines.push(`  第 ${n.row} 行：${n.message}`);
  }
  const dated = r.datesToConfirm ?? [];
  if (dated.length && r.datesAccepted) {
    lines.push(`日期需要核实的 ${dated.length} 行已按 --accept-old-dates 照样导入：第 ${compactRows(dated.map((d) => d.row))} 行`);
  } else if (dated.length) {
    lines.push(`日期需要核实的 ${dated.length} 行没有导入（第 ${compactRows(dated.map((d) => d.row))} 行，早于活动开始日期或一年多以前）。`
      + '核实无误的话，加上 --accept-old-dates 再导入一次；已导入的行会自动跳过。');
  }
  return lines;
}

/** 3,4,5,9 → "3–5、9". */
export function compactRows(rows: number[]): string {
  const out: string[] = [];
  for (let i = 0; i < rows.length; i++) {
    let j = i;
    while (j + 1 < rows.length && rows[j + 1] === rows[j] + 1) j++;
    out.push(j > i ? `${rows[i]}–${rows[j]}` : String(rows[i]));
    i = j;
  }
  return out.join('、');
}
