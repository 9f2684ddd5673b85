/**
 * Who may rate an outcome or ask for a review (申请复核), and when: plain functions returning a Chinese reason or
 * null. Only the resident: the phone that submitted (its ls_resident cookie), or, for door-to-door and paper
 * submissions, the receipt code plus the last four digits of the phone number on file. Never a staff session:
 * a grid worker who read a code from an export must not be able to speak for the resident.
 */
import type { IssueStatus, Rating } from '../issues/rules';

export const APPEAL_REASON_MAX = 200;
export const APPEAL_STATUSES = ['open', 'upheld', 'reopened'] as const;
export type AppealStatus = (typeof APPEAL_STATUSES)[number];
/** What residents and staff read about an appeal's state. */
export const APPEAL_STATUS_LABELS: Record<AppealStatus, string> = { open: '复核中', upheld: '维持原结果', reopened: '重新办理' };

export type Proof = 'device' | 'phone_last4';
export const PROOF_LABELS: Record<Proof, string> = { device: '提交意见的手机', phone_last4: '回执码和手机号后四位' };

/** Wrong last-four attempts allowed per receipt code in a window, so 10,000 guesses cannot be walked through. */
export const PROOF_ATTEMPTS = 5;
export const PROOF_WINDOW_MS = 30 * 60_000;

export const PROOF_MESSAGES = {
  staff: '工作人员登录状态下不能代居民评价或申请复核。请让居民用自己的手机打开回执；入户走访、纸质表收集的意见，居民可凭回执码和手机号后四位自己操作。',
  needLast4: '请填写提交意见时留下的手机号的后四位，以确认是您本人。',
  wrongLast4: '手机号后四位不对。请填写提交意见时留下的那个手机号的后四位。',
  noPhone: '这个回执不是用这部手机提交的，提交时也没有留下手机号，无法确认是您本人。请用提交意见的那部手机打开回执，或联系社区工作人员。',
  tooMany: '手机号后四位错误次数太多，为了安全请 30 分钟后再试，或用提交意见的那部手机打开回执。',
};

export interface ProofInput {
  /** A logged-in staff session sent the request. */
  staffSession: boolean;
  /** The phone the submission came from (hashed cookie id), or null for offline entries. */
  submissionKey: string | null;
  /** The phone sending the request (hashed cookie id), or null. */
  deviceKey: string | null;
  phoneOnFile: string | null;
  /** What the resident typed as the last four digits, if anything. */
  last4: string | null;
}

/** How the request proves it comes from the resident, or why it does not. */
export function proofOf(p: ProofInput): { proof: Proof } | { error: string; staff?: true } {
  if (p.staffSession) return { error: PROOF_MESSAGES.staff, staff: true };
  if (p.submissionKey && p.deviceKey && p.submissionKey === p.deviceKey) return { proof: 'device' };
  const digits = (p.phoneOnFile ?? '').replace(/\D/g, '');
  if (digits.length < 4) return { error: PROOF_MESSAGES.noPhone };
  const typed = (p.last4 ?? '').replace(/\s/g, '');
  if (!typed) return { error: PROOF_MESSAGES.needLast4 };
  return typed === digits.slice(-4) ? { proof: 'phone_last4' } : { error: PROOF_MESSAGES.wrongLast4 };
}

/** The state of a receipt, as far as an appeal cares. */
export interface AppealState {
  /** The issue's status, 'declined' for a suggestion declined in triage, or null while nothing was decided. */
  status: IssueStatus | null;
  rating: Rating | null;
  alreadyAppealed: boolean;
}

/** An appeal once per receipt: after a decline, or after rating a resolved issue 不满意. */
export function appealError(s: AppealState): string | null {
  if (s.alreadyAppealed) return '每条意见只能申请一次复核，您已经申请过了。工作人员处理后，结果会显示在回执页。';
  if (s.status === 'declined') return null;
  if (s.status === 'resolved') return s.rating === 'unsatisfied' ? null : '对办理结果评价「不满意」后，可以申请复核。';
  return '问题办结或答复未采纳后，才能申请复核。';
}

/** Staff end a review: keep the outcome, or take the issue up again (resolved → 办理中, declined → 已受理). */
export function reopenedStatus(status: IssueStatus): IssueStatus | null {
  if (status === 'resolved') return 'in_progress';
  if (status === 'declined') return 'accepted';
  return null;
}
