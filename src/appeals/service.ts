import type { Viewer } from '../access/rules';
import { createAuditRepo } from '../audit/repo';
import type { Engine } from '../db/engine';
import { createIssueRepo, type IssueRepo } from '../issues/repo';
import type { Issue } from '../issues/repo';
import type { OutcomeService } from '../issues/outcome';
import type { Rating } from '../issues/rules';
import { conflict, forbidden, invalid, notFound } from '../lib/errors';
import { createSubmissionRepo, type SubmissionRepo } from '../submissions/repo';
import { residentKeyOf } from '../submissions/resident-cookie';
import type { Submission } from '../submissions/types';
import { createAppealRepo, type AppealRepo } from './repo';
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
  /** Where an appeal or a review commits with its audit row. */
  engine: Pick<Engine, 'unitOfWork'>;
  /** Reads outside any unit of work. */
  appeals: AppealRepo;
  submissions: Pick<SubmissionRepo, 'findByReceipt' | 'residentKeyOf'>;
  issues: Pick<IssueRepo, 'outcomeOf' | 'feedbackOf'>;
  outcomes: Pick<OutcomeService, 'rate' | 'rateError'>;
  /** The issue if the user may handle it (the issue service's reach check), read on the caller's issue repo. */
  loadIssue: (user: Viewer, id: number, on?: Pick<IssueRepo, 'findById'>) => Promise<Issue>;
}

/**
 * The resident's say on an outcome: the one rating and the one appeal (申请复核), each only from the resident
 * (src/appeals/rules.ts), and staff's conclusion of a review. Every write has its audit row, naming the proof.
 */
