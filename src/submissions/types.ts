export const KINDS = ['suggestion', 'wish'] as const;
export type SubmissionKind = (typeof KINDS)[number];
export const KIND_LABELS: Record<SubmissionKind, string> = { suggestion: '意见建议', wish: '微心愿' };

export const CHANNELS = ['online', 'door_to_door', 'meeting', 'paper_survey', 'city_app', 'hotline'] as const;
export type Channel = (typeof CHANNELS)[number];
export const CHANNEL_LABELS: Record<Channel, string> = {
  online: '线上扫码',
  door_to_door: '入户走访',
  meeting: '民情恳谈会',
  paper_survey: '需求调查表',
  city_app: '郑好拍',
  hotline: '12345热线',
};

export interface NewSubmission {
  campaignId: number;
  qrCodeId?: number | null;
  /** One record per key: a double-tapped form or a re-sent offline entry carries the same key. */
  idempotencyKey: string;
  kind: SubmissionKind;
  categoryId?: number | null;
  categoryConfidence?: number | null;
  needsTriage?: boolean;
  text: string;
  photoFile?: string | null;
  residentName?: string | null;
  residentPhone?: string | null;
  building?: string | null;
  communityId?: number | null;
  gridId?: number | null;
  compoundId?: number | null;
  channel?: Channel;
  enteredBy?: number | null;
  /** Date the opinion was collected (offline), YYYY-MM-DD. */
  collectedOn?: string | null;
  meetingId?: number | null;
  /** Who collected it, as the imported sheet names them (走访人); not necessarily an account. */
  collectedByName?: string | null;
  /** The sheet's 备注 column; may hold residents' details, so it is shown and exported like the text. */
  intakeNote?: string | null;
  /** The phone it came from (src/submissions/resident-cookie.ts), for /r and for proving a rating is the resident's. */
  residentKey?: string | null;
}

export interface Submission {
  id: number;
  campaignId: number;
  qrCodeId: number | null;
  receiptCode: string;
  idempotencyKey: string;
  kind: SubmissionKind;
  categoryId: number | null;
  categoryConfidence: number | null;
  needsTriage: boolean;
  text: string;
  photoFile: string | null;
  residentName: string | null;
  residentPhone: string | null;
  building: string | null;
  communityId: number | null;
  gridId: number | null;
  compoundId: number | null;
  channel: Channel;
  enteredBy: number | null;
  collectedOn: string | null;
  collectedByName: string | null;
  intakeNote: string | null;
  reply: string | null;
  createdAt: string;
  /** Declined in triage (不立项) instead of becoming part of an issue; the reason is the resident's reply. */
  declinedAt: string | null;
  declineReason: string | null;
  /** The issue it is part of, once staff grouped it. */
  issueId: number | null;
}
