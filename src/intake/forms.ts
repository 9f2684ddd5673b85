import { z } from 'zod';
import { dateText, idParam, optionalText, requiredText, pickedId } from '../http/validate';
import { normalizeMobile } from '../lib/personal-data';
import { KINDS } from '../submissions/types';
import { normalizeLandline } from './import/values';
import { INTAKE_CHANNELS } from './service';

export const TEXT_MAX = 2000;
export const MEETING_ROWS_DEFAULT = 10;
export const MEETING_ROWS_MAX = 60;

const optionalId = (label: string) =>
  z.preprocess((v) => (v === '' || v === undefined || v === null ? null : v), idParam(label).nullable());

/** Mobile (normalizeMobile) or a landline with area code; empty is fine: contact details are optional. */
const optionalPhone = z.preprocess(
  (v) => (typeof v === 'string' ? v.trim() : v ?? ''),
  z.string({ message: '电话格式不正确' }).max(30, '电话号码不正确，请填写 11 位手机号或带区号的座机号'),
).transform((s, ctx) => {
  if (s === '') return null;
  const phone = normalizeMobile(s) ?? normalizeLandline(s);
  if (!phone) {
    ctx.addIssue({ code: 'custom', message: '电话号码不正确，请填写 11 位手机号或带区号的座机号（如 0371-66668888）' });
    return z.NEVER;
  }
  return phone;
});

/** Random per form render; browsers make their own for offline entries (crypto.randomUUID). */
const idempotencyKey = z.string({ message: '页面已过期，请刷新后重新填写' }).regex(/^[\w-]{16,64}$/, '页面已过期，请刷新后重新填写');

/** Quick entry: the same schema for the plain form, the script's fetch and the offline re-send. */
export const entrySchema = z.object({
  campaignId: idParam('征求意见活动'),
  channel: z.enum(INTAKE_CHANNELS, { message: '请选择收集渠道' }),
  collectedOn: dateText('日期'),
  communityId: z.preprocess((v) => (v === '' ? undefined : v), pickedId('请选择社区')),
  gridId: optionalId('网格'),
  compoundId: optionalId('小区/楼院'),
  building: optionalText('楼栋单元', 100),
  residentName: optionalText('姓名', 50),
  residentPhone: optionalPhone,
  kind: z.preprocess((v) => (v === undefined || v === '' ? 'suggestion' : v), z.enum(KINDS, { message: '请选择类型' })),
  categoryId: optionalId('分类'),
  text: requiredText('诉求内容', TEXT_MAX),
  idempotencyKey,
});
export type EntryForm = z.infer<typeof entrySchema>;

/** A residents' meeting and its opinion rows (text_1, kind_1, categoryId_1, …). Rows without text are ignored. */
export const meetingSchema = z.object({
  campaignId: idParam('征求意见活动'),
  heldOn: dateText('会议日期'),
  communityId: z.preprocess((v) => (v === '' ? undefined : v), pickedId('请选择社区')),
  gridId: optionalId('网格'),
  compoundId: optionalId('小区/楼院'),
  location: optionalText('会议地点', 100),
  // Plain digits only (full-width ones too): z.coerce.number would take "1e3" as 1000 and "0x1F" as 31.
  attendance: z.preprocess((v) => {
    if (v === '' || v === undefined) return 0;
    const s = typeof v === 'string' ? v.normalize('NFKC').trim() : v;
    return typeof s === 'string' && /^-?\d{1,9}(\.\d+)?$/.test(s) ? Number(s) : s;
  }, z.number({ message: '参会人数请填数字' }).int('参会人数请填整数').min(0, '参会人数不能是负数').max(100000, '参会人数太大了')),
  topic: requiredText('会议主题', 200),
  idempotencyKey,
});

export interface OpinionRow { kind: string; categoryId: string; text: string }

/** Reads the numbered opinion rows of the meeting form, keeping what was typed (for re-rendering). */
export function readOpinionRows(body: Record<string, unknown>, count: number): OpinionRow[] {
  const str = (v: unknown) => (typeof v === 'string' ? v : '');
  return Array.from({ length: count }, (_, i) => ({
    kind: str(body[`kind_${i + 1}`]), categoryId: str(body[`categoryId_${i + 1}`]), text: str(body[`text_${i + 1}`]).trim(),
  }));
}

export function rowCount(v: unknown): number {
  const n = Number(v);
  return Number.isInteger(n) && n >= 1 ? Math.min(n, MEETING_ROWS_MAX) : MEETING_ROWS_DEFAULT;
}
