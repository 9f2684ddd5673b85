import { normalizeMobile } from '../../lib/personal-data';
import type { Cell } from './read-table';

/** A cell as text: trimmed, numbers without a trailing ".0", dates as YYYY-MM-DD. */
export function cellText(v: Cell): string {
  if (v === null) return '';
  if (typeof v === 'string') return v.replace(/\u00a0|\u3000/g, ' ').trim();
  if (typeof v === 'number') return Number.isInteger(v) ? v.toFixed(0) : String(v);
  if (typeof v === 'boolean') return v ? '是' : '否';
  return isoDate(v.getUTCFullYear(), v.getUTCMonth() + 1, v.getUTCDate()) ?? '';
}

function isoDate(y: number, m: number, d: number): string | null {
  if (y < 1990 || y > 2100 || m < 1 || m > 12 || d < 1 || d > 31) return null;
  const t = new Date(Date.UTC(y, m - 1, d));
  if (t.getUTCMonth() !== m - 1 || t.getUTCDate() !== d) return null; // 2023-02-30
  return `${String(y).padStart(4, '0')}-${String(m).padStart(2, '0')}-${String(d).padStart(2, '0')}`;
}

/** Excel's day numbers: day 25569 is 1970-01-01 (1900 system); the 1904 system is 1462 days behind. */
function fromSerial(serial: number, date1904: boolean): string | null {
  if (!Number.isFinite(serial) || serial < 20000 || serial > 80000) return null;
  const days = Math.floor(serial) + (date1904 ? 1462 : 0) - 25569;
  const t = new Date(days * 86400000);
  return isoDate(t.getUTCFullYear(), t.getUTCMonth() + 1, t.getUTCDate());
}

const DATE_TEXT = /^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?(?:[\sT].*)?$/;

/**
 * A date as grid workers type it: Excel dates (Date objects or serial numbers), 2023/11/02, 2023-11-03,
 * 2023.11.3, 2023年11月4日, 20231105. `undefined` for an empty cell, `null` when it is not a real date.
 */
export function parseDateCell(v: Cell, date1904 = false): string | null | undefined {
  if (v === null || v === '') return undefined;
  if (v instanceof Date) return cellText(v) || null;
  if (typeof v === 'number') return fromSerial(v, date1904) ?? parseDateText(String(v));
  if (typeof v !== 'string') return null;
  const s = v.normalize('NFKC').trim();
  if (!s) return undefined;
  if (/^\d{5}(\.\d+)?$/.test(s)) return fromSerial(Number(s), date1904);
  return parseDateText(s);
}

function parseDateText(s: string): string | null {
  const m = DATE_TEXT.exec(s) ?? /^(\d{4})(\d{2})(\d{2})$/.exec(s);
  return m ? isoDate(Number(m[1]), Number(m[2]), Number(m[3])) : null;
}

export type PhoneResult = { ok: true; phone: string | null } | { ok: false; reason: string };

/**
 * What grid workers write in the phone column when there is no number: 无, 暂无, 没有, 不详, 拒绝提供, 未留电话…,
 * or just a dash or slash. Words, possibly with 电话/手机/号码 after them, or nothing but punctuation.
 */
const NO_PHONE_WORDS = /^(?:暂|还|本人|居民|户主)?(?:无|没有|没留|未留|未填|未填写|未提供|不提供|没提供|不愿提供|不愿意提供|不愿留|不愿透露|不便提供|不方便提供|拒绝提供|拒提供|拒绝|拒留|不详|未知|不知道|不清楚|空|略|缺)(?:电话|手机|手机号|手机号码|号码|联系电话|联系方式)?$/;
const NO_PHONE_MARKS = /^[\s\-‐‑‒–—―−_/\\|.。·、,，~～*＊xX×?？]+$/;
const NO_PHONE_LATIN = /^(?:n\/?a|none|null|nil|no)$/i;

/** A phone cell that means "no phone" rather than a wrong number. */
export function isNoPhone(raw: string): boolean {
  const s = raw.replace(/[\s()（）【】\[\]“”"'‘’]/g, '');
  return s === '' || NO_PHONE_MARKS.test(s) || NO_PHONE_WORDS.test(s) || NO_PHONE_LATIN.test(s);
}

/**
 * A mobile number (normalizeMobile) or a landline with its area code (0371-66668888). Phones typed into
 * Excel as numbers arrive as numbers; a number Excel already turned into 1.38E+10 has lost digits for good.
 */
export function parsePhoneCell(v: Cell): PhoneResult {
  if (v === null) return { ok: true, phone: null };
  if (typeof v === 'number' && !Number.isInteger(v)) return { ok: false, reason: `电话号码不正确（“${v}”）` };
  const raw = cellText(v).normalize('NFKC');
  if (!raw || isNoPhone(raw)) return { ok: true, phone: null };
  if (/^\d+(\.\d+)?e\+?\d+$/i.test(raw)) {
    return { ok: false, reason: `电话号码不正确（“${raw}”被 Excel 显示成了科学计数法，请把电话列设为“文本”后重新填写）` };
  }
  const cleaned = raw.replace(/\.0$/, '');
  const mobile = normalizeMobile(cleaned);
  if (mobile) return { ok: true, phone: mobile };
  const landline = normalizeLandline(cleaned);
  if (landline) return { ok: true, phone: landline };
  return { ok: false, reason: `电话号码不正确（“${raw.slice(0, 30)}”）` };
}

/** 0371-66668888, 0371 6666 8888, (0371)66668888 → 0371-66668888. */
export function normalizeLandline(input: string): string | null {
  const s = input.replace(/[\s()（）]/g, '');
  const m = /^(0\d{2,3})-?(\d{7,8})$/.exec(s);
  return m ? `${m[1]}-${m[2]}` : null;
}

const WISH_YES = new Set(['是', '√', '✓', 'y', 'yes', '1', 'true', '微心愿', '是微心愿']);

/** 是否微心愿: 是/√/Y/1 → a small wish; 否 or empty → a suggestion. */
export function parseWishCell(v: Cell): boolean {
  return WISH_YES.has(cellText(v).toLowerCase());
}
