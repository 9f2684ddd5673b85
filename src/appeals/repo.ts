import { sql } from 'kysely';
import { all, one, run, type Queries } from '../db/engine';
import { dialectOf } from '../db/dialect';
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

/** Appeals (申请复核), once per submission. Submission appeals end by the triggers of migration 070. */
export function createAppealRepo(on: Queries) {
  const NOW = dialectOf(on).nowIso;
  return {
    async insert(a: { submissionId: number; kind: 'issue' | 'submission'; issueId: number | null; reason: string; proof: Proof }): Promise<number> {
      const r = await one<{ id: number }>(on, sql`INSERT INTO appeals (submission_id, kind, issue_id, reason, proof)
        VALUES (${a.submissionId}, ${a.kind}, ${a.issueId}, ${a.reason}, ${a.proof}) RETURNING id`);
      return r!.id;
    },
    async ofSubmission(submissionId: number): Promise<Appeal | undefined> {
      const r = await one<Row>(on, sql`SELECT * FROM appeals WHERE submission_id = ${submissionId}`);
      return r ? toAppeal(r) : undefined;
    },
    /** Every appeal about an issue, oldest first. */
    ofIssue: async (issueId: number): Promise<Appeal[]> =>
      (await all<Row>(on, sql`SELECT * FROM appeals WHERE issue_id = ${issueId} ORDER BY id`)).map(toAppeal),
    /** Ends the issue's open appeals; returns how many. */
    concludeIssue: (issueId: number, status: Exclude<AppealStatus, 'open'>, answer: string | null, userId: number): Promise<number> =>
      run(on, sql`UPDATE appeals SET status = ${status}, answer = ${answer}, concluded_by = ${userId}, concluded_at = ${NOW}
        WHERE issue_id = ${issueId} AND kind = 'issue' AND status = 'open'`),
    /** Declined suggestions of a campaign back in the triage queue on appeal: submission id → the resident's reason. */
    openInQueue: async (campaignId: number): Promise<Map<number, string>> =>
      new Map((await all<{ submission_id: number; reason: string }>(on, sql`SELECT a.submission_id, a.reason
        FROM appeals a JOIN submissions s ON s.id = a.submission_id
        WHERE a.kind = 'submission' AND a.status = 'open' AND s.campaign_id = ${campaignId}`)).map((r) => [r.submission_id, r.reason])),
  };
}
export type AppealRepo = ReturnType<typeof createAppealRepo>;
