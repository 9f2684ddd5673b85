import crypto from 'node:crypto';
import { reachesRecord, type Reach, type Viewer } from '../access/rules';
import type { Campaign, CampaignRepo } from '../campaigns/repo';
import { chinaToday } from '../campaigns/rules';
import { forbidden, invalid, notFound } from '../lib/errors';
import { randomToken } from '../http/random';
import type { Db } from '../db/open-db';
import type { Place, PlaceRepo } from '../places/repo';
import type { SubmissionRepo } from '../submissions/repo';
import type { SubmissionService } from '../submissions/service';
import type { Channel, NewSubmission, Submission, SubmissionKind } from '../submissions/types';
import { createIntakeRepo, type CategoryOption, type IntakeRepo, type Meeting, type NewMeeting } from './repo';
import type { ParsedSheet, SheetRow } from './import/parse-sheet';
import { checkCollectionDate, DATE_MESSAGES, DateNeedsConfirmation, doubtText } from './rules';

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

export const IMPORT_MESSAGES = {
  unknownCommunity: (name: string) => `社区不存在（“${name}”）`,
  outsideCampaign: (name: string) => `社区“${name}”不在本次征求意见的范围内`,
  outsideGrids: (where: string) => `不在您负责的网格内（${where}）`,
  outsideScope: (name: string) => `社区“${name}”不在您的工作范围内`,
  duplicateOf: (row: number) => `与第 ${row} 行重复`,
  futureDate: (date: string) => `日期晚于今天（${date}）`,
  afterClose: (date: string, endsOn: string) => `日期 ${date} 晚于本次征求意见的结束日期 ${endsOn}`,
  unknownCategory: (name: string) => `类型“${name}”不在目录中，已自动分类/待分拣`,
  unknownGrid: (grid: string, community: string) => `网格“${grid}”不在${community}中，已留空`,
  unknownCompound: (compound: string, community: string) => `小区/楼院“${compound}”不在${community}中，已写入楼栋单元`,
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

export interface RowProblem { row: number; reasons: string[] }
export interface RowNote { row: number; message: string }
/** A row whose date needs confirming (before the campaign began, or over a year ago), and why. */
export interface DateToConfirm { row: number; date: string; reasons: string[] }

/**
 * What an import does with rows whose date needs confirming: `ask` (the preview) lists them apart and plans
 * them nowhere; `accept` (the person confirmed) imports them; `reject` reports them by row number.
 */
export type DatesPolicy = 'ask' | 'accept' | 'reject';

export interface ImportPlan {
  total: number;
  /** Rows that will be recorded (those already imported before are recorded as no-ops). */
  valid: Array<{ row: number; input: NewSubmission; source: SheetRow }>;
  alreadyImported: number[];
  rejected: RowProblem[];
  notes: RowNote[];
  /** Otherwise good rows whose date needs confirming; where they went depends on the policy (see DatesPolicy). */
  datesToConfirm: DateToConfirm[];
}

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

/** Everything of one row's content that makes it "the same row" again, in any file format. */
function contentKey(campaignId: number, r: SheetRow): string {
  const norm = (s: string | null) => (s ?? '').normalize('NFKC').replace(/\s+/g, ' ').trim();
  const parts = [String(campaignId), r.date, r.community, r.grid, r.compound, r.building, r.name, r.phone, r.text].map(norm);
  return crypto.createHash('sha256').update(JSON.stringify(parts)).digest('base64url');
}

interface Deps { db: Db; places: PlaceRepo; campaigns: CampaignRepo; submissions: SubmissionRepo; submissionService: SubmissionService }

/**
 * Offline intake: quick entry, meetings, spreadsheet import. Who may touch what is decided here, once:
 * admin everything; staff their sub-district/community; grid workers only their grids. A `null` actor is
 * the command line, run by whoever holds the server's data directory.
 */
export function createIntakeService(deps: Deps & { repo?: IntakeRepo }) {
  const repo = deps.repo ?? createIntakeRepo(deps.db);

  /** The command line (no user) reaches everything. */
  const scopeFor = (user: Viewer | null): Pick<Reach, 'communityIds' | 'gridIds'> => (user ? user.reach : { communityIds: 'all', gridIds: null });

  /** The communities a campaign collects from: its own list, else its sub-district's, else all. */
  function coverage(c: Campaign): Set<number> | 'all' {
    const ids = deps.campaigns.communityIds(c.id);
    if (ids.length) return new Set(ids);
    if (c.subdistrictId) return new Set(deps.places.communityIdsUnder(c.subdistrictId));
    return 'all';
  }
  const covers = (cov: Set<number> | 'all', communityId: number) => cov === 'all' || cov.has(communityId);

  function communitiesFor(user: Viewer | null, c: Campaign): Place[] {
    const scope = scopeFor(user);
    const cov = coverage(c);
    return deps.places.ofKind('community').filter((p) => covers(cov, p.id) && (scope.communityIds === 'all' || scope.communityIds.includes(p.id)));
  }

  function visible(user: Viewer | null, c: Campaign): boolean {
    return communitiesFor(user, c).length > 0;
  }

  function campaignFor(user: Viewer | null, id: number, forWrite: boolean): Campaign {
    const c = deps.campaigns.findById(id);
    if (!c || !visible(user, c)) throw notFound('征求意见活动');
    if (forWrite && c.status === 'draft') throw invalid(MESSAGES.campaignDraft);
    return c;
  }

  /** Checks a (community, grid, compound) choice against the campaign and the user's scope. */
  function checkPlace(user: Viewer | null, c: Campaign, p: { communityId: number; gridId: number | null; compoundId: number | null }): void {
    const community = deps.places.findById(p.communityId);
    if (!community || community.kind !== 'community') throw invalid(MESSAGES.noCommunity);
    if (!covers(coverage(c), community.id)) throw invalid(MESSAGES.notInCampaign);
    const scope = scopeFor(user);
    if (p.gridId !== null) {
      const grid = deps.places.findById(p.gridId);
      if (!grid || grid.kind !== 'grid' || grid.parentId !== community.id) throw invalid(MESSAGES.gridNotInCommunity);
    } else if (scope.gridIds) {
      throw invalid(MESSAGES.gridRequired);
    }
    if (!reachesRecord(scope, community.id, p.gridId)) throw forbidden();
    if (p.compoundId !== null) {
      const compound = deps.places.findById(p.compoundId);
      if (!compound || compound.kind !== 'compound' || compound.parentId !== community.id) throw invalid(MESSAGES.compoundNotInCommunity);
    }
  }

  function checkCategory(c: Campaign, categoryId: number | null): void {
    if (categoryId !== null && !repo.categoriesFor(c.id).some((k) => k.id === categoryId)) {
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

  /** Keys from browsers are namespaced per user, so nobody can hit someone else's record by guessing a key. */
  const entryKey = (user: Viewer | null, key: string) => `intake:${user?.id ?? 0}:${key}`;

  // ---- import -------------------------------------------------------------------------------------

  function placeIndex() {
    const all = deps.places.list();
    const communitiesByName = new Map<string, Place[]>();
    const children = new Map<string, Place>();
    for (const p of all) {
      if (p.kind === 'community') communitiesByName.set(p.name, [...(communitiesByName.get(p.name) ?? []), p]);
      if (p.parentId !== null) children.set(`${p.parentId}|${p.kind}|${p.name.replace(/\s/g, '')}`, p);
    }
    return {
      community(name: string, cov: Set<number> | 'all'): Place | undefined {
        const found = communitiesByName.get(name) ?? communitiesByName.get(name + '社区') ?? [];
        return found.find((p) => covers(cov, p.id)) ?? found[0];
      },
      child: (parentId: number, kind: 'grid' | 'compound', name: string) => children.get(`${parentId}|${kind}|${name.replace(/\s/g, '')}`),
    };
  }

  function planImport(user: Viewer | null, c: Campaign, sheet: ParsedSheet, channel: IntakeChannel, dates: DatesPolicy = 'ask'): ImportPlan {
    const scope = scopeFor(user);
    const cov = coverage(c);
    const places = placeIndex();
    const categories = new Map(repo.categoriesFor(c.id).map((k) => [k.name.normalize('NFKC').replace(/\s/g, ''), k.id]));
    const seen = new Map<string, number>();
    const today = chinaToday();
    const plan: ImportPlan = { total: sheet.rows.length, valid: [], alreadyImported: [], rejected: [], notes: [], datesToConfirm: [] };

    for (const r of sheet.rows) {
      const reasons = [...r.errors];
      const notes: string[] = [];
      let communityId: number | null = null;
      let gridId: number | null = null;
      let compoundId: number | null = null;
      let building = r.building;
      if (r.community) {
        const community = places.community(r.community, cov);
        if (!community) reasons.push(IMPORT_MESSAGES.unknownCommunity(r.community));
        else if (!covers(cov, community.id)) reasons.push(IMPORT_MESSAGES.outsideCampaign(community.name));
        else {
          communityId = community.id;
          if (r.grid) {
            const grid = places.child(community.id, 'grid', r.grid);
            if (grid) gridId = grid.id;
            else notes.push(IMPORT_MESSAGES.unknownGrid(r.grid, community.name));
          } else if (scope.gridIds) {
            // A grid worker's sheet often leaves the grid out: if they have one grid in this community, it is that one.
            const mine = scope.gridIds.filter((g) => deps.places.findById(g)?.parentId === community.id);
            if (mine.length === 1) gridId = mine[0];
          }
          if (r.compound) {
            const compound = places.child(community.id, 'compound', r.compound);
            if (compound) compoundId = compound.id;
            else {
              notes.push(IMPORT_MESSAGES.unknownCompound(r.compound, community.name));
              building = `${r.compound} ${r.building}`.trim();
            }
          }
          if (!reachesRecord(scope, communityId, gridId)) {
            reasons.push(scope.gridIds ? IMPORT_MESSAGES.outsideGrids(`${community.name}${r.grid ? ' ' + r.grid : ''}`) : IMPORT_MESSAGES.outsideScope(community.name));
          }
        }
      }
      let categoryId: number | null = null;
      if (r.category) {
        categoryId = categories.get(r.category.normalize('NFKC').replace(/\s/g, '')) ?? null;
        if (categoryId === null) notes.push(IMPORT_MESSAGES.unknownCategory(r.category));
      }
      const dateCheck = r.date ? checkCollectionDate(c, r.date, today) : null;
      if (r.date && dateCheck?.block === 'future') reasons.push(IMPORT_MESSAGES.futureDate(r.date));
      if (r.date && dateCheck?.block === 'afterClose') reasons.push(IMPORT_MESSAGES.afterClose(r.date, c.endsOn));
      if (reasons.length) { plan.rejected.push({ row: r.row, reasons }); continue; }

      const key = contentKey(c.id, r);
      const first = seen.get(key);
      if (first !== undefined) { plan.rejected.push({ row: r.row, reasons: [IMPORT_MESSAGES.duplicateOf(first)] }); continue; }
      seen.set(key, r.row);

      const input: NewSubmission = {
        campaignId: c.id, idempotencyKey: `import:${key}`, kind: r.wish ? 'wish' : 'suggestion', categoryId, text: r.text,
        residentName: r.name || null, residentPhone: r.phone, building: building || null, communityId, gridId, compoundId,
        channel, enteredBy: user?.id ?? null, collectedOn: r.date,
        // Kept with the record but not part of the row key: a re-import with a 备注 added still adds nothing.
        collectedByName: r.visitor || null, intakeNote: r.note || null,
      };
      const already = repo.hasKey(input.idempotencyKey);
      // A row already in was confirmed (or imported before this rule) then: asking again would be noise.
      if (!already && r.date && dateCheck?.doubts.length) {
        plan.datesToConfirm.push({ row: r.row, date: r.date, reasons: dateCheck.doubts.map(doubtText) });
        // The preview also shows what else would happen to the row once confirmed.
        if (dates === 'ask') { for (const n of notes) plan.notes.push({ row: r.row, message: n }); continue; }
        if (dates === 'reject') { plan.rejected.push({ row: r.row, reasons: [DATE_MESSAGES.importRejected(r.date, dateCheck.doubts)] }); continue; }
      }
      plan.valid.push({ row: r.row, input, source: r });
      for (const n of notes) plan.notes.push({ row: r.row, message: n });
      if (already) plan.alreadyImported.push(r.row);
    }
    return plan;
  }

  /** Records every valid row in one transaction: all of the file or, on a crash, none of it. */
  function commitPlan(plan: ImportPlan, meta: Omit<ImportReport, 'total' | 'imported' | 'alreadyImported' | 'rejected' | 'notes' | 'datesToConfirm'>): ImportReport {
    return deps.db.transaction((): ImportReport => {
      let imported = 0;
      const alreadyImported: number[] = [];
      for (const v of plan.valid) {
        const { created } = deps.submissionService.record(v.input);
        if (created) imported++;
        else alreadyImported.push(v.row);
      }
      return { ...meta, total: plan.total, imported, alreadyImported, rejected: plan.rejected, notes: plan.notes, datesToConfirm: plan.datesToConfirm };
    })();
  }

  return {
    scopeFor,
    coverage,
    /** Open campaigns this user may enter data for, newest first. */
    openCampaigns: (user: Viewer | null) => deps.campaigns.list().filter((c) => c.status === 'open' && visible(user, c)),
    /** Campaigns this user may import into or read entries of (open or closed, not drafts). */
    usableCampaigns: (user: Viewer | null) => deps.campaigns.list().filter((c) => c.status !== 'draft' && visible(user, c)),
    campaignFor,
    categoriesFor: (campaignId: number): CategoryOption[] => repo.categoriesFor(campaignId),
    /** The place choices of the entry forms: communities in scope and campaign; the grids and compounds in them. */
    placeOptions(user: Viewer | null, c: Campaign) {
      const scope = scopeFor(user);
      const communities = communitiesFor(user, c);
      const ids = new Set(communities.map((p) => p.id));
      const grids = deps.places.ofKind('grid').filter((g) => g.parentId !== null && ids.has(g.parentId) && (!scope.gridIds || scope.gridIds.includes(g.id)));
      const compounds = deps.places.ofKind('compound').filter((p) => p.parentId !== null && ids.has(p.parentId));
      return { communities, grids, compounds };
    },

    /** Quick entry (form, JSON API and offline re-send alike). */
    recordEntry(user: Viewer, input: EntryInput): { submission: Submission; created: boolean; count: number } {
      const c = campaignFor(user, input.campaignId, true);
      checkPlace(user, c, input);
      checkCategory(c, input.categoryId);
      checkDate(c, input.collectedOn, input.confirmedDate, '日期');
      const { submission, created } = deps.submissionService.record({
        campaignId: c.id, idempotencyKey: entryKey(user, input.idempotencyKey), kind: input.kind, categoryId: input.categoryId,
        text: input.text, photoFile: input.photoFile, residentName: input.residentName, residentPhone: input.residentPhone,
        building: input.building, communityId: input.communityId, gridId: input.gridId, compoundId: input.compoundId,
        channel: input.channel, enteredBy: user.id, collectedOn: input.collectedOn,
      });
      return { submission, created, count: repo.countEnteredBy(user.id, c.id) };
    },
    /** Whether this key was already saved (the route then drops a photo it stored for nothing). */
    findEntryByKey: (user: Viewer, key: string) => deps.submissions.findByIdempotencyKey(entryKey(user, key)),

    /** One submission, if it lies inside the user's scope; otherwise it does not exist for them. */
    getEntry(user: Viewer, id: number): Submission {
      const s = deps.submissions.findById(id);
      if (!s || !reachesRecord(scopeFor(user), s.communityId, s.gridId)) throw notFound('记录');
      return s;
    },
    listEntries(user: Viewer, opts: { campaignId?: number | null; mine?: boolean; limit?: number }): Submission[] {
      const ids = repo.listEntryIds(scopeFor(user), { campaignId: opts.campaignId, enteredBy: opts.mine ? user.id : null, limit: opts.limit });
      return ids.map((id) => deps.submissions.findById(id)!).filter(Boolean);
    },

    /** One meeting and all its opinions in one transaction; a repeated save returns the stored meeting. */
    recordMeeting(user: Viewer, input: MeetingInput): { meeting: Meeting; created: boolean } {
      const c = campaignFor(user, input.campaignId, true);
      checkPlace(user, c, input);
      checkDate(c, input.heldOn, input.confirmedDate, '会议日期');
      for (const o of input.opinions) checkCategory(c, o.categoryId);
      if (input.opinions.length === 0) throw invalid(MESSAGES.noOpinions);
      const key = entryKey(user, 'meeting:' + input.idempotencyKey);
      return deps.db.transaction(() => {
        const { meeting, created } = repo.insertMeeting({
          campaignId: c.id, idempotencyKey: key, heldOn: input.heldOn, communityId: input.communityId, gridId: input.gridId,
          compoundId: input.compoundId, location: input.location, attendance: input.attendance, topic: input.topic, enteredBy: user.id,
        });
        if (!created) return { meeting, created };
        input.opinions.forEach((o, i) => {
          const { submission } = deps.submissionService.record({
            campaignId: c.id, idempotencyKey: `${key}:${i + 1}`, kind: o.kind, categoryId: o.categoryId, text: o.text,
            communityId: input.communityId, gridId: input.gridId, compoundId: input.compoundId, channel: 'meeting',
            enteredBy: user.id, collectedOn: input.heldOn, meetingId: meeting.id,
          });
          repo.setMeeting(submission.id, meeting.id);
        });
        return { meeting, created };
      })();
    },
    getMeeting(user: Viewer, id: number): { meeting: Meeting; opinions: Submission[] } {
      const meeting = repo.findMeeting(id);
      if (!meeting || !reachesRecord(scopeFor(user), meeting.communityId, meeting.gridId)) throw notFound('会议记录');
      return { meeting, opinions: repo.meetingOpinionIds(id).map((sid) => deps.submissions.findById(sid)!).filter(Boolean) };
    },
    listMeetings: (user: Viewer, campaignId: number | null) => repo.listMeetings(scopeFor(user), campaignId),

    planImport,
    /**
     * Parse → plan → commit at once (the command line). Rows whose date needs confirming are rejected by row
     * number unless `acceptOldDates` says the person running it has checked them.
     */
    importSheet(user: Viewer | null, campaignId: number, sheet: ParsedSheet, channel: IntakeChannel, fileName: string,
      opts: { acceptOldDates?: boolean } = {}): ImportReport {
      const c = campaignFor(user, campaignId, true);
      const accepted = opts.acceptOldDates === true;
      const plan = planImport(user, c, sheet, channel, accepted ? 'accept' : 'reject');
      return commitPlan(plan, {
        fileName, sheetName: sheet.sheetName, headerRow: sheet.headerRow, ignoredColumns: sheet.ignoredColumns ?? [], channel, campaignId: c.id,
        datesAccepted: accepted,
      });
    },
    /** Keeps the parsed rows server-side until the user confirms the preview. */
    createBatch(user: Viewer, campaignId: number, sheet: ParsedSheet, channel: IntakeChannel, fileName: string): string {
      const c = campaignFor(user, campaignId, true);
      repo.purgePendingBatches();
      const id = randomToken(18);
      repo.insertBatch({ id, userId: user.id, campaignId: c.id, channel, fileName: fileName.slice(0, 200), parsed: JSON.stringify(sheet) });
      return id;
    },
    /** A batch with its plan (pending) or report (committed); only its owner may see it. */
    getBatch(user: Viewer, id: string) {
      const b = repo.findBatch(id);
      if (!b || b.userId !== user.id) throw notFound('导入记录');
      const campaign = campaignFor(user, b.campaignId, false);
      if (b.status === 'committed') return { batch: b, campaign, report: JSON.parse(b.report!) as ImportReport, plan: null, sheet: null };
      const sheet = JSON.parse(b.parsed) as ParsedSheet;
      return { batch: b, campaign, report: null, plan: planImport(user, campaign, sheet, b.channel as IntakeChannel), sheet };
    },
    /** The batch if it is this user's (cheap: for the progress endpoint, which is polled). */
    ownBatch(user: Viewer, id: string) {
      const b = repo.findBatch(id);
      if (!b || b.userId !== user.id) throw notFound('导入记录');
      return b;
    },
    /**
     * Confirms a preview, re-planned against the current places (a place deleted meanwhile is reported, not
     * crashed on). Rows go in by chunks of `chunk`, each chunk one transaction, yielding between chunks so the
     * server keeps answering residents during a 10,000-row import and the page can show real progress.
     * A crash half-way loses nothing and duplicates nothing: confirming again skips the rows already in.
     * Rows whose date needs confirming go in if the person ticked `acceptOldDates`; otherwise they are
     * reported by row number and the other rows go in.
     */
    async commitBatch(user: Viewer, id: string, opts: {
      acceptOldDates?: boolean; onProgress?: (done: number, total: number) => void; chunk?: number;
    } = {}): Promise<ImportReport> {
      const onProgress = opts.onProgress ?? (() => undefined);
      const chunk = opts.chunk ?? 1000;
      const b = repo.findBatch(id);
      if (!b || b.userId !== user.id) throw notFound('导入记录');
      if (b.status === 'committed') return JSON.parse(b.report!) as ImportReport;
      const c = campaignFor(user, b.campaignId, true);
      const sheet = JSON.parse(b.parsed) as ParsedSheet;
      const channel = b.channel as IntakeChannel;
      const accepted = opts.acceptOldDates === true;
      const plan = planImport(user, c, sheet, channel, accepted ? 'accept' : 'reject');
      let imported = 0;
      const alreadyImported: number[] = [];
      onProgress(0, plan.valid.length);
      for (let i = 0; i < plan.valid.length; i += chunk) {
        const part = plan.valid.slice(i, i + chunk);
        deps.db.transaction(() => {
          for (const v of part) {
            if (deps.submissionService.record(v.input).created) imported++;
            else alreadyImported.push(v.row);
          }
        })();
        onProgress(Math.min(i + chunk, plan.valid.length), plan.valid.length);
        await new Promise((resolve) => setImmediate(resolve));
      }
      const report: ImportReport = {
        fileName: b.fileName, sheetName: sheet.sheetName, headerRow: sheet.headerRow, ignoredColumns: sheet.ignoredColumns ?? [], channel, campaignId: c.id,
        total: plan.total, imported, alreadyImported, rejected: plan.rejected, notes: plan.notes,
        datesToConfirm: plan.datesToConfirm, datesAccepted: accepted,
      };
      // Two confirmations racing: the first report stored is the one everybody sees.
      if (!repo.commitBatch(b.id, JSON.stringify(report))) return JSON.parse(repo.findBatch(b.id)!.report!) as ImportReport;
      return report;
    },
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
