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

/** Form fields arrive as strings, arrays (repeated names) or not at all: these coerce them safely. */
export const formText = (label: string, max: number) =>
  z.preprocess(
    (v) => (typeof v === 'string' ? v.trim() : v),
    z.string({ message: `${label}格式不正确` }).max(max, `${label}最多 ${max} 个字`),
  );
export const requiredText = (label: string, max: number) =>
  z.preprocess(
    (v) => (typeof v === 'string' ? v.trim() : v),
    z.string({ message: `请填写${label}` }).min(1, `请填写${label}`).max(max, `${label}最多 ${max} 个字`),
  );
export const optionalText = (label: string, max: number) =>
  z.preprocess(
    (v) => (v === undefined || v === null ? '' : typeof v === 'string' ? v.trim() : v),
    z.string({ message: `${label}格式不正确` }).max(max, `${label}最多 ${max} 个字`),
  ).transform((s) => (s === '' ? null : s));
export const checkbox = () => z.preprocess((v) => v === 'on' || v === '1' || v === 'true' || v === true, z.boolean());
export const idList = (label: string) =>
  z.preprocess(
    (v) => (v === undefined ? [] : Array.isArray(v) ? v : [v]),
    z.array(z.coerce.number({ message: `${label}格式不正确` }).int().positive(), { message: `${label}格式不正确` }).max(1000),
  );
export const idParam = (label: string) => z.coerce.number({ message: `${label}格式不正确` }).int(`${label}格式不正确`).positive(`${label}格式不正确`);
export const dateText = (label: string) =>
  z.preprocess(
    (v) => (typeof v === 'string' ? v.trim() : v),
    z.string({ message: `请填写${label}` }).regex(/^\d{4}-\d{2}-\d{2}$/, `${label}应为 年-月-日，例如 2026-11-25`)
      .refine((s) => !Number.isNaN(Date.parse(s + 'T00:00:00Z')) && new Date(s + 'T00:00:00Z').toISOString().startsWith(s), `${label}不是有效日期`),
  );
