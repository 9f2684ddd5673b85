import type { Db } from '../../src/db/open-db';
import { createLegacySubmissionWriter } from '../../src/submissions/repo';
import type { NewSubmission, Submission } from '../../src/submissions/types';
import { testConfig } from '../../src/config';
import { createContext } from '../../src/context';
import { randomToken } from '../../src/lib/random';
import type { MadeCampaign } from './factories';

let seq = 0;

/** One stored submission in the campaign's community (and compound unless told otherwise). */
export function makeSubmission(db: Db, c: MadeCampaign, opts: Partial<NewSubmission> & { text?: string } = {}): Submission {
  seq += 1;
  return createLegacySubmissionWriter(db).insert({
    campaignId: c.campaignId, qrCodeId: c.qrCodeId, idempotencyKey: `test-${randomToken(12)}-${seq}`, kind: 'suggestion',
    text: opts.text ?? `测试建议 ${seq}`, communityId: c.communityId, gridId: c.gridId, compoundId: c.compoundId,
    categoryId: c.categoryIds[0], residentName: '王秀兰', residentPhone: '13812345678', ...opts,
  }).submission;
}

/** The issue and menu services on a database, as the composition root builds them, and a viewer for a user id. */
export function issueServices(db: Db) {
  const ctx = createContext(testConfig(), db);
  // A fresh counter with nothing to write: only its interval stops.
  void ctx.scanCounter.stop();
  return {
    db, issues: ctx.issues, items: ctx.items, audit: ctx.audit, issueService: ctx.issueService, menu: ctx.menuService,
    outcomes: ctx.outcomes,
    /** The user with their reach, as a request would carry them. */
    as: async (userId: number) => ctx.access.viewerOf((await ctx.users.findById(userId))!),
  };
}

export const auditActions = (db: Db, issueId: number): string[] =>
  db.prepare("SELECT action FROM audit_log WHERE entity_type = 'issue' AND entity_id = ? ORDER BY id").pluck().all(issueId) as string[];

export const issueStatus = (db: Db, issueId: number): string | undefined =>
  db.prepare('SELECT status FROM issues WHERE id = ?').pluck().get(issueId) as string | undefined;

export const issueSubmissionIds = (db: Db, issueId: number): number[] =>
  db.prepare('SELECT id FROM submissions WHERE issue_id = ? ORDER BY id').pluck().all(issueId) as number[];
