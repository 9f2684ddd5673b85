import type { Db } from '../db/open-db';
import type { AppealStatus, Proof } from './rules';

export interface Appeal {
  id: number;
  submissionId: number;
  kind: 'issue' | 'submission';
  issueId: number | null;
  reason: string;
  proof: Proof;
  status: AppealStatus;
  answer: string | null;
  createdAt: string;
  concludedAt: string | null;
}

interface Row {
  id: number; submission_id: number; kind: 'issue' | 'submission'; issue_id: number | null; reason: string; proof: Proof;
  status: AppealStatus; answer: string | null; created_at: string; concluded_at: string | null;
}
const toAppeal = (r: Row): Appeal => ({
  id: r.id, submissionId: r.submission_id, kind: r.kind, issueId: r.issue_id, reason: r.reason, proof: r.proof,
  status: r.status, answer: r.answer, createdAt: r.created_at, concludedAt: r.concluded_at,
});

const NOW = "strftime('%Y-%m-%dT%H:%M:%fZ', 'now')";

/** Appeals (申请复核), once per submission. Submission appeals end by the triggers of migration 070. */
export function createAppealRepo(db: Db) {
  const insert = db.prepare(`INSERT INTO appeals (submission_id, kind, issue_id, reason, proof)
    VALUES (@submissionId, @kind, @issueId, @reason, @proof)`);
  const ofSubmission = db.prepare<[number], Row>('SELECT * FROM appeals WHERE submission_id = ?');
  const ofIssue = db.prepare<[number], Row>('SELECT * FROM appeals WHERE issue_id = ? ORDER BY id');
  const conclude = db.prepare(`UPDATE appeals SET status = ?, answer = ?, concluded_by = ?, concluded_at = ${NOW}
    WHERE issue_id = ? AND kind = 'issue' AND status = 'open'`);
  const openInQueue = db.prepare<[number], { submission_id: number; reason: string }>(`SELECT a.submission_id, a.reason
    FROM appeals a JOIN submissions s ON s.id = a.submission_id
    WHERE a.kind = 'submission' AND a.status = 'open' AND s.campaign_id = ?`);

  return {
    insert: (a: { submissionId: number; kind: 'issue' | 'submission'; issueId: number | null; reason: string; proof: Proof }) =>
      Number(insert.run(a).lastInsertRowid),
    ofSubmission: (submissionId: number) => { const r = ofSubmission.get(submissionId); return r ? toAppeal(r) : undefined; },
    /** Every appeal about an issue, oldest first. */
    ofIssue: (issueId: number) => ofIssue.all(issueId).map(toAppeal),
    /** Ends the issue's open appeals; returns how many. */
    concludeIssue: (issueId: number, status: Exclude<AppealStatus, 'open'>, answer: string | null, userId: number) =>
      conclude.run(status, answer, userId, issueId).changes,
    /** Declined suggestions of a campaign back in the triage queue on appeal: submission id → the resident's reason. */
    openInQueue: (campaignId: number) => new Map(openInQueue.all(campaignId).map((r) => [r.submission_id, r.reason])),
  };
}
export type AppealRepo = ReturnType<typeof createAppealRepo>;