export function createAppealService(deps: AppealServiceDeps) {
  const { appeals, submissions, issues } = deps;
  const wrongTries = new Map<string, { n: number; until: number }>();

  async function stateOf(sub: Submission, on: { issues: Pick<IssueRepo, 'outcomeOf' | 'feedbackOf'>; appeals: Pick<AppealRepo, 'ofSubmission'> } = { issues, appeals }): Promise<AppealState> {
    const issue = await on.issues.outcomeOf(sub.id);
    return {
      status: issue?.status ?? (sub.declinedAt !== null ? 'declined' : null),
      rating: (await on.issues.feedbackOf(sub.id))?.rating ?? null,
      alreadyAppealed: await on.appeals.ofSubmission(sub.id) !== undefined,
    };
  }

  /** The proof this request gives for this submission, or a domain error saying what the resident can do. */
  async function verify(sub: Submission, c: Credentials): Promise<Proof> {
    const now = Date.now();
    const tries = wrongTries.get(sub.receiptCode);
    if (tries && tries.until < now) wrongTries.delete(sub.receiptCode);
    const result = proofOf({
      staffSession: c.staffSession, submissionKey: await submissions.residentKeyOf(sub.id), deviceKey: residentKeyOf(c.residentId),
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

  const load = async (code: string, on = submissions) => {
    const sub = await on.findByReceipt(code);
    if (!sub) throw notFound('回执');
    return sub;
  };

  return {
    /** The one rating: the state first (nothing to rate yet, rated already), then who is asking. */
    async rate(code: string, rating: Rating, comment: string | null, c: Credentials): Promise<Proof> {
      const err = await deps.outcomes.rateError(code);
      if (err) throw err;
      const proof = await verify(await load(code), c);
      await deps.outcomes.rate(code, rating, comment, proof);
      return proof;
    },

    /**
     * 申请复核, once per receipt, after a decline or a 不满意 rating. An issue comes back to staff flagged 复核 with the
     * reason in its history; a suggestion declined in triage goes back to the triage queue, flagged the same way.
     */
    async appeal(code: string, reason: string, c: Credentials): Promise<Proof> {
      const text = reason.trim();
      if (!text) throw invalid('请写一写为什么申请复核（200 字以内）。');
      if (Array.from(text).length > APPEAL_REASON_MAX) throw invalid(`复核理由最多 ${APPEAL_REASON_MAX} 个字。`);
      const sub = await load(code);
      const err = appealError(await stateOf(sub));
      if (err) throw conflict(err);
      const proof = await verify(sub, c);
      await deps.engine.unitOfWork(async (tx) => {
        const issues = createIssueRepo(tx);
        const appeals = createAppealRepo(tx);
        const audit = createAuditRepo(tx);
        const fresh = await load(code, createSubmissionRepo(tx));
        const again = appealError(await stateOf(fresh, { issues, appeals }));
        if (again) throw conflict(again);
        const issue = await issues.outcomeOf(fresh.id);
        if (issue) {
          await appeals.insert({ submissionId: fresh.id, kind: 'issue', issueId: issue.id, reason: text, proof });
          await issues.touch(issue.id);
          await audit.record({ entityType: 'issue', entityId: issue.id, action: 'appeal', detail: { submissionId: fresh.id, reason: text, proof }, userId: null });
        } else {
          await appeals.insert({ submissionId: fresh.id, kind: 'submission', issueId: null, reason: text, proof });
          await issues.undecline(fresh.id);
          await audit.record({ entityType: 'submission', entityId: fresh.id, action: 'appeal', detail: { submissionId: fresh.id, reason: text, proof, declineReason: fresh.declineReason }, userId: null });
        }
      });
      return proof;
    },

    /** What the receipt page shows and offers about rating proof and the appeal. */
    async forReceipt(sub: Submission, residentId: string | null, staffSession: boolean) {
      const appeal = await appeals.ofSubmission(sub.id);
      const key = residentKeyOf(residentId);
      return {
        appeal: appeal ? { ...appeal, label: APPEAL_STATUS_LABELS[appeal.status] } : null,
        canAppeal: appealError(await stateOf(sub)) === null,
        /** This phone submitted it: no further proof needed. */
        device: key !== null && key === await submissions.residentKeyOf(sub.id),
        hasPhone: (sub.residentPhone ?? '').replace(/\D/g, '').length >= 4,
        staff: staffSession,
        reasonMax: APPEAL_REASON_MAX,
      };
    },

    /** The appeals about an issue, for its staff page; `open` flags it 复核. */
    async ofIssue(issueId: number) {
      const list = (await appeals.ofIssue(issueId)).map((a) => ({ ...a, label: APPEAL_STATUS_LABELS[a.status] }));
      return { list, open: list.filter((a) => a.status === 'open') };
    },

    /** Declined suggestions back in a campaign's triage queue on appeal (submission id → reason). */
    openInQueue: (campaignId: number) => appeals.openInQueue(campaignId),

    /** Staff end a review: keep the outcome (upheld) or take the issue up again (reopened). */
    conclude: (user: Viewer, issueId: number, outcome: 'upheld' | 'reopened', answer: string | null): Promise<void> => deps.engine.unitOfWork(async (tx) => {
      const issues = createIssueRepo(tx);
      const appeals = createAppealRepo(tx);
      const issue = await deps.loadIssue(user, issueId, issues);
      if ((await appeals.ofIssue(issueId)).every((a) => a.status !== 'open')) throw conflict('这个问题没有待处理的复核申请（可能刚被别人处理）。请刷新页面。');
      let to = null;
      if (outcome === 'reopened') {
        to = reopenedStatus(issue.status);
        if (!to) throw conflict('问题已经在办理中，不用重新办理；请选「维持原结果」并写明答复，或等办结后再处理。');
        await issues.setStatus(issueId, to);
      }
      await appeals.concludeIssue(issueId, outcome, answer, user.id);
      await createAuditRepo(tx).record({ entityType: 'issue', entityId: issueId, action: 'review', detail: { outcome, answer, from: to ? issue.status : null, to }, userId: user.id });
    }),
  };
}
export type AppealService = ReturnType<typeof createAppealService>;
