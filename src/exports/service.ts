import { isCalendarDate } from '../http/validate';
import { ISSUE_STATUS_LABELS, PRIORITY_LABELS, type IssueStatus } from '../issues/rules';
import type { Issue } from '../issues/repo';
import { maskName, maskPhone, maskPhonesInText } from '../lib/personal-data';
import { CHANNEL_LABELS, KIND_LABELS } from '../submissions/types';
import { formatReceiptCode } from '../lib/receipt-code';
import type { ExportRepo, ExportSubmissionRow } from './repo';

/** A cell: text, a number, empty, or an instant (written as China time: a date cell in xlsx, text in CSV). */
export type Cell = string | number | null | Date;

export interface Column {
  header: string;
  /** Excel column width in characters (a Chinese character counts about two). */
  width: number;
  /** Instants get a date format in xlsx. */
  type?: 'datetime';
}

export const SUBMISSION_COLUMNS: Column[] = [
  { header: '回执码', width: 12 },
  { header: '收到时间', width: 18, type: 'datetime' },
  { header: '采集日期', width: 12 },
  { header: '类型', width: 10 },
  { header: '渠道', width: 12 },
  { header: '分类', width: 10 },
  { header: '社区', width: 14 },
  { header: '网格', width: 12 },
  { header: '楼院/小区', width: 16 },
  { header: '楼栋/门牌', width: 14 },
  { header: '内容', width: 60 },
  { header: '姓名', width: 10 },
  { header: '电话', width: 14 },
  { header: '二维码', width: 22 },
  { header: '所属问题', width: 28 },
  { header: '问题状态', width: 14 },
  { header: '答复', width: 40 },
  { header: '走访人', width: 10 },
  { header: '备注', width: 24 },
];

export const ISSUE_COLUMNS: Column[] = [
  { header: '编号', width: 8 },
  { header: '问题', width: 40 },
  { header: '分类', width: 10 },
  { header: '社区', width: 14 },
  { header: '楼院/小区', width: 16 },
  { header: '居民人数', width: 10 },
  { header: '紧急程度', width: 10 },
  { header: '状态', width: 14 },
  { header: '认领人', width: 24 },
  { header: '答复', width: 40 },
  { header: '未采纳原因', width: 24 },
  { header: '登记时间', width: 18, type: 'datetime' },
  { header: '办结时间', width: 18, type: 'datetime' },
];

/** ISO text from the database → Date, or null when empty or unreadable. */
export function instant(iso: string | null | undefined): Date | null {
  if (!iso) return null;
  const d = new Date(iso.includes('T') ? iso : iso.replace(' ', 'T') + 'Z');
  return Number.isNaN(d.getTime()) ? null : d;
}

/** "2026-11-25 16:20" in China time, which is what staff read. */
export function chinaDateTime(d: Date): string {
  return new Date(d.getTime() + 8 * 3600 * 1000).toISOString().slice(0, 16).replace('T', ' ');
}

export type Lookups = Awaited<ReturnType<ExportRepo['lookups']>>;

/**
 * For readers who may not see personal data, every text cell has its phone numbers masked: residents and grid
 * workers write numbers into 楼栋, 备注, names, titles and replies as well as into the text.
 */
const maskTextCells = (cells: Cell[], fullPersonalData: boolean): Cell[] =>
  (fullPersonalData ? cells : cells.map((c) => (typeof c === 'string' ? maskPhonesInText(c) : c)));

/** One submission as a spreadsheet row; names and phones (also those inside every text cell) masked unless the user may see personal data. */
export function submissionCells(r: ExportSubmissionRow, l: Lookups, fullPersonalData: boolean): Cell[] {
  const place = (id: number | null) => (id === null ? '' : l.places.get(id) ?? '');
  const issue = r.issue_id !== null ? l.issues.get(r.issue_id) : undefined;
  return maskTextCells([
    formatReceiptCode(r.receipt_code),
    instant(r.created_at),
    r.collected_on ?? '',
    KIND_LABELS[r.kind] ?? r.kind,
    CHANNEL_LABELS[r.channel] ?? r.channel,
    r.category_id === null ? '待分类' : l.categories.get(r.category_id) ?? '',
    place(r.community_id),
    place(r.grid_id),
    place(r.compound_id),
    r.building ?? '',
    fullPersonalData ? r.text : maskPhonesInText(r.text),
    fullPersonalData ? r.resident_name ?? '' : maskName(r.resident_name),
    fullPersonalData ? r.resident_phone ?? '' : maskPhone(r.resident_phone),
    r.qr_code_id === null ? '' : l.qrCodes.get(r.qr_code_id) ?? '',
    issue?.title ?? '',
    issue ? ISSUE_STATUS_LABELS[issue.status as IssueStatus] ?? issue.status : '',
    r.reply ?? '',
    r.collected_by_name ?? '',
    // Grid workers write residents' details here too ("女儿电话…"): masked like the text.
    fullPersonalData ? r.intake_note ?? '' : maskPhonesInText(r.intake_note),
  ], fullPersonalData);
}

export function issueCells(i: Issue, claimers: string[], fullPersonalData = false): Cell[] {
  return maskTextCells([
    i.id,
    i.title,
    i.categoryName ?? '待分类',
    i.communityName ?? '',
    i.compoundName ?? '',
    i.residents,
    PRIORITY_LABELS[i.priority] ?? String(i.priority),
    ISSUE_STATUS_LABELS[i.status] ?? i.status,
    claimers.join('、'),
    i.reply ?? '',
    i.declineReason ?? '',
    instant(i.createdAt),
    instant(i.resolvedAt),
  ], fullPersonalData);
}

/**
 * Inclusive China-time day bounds on an ISO instant, for the issue export's from/to filter. A bound that is not
 * a real date (2023-13-45) is no bound, as on the submissions export, rather than a text comparison.
 */
export function withinDays(iso: string, from?: string, to?: string): boolean {
  if (from !== undefined && !isCalendarDate(from)) from = undefined;
  if (to !== undefined && !isCalendarDate(to)) to = undefined;
  const d = instant(iso);
  if (!d) return !from && !to;
  const day = chinaDateTime(d).slice(0, 10);
  return (!from || day >= from) && (!to || day <= to);
}

/** A download name: the campaign's title without characters file systems refuse, plus what and when. */
export function exportFileName(title: string, what: string, ext: 'xlsx' | 'csv', now = new Date()): string {
  const safe = title.replace(/[\\/:*?"<>|\u0000-\u001f]/g, '').trim().slice(0, 60) || '征求意见';
  return `${safe}-${what}-${chinaDateTime(now).slice(0, 10)}.${ext}`;
}
