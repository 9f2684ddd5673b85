import type { Db } from '../../src/db/open-db';
import { createSubmissionRepo } from '../../src/submissions/repo';
import type { NewSubmission, Submission } from '../../src/submissions/types';
import { createIssueRepo } from '../../src/issues/repo';
import { createServiceItemRepo } from '../../src/services/repo';
import { createAuditRepo } from '../../src/audit/repo';
import { createPlaceRepo } from '../../src/places/repo';
import { createUserRepo } from '../../src/auth/repo';
import { createIssueService } from '../../src/issues/service';
import { createMenuService } from '../../src/services/service';
import { randomToken } from '../../src/http/random';
import type { MadeCampaign } from './factories';

let seq = 0;

/** One stored submission in the campaign's community (and compound unless told otherwise). */
export function makeSubmission(db: Db, c: MadeCampaign, opts: Partial<NewSubmission> & { text?: string } = {}): Submission {
  seq += 1;
  return createSubmissionRepo(db).insert({
    campaignId: c.campaignId, qrCodeId: c.qrCodeId, idempotencyKey: `test-${randomToken(12)}-${seq}`, kind: 'suggestion',
    text: opts.text ?? `测试建议 ${seq}`, communityId: c.communityId, gridId: c.gridId, compoundId: c.compoundId,
    categoryId: c.categoryIds[0], residentName: '王秀兰', residentPhone: '13812345678', ...opts,
  }).submission;
}

/** The issue and menu services on a database, as the routes build them. */
export function issueServices(db: Db) {
  const deps = {
    db, issues: createIssueRepo(db), items: createServiceItemRepo(db), audit: createAuditRepo(db),
    places: createPlaceRepo(db), users: createUserRepo(db),
  };
  return { ...deps, issueService: createIssueService(deps), menu: createMenuService(deps) };
}

export const auditActions = (db: Db, issueId: number): string[] =>
  db.prepare("SELECT action FROM audit_log WHERE entity_type = 'issue' AND entity_id = ? ORDER BY id").pluck().all(issueId) as string[];

export const issueStatus = (db: Db, issueId: number): string | undefined =>
  db.prepare('SELECT status FROM issues WHERE id = ?').pluck().get(issueId) as string | undefined;

export const issueSubmissionIds = (db: Db, issueId: number): number[] =>
  db.prepare('SELECT id FROM submissions WHERE issue_id = ? ORDER BY id').pluck().all(issueId) as number[];
