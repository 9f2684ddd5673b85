export const CAMPAIGN_STATUSES = ['draft', 'open', 'closed'] as const;
export type CampaignStatus = (typeof CAMPAIGN_STATUSES)[number];
export const CAMPAIGN_STATUS_LABELS: Record<CampaignStatus, string> = { draft: '草稿', open: '进行中', closed: '已结束' };

/** Whether the resident form takes submissions today, and if not, why (each reason has its own kind message). */
export type Acceptance = 'open' | 'draft' | 'not_started' | 'ended' | 'closed';

export function acceptanceOf(c: { status: CampaignStatus; startsOn: string; endsOn: string }, today: string): Acceptance {
  if (c.status === 'draft') return 'draft';
  if (c.status === 'closed') return 'closed';
  if (today < c.startsOn) return 'not_started';
  if (today > c.endsOn) return 'ended';
  return 'open';
}

/** Allowed status changes: a draft opens; an open campaign closes; a closed one may be reopened. */
const TRANSITIONS: Record<CampaignStatus, CampaignStatus[]> = { draft: ['open'], open: ['closed'], closed: ['open'] };

export function canTransition(from: CampaignStatus, to: CampaignStatus): boolean {
  return TRANSITIONS[from].includes(to);
}

/** Today's date in China (UTC+8), YYYY-MM-DD: campaign dates are local dates. */
export function chinaToday(now = new Date()): string {
  return new Date(now.getTime() + 8 * 3600 * 1000).toISOString().slice(0, 10);
}

export const ORGANIZER_NAME_MAX = 40;
export const ORGANIZER_PHONE_MAX = 30;

/**
 * A phone number as offices write them on notices: 0371-66881234, 138 1234 5678, 12345, 0371-66881234转8001.
 * Digits with spaces, hyphens, brackets, a leading + and 转 (extension), and at least 5 digits.
 */
export function isContactPhone(s: string): boolean {
  return /^\+?[0-9()（）\- 转]{5,30}$/.test(s) && (s.match(/[0-9]/g) ?? []).length >= 5;
}
export const CONTACT_PHONE_MESSAGE = '联系电话只能包含数字、空格、“-”和“转”，例如 0371-66881234 或 13812345678';
