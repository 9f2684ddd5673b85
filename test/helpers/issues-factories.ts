import type { Db } from '../../src/db/open-db';
import { INSERT_COLUMNS, insertValues, toSubmission } from '../../src/submissions/repo';
import { newReceiptCode } from '../../src/lib/receipt-code';
import type { NewSubmission, Submission } from '../../src/submissions/types';
import { testConfig } from '../../src/config';
import { createContext } from '../../src/context';
import { randomToken } from '../../src/lib/random';
import type { MadeCampaign } from './factories';
import { appDatabaseOf } from './test-database';

let seq = 0;

/**
 * One stored submission in the campaign's community (and compound unless told otherwise), written synchronously
 * with plain SQL so a test can set up many in a line each (the app's own insert is src/submissions/repo.ts).
 */
export function makeSubmission(db: Db, c: MadeCampaign, opts: Partial<NewSubmission> & { text?: string } = {}): Submission {
  seq += 1;
  const s: NewSubmission = {
    campaignId: c.campaignId, qrCodeId: c.qrCodeId, idempotencyKey: `test-${randomToken(12)}-${seq}`, kind: 'suggestion',
    text: opts.text ?? `测试建议 ${seq}`, communityId: c.communityId, gridId: c.gridId, compoundId: c.compoundId,
    categoryId: c.categoryIds[0], residentName: '王秀兰', residentPhone: '13812345678', ...opts,
  };
  const values = insertValues(s, newReceiptCode());
  const row = db.prepare(`INSERT INTO submissions (${INSERT_COLUMNS}) VALUES (${values.map(() => '?').join(', ')}) RETURNING *`).get(...values);
  return toSubmission(row as Parameters<typeof toSubmission>[0]);
}

/** The issue and menu services on a database, as the composition root builds them, and a viewer for a user id. */
export function issueServices(db: Db) {
  const ctx = createContext(testConfig(), appDatabaseOf(db));
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
