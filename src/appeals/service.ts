import type { Viewer } from '../access/rules';
import type { SyncAuditRepo } from '../audit/repo';
import type { Db } from '../db/open-db';
import type { IssueRepo } from '../issues/repo';
import type { Issue } from '../issues/repo';
import type { OutcomeService } from '../issues/outcome';
import type { Rating } from '../issues/rules';
import { conflict, forbidden, invalid, notFound } from '../lib/errors';
import type { SubmissionRepo } from '../submissions/repo';
import { residentKeyOf } from '../submissions/resident-cookie';
import type { Submission } from '../submissions/types';
import type { AppealRepo } from './repo';
import {
  APPEAL_REASON_MAX, APPEAL_STATUS_LABELS, PROOF_ATTEMPTS, PROOF_MESSAGES, PROOF_WINDOW_MS, appealError, proofOf, reopenedStatus,
  type AppealState, type Proof,
} from './rules';

/** What a request brings to show it comes from the resident. */
export interface Credentials {
  /** The browser's ls_resident id, if any. */
  residentId: string | null;
  /** The last four digits of the phone on file, as typed. */
  last4: string | null;
  /** A logged-in staff (or any account) session sent it. */
  staffSession: boolean;
}

export interface AppealServiceDeps {
  db: Db;
  appeals: AppealRepo;
  submissions: Pick<SubmissionRepo, 'findByReceipt' | 'residentKeyOf'>;
  issues: Pick<IssueRepo, 'outcomeOf' | 'feedbackOf' | 'undecline' | 'setStatus' | 'touch'>;
  outcomes: Pick<OutcomeService, 'rate' | 'rateError'>;
  audit: SyncAuditRepo;
  /** The issue if the user may handle it (the issue service's reach check). */
  loadIssue: (user: Viewer, id: number) => Issue;
}

/**
 * The resident's say on an outcome: the one rating and the one appeal (申请复核), each only from the resident
 * (src/appeals/rules.ts), and staff's conclusion of a review. Every write has its audit row, naming the proof.
 */
