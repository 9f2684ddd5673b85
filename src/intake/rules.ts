import { InvalidError } from '../lib/errors';

/**
 * Which collection dates (采集日期) staff may enter, for quick entry, meetings and spreadsheet import alike.
 * Two kinds of answer: a date that cannot be right (in the future; after a closed campaign ended) is refused;
 * a date that may be right but usually is a slip (before the campaign began; more than a year ago, e.g. last
 * year's form copied with its date) goes in only when a person confirms it, never silently.
 */

export interface CampaignDates { status: 'draft' | 'open' | 'closed'; startsOn: string; endsOn: string }

/** A date that cannot go in at all. */
export type DateBlock = 'future' | 'afterClose';

/** Why a date needs a person to confirm it. */
export type DateDoubt = { kind: 'beforeStart'; startsOn: string } | { kind: 'overAYear' };

export interface DateCheck { block: DateBlock | null; doubts: DateDoubt[] }

/** The same day a year earlier (29 February → 28 February). */
export function yearBefore(day: string): string {
  const [y, m, d] = day.split('-').map(Number);
  const last = new Date(Date.UTC(y - 1, m, 0)).getUTCDate();
  return `${String(y - 1).padStart(4, '0')}-${String(m).padStart(2, '0')}-${String(Math.min(d, last)).padStart(2, '0')}`;
}

/**
 * The rule itself. `day` and `today` are YYYY-MM-DD (today in China time). "More than a year before today":
 * a date exactly a year ago is fine, the day before it is not. A closed campaign still takes what was
 * collected while it ran.
 */
export function checkCollectionDate(c: CampaignDates, day: string, today: string): DateCheck {
  if (day > today) return { block: 'future', doubts: [] };
  if (c.status === 'closed' && day > c.endsOn) return { block: 'afterClose', doubts: [] };
  const doubts: DateDoubt[] = [];
  if (day < c.startsOn) doubts.push({ kind: 'beforeStart', startsOn: c.startsOn });
  if (day < yearBefore(today)) doubts.push({ kind: 'overAYear' });
  return { block: null, doubts };
}

/** Whether the date goes in: no doubts, or the person confirmed exactly this date. */
export const dateAccepted = (check: DateCheck, day: string, confirmedDate: string | null | undefined): boolean =>
  check.block === null && (check.doubts.length === 0 || confirmedDate === day);

export const doubtText = (d: DateDoubt): string => (d.kind === 'beforeStart' ? `早于活动开始日期 ${d.startsOn}` : '一年多以前');

export const DATE_MESSAGES = {
  /** "早于活动开始日期 2026-03-01，一年多以前": the reasons of one date, as the import preview lists them. */
  reasons: (doubts: DateDoubt[]) => doubts.map(doubtText).join('，'),
  /** A form's message: says what is odd and what to do. */
  confirm: (field: string, day: string, doubts: DateDoubt[]) =>
    `${field} ${day} ${DATE_MESSAGES.reasons(doubts)}，请核对是不是写错了（例如年份）。如果核实无误，请勾选“日期核实无误”后再保存。`,
  /** The checkbox next to the date field. */
  checkbox: (day: string) => `日期 ${day} 核实无误，照样保存`,
  /** An import row left out because nobody confirmed its date. */
  importRejected: (day: string, doubts: DateDoubt[]) => `日期 ${day} ${DATE_MESSAGES.reasons(doubts)}，需要核实，未确认`,
};

/** A form's date that needs confirming: the form comes back with the message and a checkbox for this date. */
export class DateNeedsConfirmation extends InvalidError {
  constructor(readonly day: string, readonly doubts: DateDoubt[], field = '日期') {
    super(DATE_MESSAGES.confirm(field, day, doubts));
    this.name = 'DateNeedsConfirmation';
  }
}
