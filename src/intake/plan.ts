import crypto from 'node:crypto';
import { reachesRecord, type Reach } from '../access/rules';
import type { Campaign } from '../campaigns/repo';
import type { Place } from '../places/repo';
import type { NewSubmission } from '../submissions/types';
import type { ParsedSheet, SheetRow } from './import/parse-sheet';
import { checkCollectionDate, DATE_MESSAGES, doubtText } from './rules';
import type { CategoryOption } from './repo';

/**
 * Import planning as a pure function of the parsed sheet and a snapshot of what it is checked against (places,
 * categories, the campaign and the user's reach, the import keys already stored). Pure so it can run in a worker
 * thread (src/intake/import/plan-worker.ts) as well as inline for the command line and small files.
 */

export type ImportChannel = 'door_to_door' | 'meeting' | 'paper_survey' | 'city_app' | 'hotline';

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

/** Everything planning checks a sheet against, as plain data (it crosses to the worker thread). */
export interface PlanSnapshot {
  campaign: Pick<Campaign, 'id' | 'startsOn' | 'endsOn' | 'status'>;
  /** The communities the campaign collects from, or 'all'. */
  coverage: number[] | 'all';
  scope: Pick<Reach, 'communityIds' | 'gridIds'>;
  places: Place[];
  categories: CategoryOption[];
  channel: ImportChannel;
  enteredBy: number | null;
  today: string;
}

/** Everything of one row's content that makes it "the same row" again, in any file format. */
export function contentKey(campaignId: number, r: SheetRow): string {
  const norm = (s: string | null) => (s ?? '').normalize('NFKC').replace(/\s+/g, ' ').trim();
  const parts = [String(campaignId), r.date, r.community, r.grid, r.compound, r.building, r.name, r.phone, r.text].map(norm);
  return crypto.createHash('sha256').update(JSON.stringify(parts)).digest('base64url');
}

/** The idempotency key an imported row is stored under. */
export const importKey = (campaignId: number, r: SheetRow) => `import:${contentKey(campaignId, r)}`;

export function planRows(sheet: Pick<ParsedSheet, 'rows'>, s: PlanSnapshot, hasKey: (key: string) => boolean, dates: DatesPolicy = 'ask'): ImportPlan {
  const { scope, campaign: c } = s;
  const cov = s.coverage === 'all' ? 'all' : new Set(s.coverage);
  const covers = (id: number) => cov === 'all' || cov.has(id);
  const byId = new Map(s.places.map((p) => [p.id, p]));
  const communitiesByName = new Map<string, Place[]>();
  const children = new Map<string, Place>();
  for (const p of s.places) {
    if (p.kind === 'community') communitiesByName.set(p.name, [...(communitiesByName.get(p.name) ?? []), p]);
    if (p.parentId !== null) children.set(`${p.parentId}|${p.kind}|${p.name.replace(/\s/g, '')}`, p);
  }
  const findCommunity = (name: string): Place | undefined => {
    const found = communitiesByName.get(name) ?? communitiesByName.get(name + '社区') ?? [];
    return found.find((p) => covers(p.id)) ?? found[0];
  };
  const child = (parentId: number, kind: 'grid' | 'compound', name: string) => children.get(`${parentId}|${kind}|${name.replace(/\s/g, '')}`);
  const categories = new Map(s.categories.map((k) => [k.name.normalize('NFKC').replace(/\s/g, ''), k.id]));
  const seen = new Map<string, number>();
  const plan: ImportPlan = { total: sheet.rows.length, valid: [], alreadyImported: [], rejected: [], notes: [], datesToConfirm: [] };

  for (const r of sheet.rows) {
    const reasons = [...r.errors];
    const notes: string[] = [];
    let communityId: number | null = null;
    let gridId: number | null = null;
    let compoundId: number | null = null;
    let building = r.building;
    if (r.community) {
      const community = findCommunity(r.community);
      if (!community) reasons.push(IMPORT_MESSAGES.unknownCommunity(r.community));
      else if (!covers(community.id)) reasons.push(IMPORT_MESSAGES.outsideCampaign(community.name));
      else {
        communityId = community.id;
        if (r.grid) {
          const grid = child(community.id, 'grid', r.grid);
          if (grid) gridId = grid.id;
          else notes.push(IMPORT_MESSAGES.unknownGrid(r.grid, community.name));
        } else if (scope.gridIds) {
          // A grid worker's sheet often leaves the grid out: if they have one grid in this community, it is that one.
          const mine = scope.gridIds.filter((g) => byId.get(g)?.parentId === community.id);
          if (mine.length === 1) gridId = mine[0];
        }
        if (r.compound) {
          const compound = child(community.id, 'compound', r.compound);
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
    const dateCheck = r.date ? checkCollectionDate(c, r.date, s.today) : null;
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
      channel: s.channel, enteredBy: s.enteredBy, collectedOn: r.date,
      // Kept with the record but not part of the row key: a re-import with a 备注 added still adds nothing.
      collectedByName: r.visitor || null, intakeNote: r.note || null,
    };
    const already = hasKey(input.idempotencyKey);
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
