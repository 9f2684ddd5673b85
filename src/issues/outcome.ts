import { createAuditRepo } from '../audit/repo';
import type { Engine, Queries } from '../db/engine';
import { conflict, notFound } from '../lib/errors';
import { createSubmissionRepo, type SubmissionRepo } from '../submissions/repo';
import { createIssueRepo, type IssueRepo } from './repo';
import {
  RATINGS, RATING_LABELS, RESIDENT_STATUS_LABELS, feedbackError, type IssueStatus, type Rating,
} from './rules';

/** How a rating's author showed the receipt is theirs: the phone that submitted, the code plus the phone's last four digits, or seeded demo data. */
export type RatingProof = 'device' | 'phone_last4' | 'demo';

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

/** The outcome residents read on their receipt, and their one rating of it. */
export function createOutcomeService(deps: {
  engine: Pick<Engine, 'unitOfWork'>; issues: IssueRepo; submissions: Pick<SubmissionRepo, 'findByReceipt'>;
}) {
  const { issues, submissions } = deps;
  return {
    /**
     * The outcome of a submission, or null while it is not yet part of an issue (then the receipt page shows only
     * that it was received). The receipt route passes this to views/resident/_outcome.ejs as `outcome`.
     */
    async forSubmission(submission: { id: number; declinedAt: string | null; declineReason: string | null }): Promise<Outcome | null> {
      const submissionId = submission.id;
      const fb = await issues.feedbackOf(submissionId);
      const feedback = fb ? { rating: fb.rating, label: RATING_LABELS[fb.rating], comment: fb.comment, createdAt: fb.created_at } : null;
      if (submission.declinedAt !== null) {
        // Declined in triage (不立项), without an issue: the reason is the answer, and the resident may rate it.
        return {
          status: 'declined', label: RESIDENT_STATUS_LABELS.declined, reply: null, declineReason: submission.declineReason,
          resolvedAt: null, feedback, canRate: feedbackError('declined', !!fb) === null,
          ratings: RATINGS.map((value) => ({ value, label: RATING_LABELS[value] })),
        };
      }
      const issue = await issues.outcomeOf(submissionId);
      if (!issue) return null;
      return {
        status: issue.status,
        label: RESIDENT_STATUS_LABELS[issue.status],
        reply: issue.reply,
        declineReason: issue.status === 'declined' ? issue.decline_reason : null,
        resolvedAt: issue.resolved_at,
        feedback,
        canRate: feedbackError(issue.status, !!fb) === null,
        ratings: RATINGS.map((value) => ({ value, label: RATING_LABELS[value] })),
      };
    },

    /** Why the receipt cannot be rated now (not found, nothing to rate yet, rated already), or null. */
    async rateError(receiptCode: string): Promise<Error | null> {
      const sub = await submissions.findByReceipt(receiptCode);
      if (!sub) return notFound('回执');
      const issue = await issues.outcomeOf(sub.id);
      const status = issue?.status ?? (sub.declinedAt !== null ? 'declined' : null);
      const err = feedbackError(status, await issues.feedbackOf(sub.id) !== undefined);
      return err ? conflict(err) : null;
    },

    /**
     * Records a resident's one rating for their receipt, with its audit row, in one transaction. `proof` says how
     * the resident showed the receipt is theirs (src/appeals/service.ts checks it; the demo seed says 'demo').
     */
    rate: (receiptCode: string, rating: Rating, comment: string | null, proof: RatingProof): Promise<void> =>
      deps.engine.unitOfWork((tx) => rateOn(tx, receiptCode, rating, comment, proof)),
    /** The same, inside the caller's unit of work `tx` (the appeal service's). */
    rateOn,
  };

  async function rateOn(tx: Queries, receiptCode: string, rating: Rating, comment: string | null, proof: RatingProof): Promise<void> {
    const issues = createIssueRepo(tx);
    const sub = await createSubmissionRepo(tx).findByReceipt(receiptCode);
    if (!sub) throw notFound('回执');
    const issue = await issues.outcomeOf(sub.id);
    const status = issue?.status ?? (sub.declinedAt !== null ? 'declined' : null);
    const err = feedbackError(status, await issues.feedbackOf(sub.id) !== undefined);
    if (err) throw conflict(err);
    await issues.addFeedback(sub.id, issue?.id ?? null, rating, comment);
    await createAuditRepo(tx).record({
      entityType: issue ? 'issue' : 'submission', entityId: issue ? issue.id : sub.id, action: 'feedback',
      detail: { submissionId: sub.id, rating, comment, proof }, userId: null,
    });
  }
}
export type OutcomeService = ReturnType<typeof createOutcomeService>;