export function createAppealService(deps: AppealServiceDeps) {
  const { db, appeals, submissions, issues, audit } = deps;
  const wrongTries = new Map<string, { n: number; until: number }>();

  function stateOf(sub: Submission): AppealState {
    const issue = issues.outcomeOf(sub.id);
    return {
      status: issue?.status ?? (sub.declinedAt !== null ? 'declined' : null),
      rating: issues.feedbackOf(sub.id)?.rating ?? null,
      alreadyAppealed: appeals.ofSubmission(sub.id) !== undefined,
    };
  }

  /** The proof this request gives for this submission, or a domain error saying what the resident can do. */
  function verify(sub: Submission, c: Credentials): Proof {
    const now = Date.now();
    const tries = wrongTries.get(sub.receiptCode);
    if (tries && tries.until < now) wrongTries.delete(sub.receiptCode);
    const result = proofOf({
      staffSession: c.staffSession, submissionKey: submissions.residentKeyOf(sub.id), deviceKey: residentKeyOf(c.residentId),
      phoneOnFile: sub.residentPhone, last4: c.last4,
    });
    if ('proof' in result) {
      if (result.proof === 'phone_last4' && (wrongTries.get(sub.receiptCode)?.n ?? 0) >= PROOF_ATTEMPTS) throw conflict(PROOF_MESSAGES.tooMany);
      return result.proof;
    }
    if (result.staff) throw forbidden(result.error);
    if (result.error === PROOF_MESSAGES.wrongLast4) {
      const t = wrongTries.get(sub.receiptCode) ?? { n: 0, until: now + PROOF_WINDOW_MS };
      t.n += 1;
      wrongTries.set(sub.receiptCode, t);
      if (wrongTries.size > 10_000) wrongTries.clear();
      if (t.n > PROOF_ATTEMPTS) throw conflict(PROOF_MESSAGES.tooMany);
    }
    throw invalid(result.error);
  }

  const load = (code: string) => {
    const sub = submissions.findByReceipt(code);
    if (!sub) throw notFound('回执');
    return sub;
  };

  return {
    /** The one rating: the state first (nothing to rate yet, rated already), then who is asking. */
    rate(code: string, rating: Rating, comment: string | null, c: Credentials): Proof {
      const err = deps.outcomes.rateError(code);
      if (err) throw err;
      const proof = verify(load(code), c);
      deps.outcomes.rate(code, rating, comment, proof);
      return proof;
    },

    /**
     * 申请复核, once per receipt, after a decline or a 不满意 rating. An issue comes back to staff flagged 复核 with the
     * reason in its history; a suggestion declined in triage goes back to the triage queue, flagged the same way.
     */
    appeal(code: string, reason: string, c: Credentials): Proof {
      const text = reason.trim();
      if (!text) throw invalid('请写一写为什么申请复核（200 字以内）。');
      if (Array.from(text).length > APPEAL_REASON_MAX) throw invalid(`复核理由最多 ${APPEAL_REASON_MAX} 个字。`);
      const sub = load(code);
      const err = appealError(stateOf(sub));
      if (err) throw conflict(err);
      const proof = verify(sub, c);
      db.transaction(() => {
        const fresh = load(code);
        const again = appealError(stateOf(fresh));
        if (again) throw conflict(again);
        const issue = issues.outcomeOf(fresh.id);
        if (issue) {
          appeals.insert({ submissionId: fresh.id, kind: 'issue', issueId: issue.id, reason: text, proof });
          issues.touch(issue.id);
          audit.record({ entityType: 'issue', entityId: issue.id, action: 'appeal', detail: { submissionId: fresh.id, reason: text, proof }, userId: null });
        } else {
          appeals.insert({ submissionId: fresh.id, kind: 'submission', issueId: null, reason: text, proof });
          issues.undecline(fresh.id);
          audit.record({ entityType: 'submission', entityId: fresh.id, action: 'appeal', detail: { submissionId: fresh.id, reason: text, proof, declineReason: fresh.declineReason }, userId: null });
        }
      })();
      return proof;
    },

    /** What the receipt page shows and offers about rating proof and the appeal. */
    forReceipt(sub: Submission, residentId: string | null, staffSession: boolean) {
      const appeal = appeals.ofSubmission(sub.id);
      const key = residentKeyOf(residentId);
      return {
        appeal: appeal ? { ...appeal, label: APPEAL_STATUS_LABELS[appeal.status] } : null,
        canAppeal: appealError(stateOf(sub)) === null,
        /** This phone submitted it: no further proof needed. */
        device: key !== null && key === submissions.residentKeyOf(sub.id),
        hasPhone: (sub.residentPhone ?? '').replace(/\D/g, '').length >= 4,
        staff: staffSession,
        reasonMax: APPEAL_REASON_MAX,
      };
    },

    /** The appeals about an issue, for its staff page; `open` flags it 复核. */
    ofIssue(issueId: number) {
      const list = appeals.ofIssue(issueId).map((a) => ({ ...a, label: APPEAL_STATUS_LABELS[a.status] }));
      return { list, open: list.filter((a) => a.status === 'open') };
    },

    /** Declined suggestions back in a campaign's triage queue on appeal (submission id → reason). */
    openInQueue: (campaignId: number) => appeals.openInQueue(campaignId),

    /** Staff end a review: keep the outcome (upheld) or take the issue up again (reopened). */
    conclude: db.transaction((user: Viewer, issueId: number, outcome: 'upheld' | 'reopened', answer: string | null): void => {
      const issue = deps.loadIssue(user, issueId);
      if (appeals.ofIssue(issueId).every((a) => a.status !== 'open')) throw conflict('这个问题没有待处理的复核申请（可能刚被别人处理）。请刷新页面。');
      let to = null;
      if (outcome === 'reopened') {
        to = reopenedStatus(issue.status);
        if (!to) throw conflict('问题已经在办理中，不用重新办理；请选「维持原结果」并写明答复，或等办结后再处理。');
        issues.setStatus(issueId, to);
      }
      appeals.concludeIssue(issueId, outcome, answer, user.id);
      audit.record({ entityType: 'issue', entityId: issueId, action: 'review', detail: { outcome, answer, from: to ? issue.status : null, to }, userId: user.id });
    }),
  };
}
export type AppealService = ReturnType<typeof createAppealService>;
