import type { Db } from '../db/open-db';
import { createAuditRepo } from '../audit/repo';
import { conflict, notFound } from '../lib/errors';
import {
  RATINGS, RATING_LABELS, RESIDENT_STATUS_LABELS, feedbackError, type IssueStatus, type Rating,
} from './rules';

/** What a resident sees about their submission's issue on the receipt page /r/<code>. */
export interface Outcome {
  status: IssueStatus;
  /** Chinese label for residents: 已受理, 已列入服务菜单, 已有人认领, 正在办理, 已办结, 未采纳. */
  label: string;
  reply: string | null;
  declineReason: string | null;
  resolvedAt: string | null;
  /** The resident's rating, once given. */
  feedback: { rating: Rating; label: string; comment: string | null; createdAt: string } | null;
  /** Whether the rating form should be shown (resolved and not yet rated). */
  canRate: boolean;
  ratings: Array<{ value: Rating; label: string }>;
}

function statements(db: Db) {
  return {
    issueOf: db.prepare<[number], { id: number; status: IssueStatus; reply: string | null; decline_reason: string | null; resolved_at: string | null }>(`
      SELECT i.id, i.status, i.reply, i.decline_reason, i.resolved_at FROM submissions s JOIN issues i ON i.id = s.issue_id WHERE s.id = ?`),
    feedbackOf: db.prepare<[number], { rating: Rating; comment: string | null; created_at: string }>(
      'SELECT rating, comment, created_at FROM feedback WHERE submission_id = ?'),
    byReceipt: db.prepare<[string], { id: number }>('SELECT id FROM submissions WHERE receipt_code = ?'),
    insertFeedback: db.prepare('INSERT INTO feedback (submission_id, issue_id, rating, comment) VALUES (?, ?, ?, ?)'),
    audit: createAuditRepo(db),
  };
}
const cache = new WeakMap<Db, ReturnType<typeof statements>>();
const stmts = (db: Db) => { let s = cache.get(db); if (!s) { s = statements(db); cache.set(db, s); } return s; };

/**
 * The outcome of a submission, or null while it is not yet part of an issue (then the receipt page shows only
 * that it was received). The receipt route passes this to views/resident/_outcome.ejs as `outcome`.
 */
export function outcomeForSubmission(db: Db, submissionId: number): Outcome | null {
  const s = stmts(db);
  const issue = s.issueOf.get(submissionId);
  if (!issue) return null;
  const fb = s.feedbackOf.get(submissionId);
  return {
    status: issue.status,
    label: RESIDENT_STATUS_LABELS[issue.status],
    reply: issue.reply,
    declineReason: issue.status === 'declined' ? issue.decline_reason : null,
    resolvedAt: issue.resolved_at,
    feedback: fb ? { rating: fb.rating, label: RATING_LABELS[fb.rating], comment: fb.comment, createdAt: fb.created_at } : null,
    canRate: feedbackError(issue.status, !!fb) === null,
    ratings: RATINGS.map((value) => ({ value, label: RATING_LABELS[value] })),
  };
}

/** Records a resident's one rating for their receipt, with its audit row, in one transaction. */
export function rateOutcome(db: Db, receiptCode: string, rating: Rating, comment: string | null): void {
  const s = stmts(db);
  db.transaction(() => {
    const sub = s.byReceipt.get(receiptCode);
    if (!sub) throw notFound('回执');
    const issue = s.issueOf.get(sub.id);
    const err = feedbackError(issue?.status ?? null, s.feedbackOf.get(sub.id) !== undefined);
    if (err) throw conflict(err);
    s.insertFeedback.run(sub.id, issue!.id, rating, comment);
    s.audit.record({ entityType: 'issue', entityId: issue!.id, action: 'feedback', detail: { submissionId: sub.id, rating, comment }, userId: null });
  })();
}
