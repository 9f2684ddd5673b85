import { z } from 'zod';
import { optionalText } from '../http/validate';
import { normalizeMobile } from '../lib/personal-data';
import { KINDS } from './types';

export const TEXT_MAX = 500;
export const NAME_MAX = 20;
export const BUILDING_MAX = 40;

/** Chinese messages of the resident form, gathered here so the view and the tests use the same words. */
export const RESIDENT_MESSAGES = {
  kind: '请选择“意见建议”或“微心愿”',
  category: '请从列表中选择分类，或选“不确定，请工作人员分类”',
  textRequired: '请写下您的意见或心愿',
  textTooLong: `内容最多 ${TEXT_MAX} 个字，请删减一些`,
  phone: '请填写正确的 11 位手机号，例如 13812345678；不想留也可以空着',
  expired: '页面已过期（停留太久，或链接不完整）',
};

/** Control characters other than tab and newline have no place in a resident's text (pasted junk, fuzzers). */
const CONTROL_CHARS = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F\u2028\u2029]/g;
const cleanText = (v: unknown) => (typeof v === 'string' ? v.replace(/\r\n?/g, '\n').replace(CONTROL_CHARS, '').trim() : v);

export interface ResidentFormOptions {
  categoryIds: readonly number[];
  askContact: boolean;
}

function buildSchema(opts: ResidentFormOptions) {
  const allowed = new Set(opts.categoryIds);
  const ignored = z.unknown().transform((): null => null);
  return z.object({
    kind: z.enum(KINDS, { message: RESIDENT_MESSAGES.kind }),
    // Empty or "unsure" leaves it to staff: a wrong guess by a resident is worse than none.
    category: z.preprocess(
      (v) => (v === undefined || v === '' || v === 'none' ? null : typeof v === 'string' && /^\d{1,9}$/.test(v) ? Number(v) : v),
      z.number({ message: RESIDENT_MESSAGES.category }).refine((n) => allowed.has(n), RESIDENT_MESSAGES.category).nullable(),
    ),
    text: z.preprocess(cleanText, z.string({ message: RESIDENT_MESSAGES.textRequired })
      .min(1, RESIDENT_MESSAGES.textRequired)
      .refine((s) => Array.from(s).length <= TEXT_MAX, RESIDENT_MESSAGES.textTooLong)),
    name: opts.askContact ? optionalText('称呼', NAME_MAX) : ignored,
    phone: opts.askContact
      ? z.preprocess(
          (v) => (v === undefined ? '' : typeof v === 'string' ? v.trim() : v),
          z.string({ message: RESIDENT_MESSAGES.phone }).max(20, RESIDENT_MESSAGES.phone),
        ).transform((s, ctx) => {
          if (s === '') return null;
          const phone = normalizeMobile(s);
          if (!phone) ctx.addIssue({ code: 'custom', message: RESIDENT_MESSAGES.phone });
          return phone;
        })
      : ignored,
    building: optionalText('楼栋/单元', BUILDING_MAX),
  });
}
export type ResidentForm = z.infer<ReturnType<typeof buildSchema>>;

// Zod compiles a schema on first use; campaigns are few, so keep one compiled schema per distinct form.
const cache = new Map<string, ReturnType<typeof buildSchema>>();

/** The one schema of a campaign's resident form (its categories; contact fields only when asked). */
export function residentFormSchema(opts: ResidentFormOptions) {
  const key = `${opts.askContact ? 1 : 0}|${opts.categoryIds.join(',')}`;
  let schema = cache.get(key);
  if (!schema) {
    if (cache.size > 500) cache.clear();
    schema = buildSchema(opts);
    cache.set(key, schema);
  }
  return schema;
}
