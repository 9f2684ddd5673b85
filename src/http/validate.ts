import { z } from 'zod';

export type FieldErrors = Record<string, string>;
export type Parsed<T> = { ok: true; value: T } | { ok: false; errors: FieldErrors };

/** Runs one form's schema; errors come back keyed by field, with the schema's Chinese messages. */
export function parseForm<S extends z.ZodTypeAny>(schema: S, input: unknown): Parsed<z.infer<S>> {
  const result = schema.safeParse(input ?? {});
  if (result.success) return { ok: true, value: result.data };
  const errors: FieldErrors = {};
  for (const issue of result.error.issues) {
    const key = issue.path.length ? String(issue.path[0]) : '_form';
    if (!errors[key]) errors[key] = issue.message;
  }
  return { ok: false, errors };
}

/**
 * A text field as stored: trimmed, and without NUL characters, which nobody types, and which PostgreSQL cannot store
 * in text (it refuses the whole statement; SQLite would keep them).
 */
export const cleanText = (v: unknown): unknown => (typeof v === 'string' ? v.replace(/\u0000/g, '').trim() : v);

/** Form fields arrive as strings, arrays (repeated names) or not at all: these coerce them safely. */
export const formText = (label: string, max: number) =>
  z.preprocess(
    cleanText,
    z.string({ message: `${label}格式不正确` }).max(max, `${label}最多 ${max} 个字`),
  );
export const requiredText = (label: string, max: number) =>
  z.preprocess(
    cleanText,
    z.string({ message: `请填写${label}` }).min(1, `请填写${label}`).max(max, `${label}最多 ${max} 个字`),
  );
export const optionalText = (label: string, max: number) =>
  z.preprocess(
    (v) => (v === undefined || v === null ? '' : cleanText(v)),
    z.string({ message: `${label}格式不正确` }).max(max, `${label}最多 ${max} 个字`),
  ).transform((s) => (s === '' ? null : s));
export const checkbox = () => z.preprocess((v) => v === 'on' || v === '1' || v === 'true' || v === true, z.boolean());
/** Only plain decimal digits make an id: "0x10", "1e3", " 12", "1.0" and "+5" are not ids (z.coerce.number took them). */
const DECIMAL_ID_RE = /^[0-9]{1,15}$/;
const decimalId = (v: unknown) => (typeof v === 'string' && DECIMAL_ID_RE.test(v) ? Number(v) : v);
const idNumber = (label: string) =>
  z.number({ message: `${label}格式不正确` }).int(`${label}格式不正确`).positive(`${label}格式不正确`)
    .max(Number.MAX_SAFE_INTEGER, `${label}格式不正确`);
export const idList = (label: string) =>
  z.preprocess(
    (v) => (v === undefined ? [] : Array.isArray(v) ? v : [v]),
    z.array(z.preprocess(decimalId, idNumber(label)), { message: `${label}格式不正确` }).max(1000),
  );
/** A record's id from a path segment or a form field: a decimal string (or a number from JSON), nothing else. */
export const idParam = (label: string) => z.preprocess(decimalId, idNumber(label));
/** The same strict id for a choice in a form, reporting that field's own message (e.g. 请选择社区) for anything else. */
export const pickedId = (message: string) =>
  z.preprocess(decimalId, z.number({ message }).int(message).positive(message).max(Number.MAX_SAFE_INTEGER, message));

/** Whether text is a real calendar date written YYYY-MM-DD (2023-02-29 and 2023-13-45 are not). */
export function isCalendarDate(s: string): boolean {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(s)) return false;
  const d = new Date(s + 'T00:00:00Z');
  return !Number.isNaN(d.getTime()) && d.toISOString().startsWith(s);
}

/**
 * A query parameter repeated in the URL (?community=29&community=20) arrives as an array; the first value counts,
 * so a list filter is applied rather than silently dropped by the schema's catch.
 */
export const firstValue = <S extends z.ZodTypeAny>(schema: S) =>
  z.preprocess((v) => (Array.isArray(v) ? v[0] : v), schema);

/** A list filter's date from the query string: the text when it is a real date, else undefined (see invalidDates). */
export const queryDate = () => firstValue(z.string().refine(isCalendarDate)).optional().catch(undefined);
/** The raw date texts a list page ignored, for a notice that says so (empty values are no filter, not an error). */
export function invalidDates(query: Record<string, unknown>, keys: readonly string[]): string[] {
  const bad: string[] = [];
  for (const k of keys) {
    const v = Array.isArray(query[k]) ? (query[k] as unknown[])[0] : query[k];
    if (typeof v === 'string' && v.trim() !== '' && !isCalendarDate(v)) bad.push(v.slice(0, 30));
  }
  return bad;
}
export const dateText = (label: string) =>
  z.preprocess(
    cleanText,
    z.string({ message: `请填写${label}` }).regex(/^\d{4}-\d{2}-\d{2}$/, `${label}应为 年-月-日，例如 2026-11-25`)
      .refine(isCalendarDate, `${label}不是有效日期`),
  );
/** A list filter's id from the query string (first value if repeated); anything else means no filter. */
export const queryId = () => firstValue(idParam('编号')).optional().catch(undefined);
