import fc from 'fast-check';
import { openDb } from '../../src/db/open-db';
import { DomainError } from '../../src/lib/errors';
import { createUser } from '../helpers/app';
import { makeCampaign } from '../helpers/factories';
import { issueServices, makeSubmission } from '../helpers/issues-factories';

type Op =
  | { kind: 'create'; picks: number[] }
  | { kind: 'attach'; issue: number; picks: number[] }
  | { kind: 'merge'; target: number; source: number }
  | { kind: 'detach'; issue: number; pick: number; toNew: boolean }
  | { kind: 'accept'; issue: number };

const op: fc.Arbitrary<Op> = fc.oneof(
  fc.record({ kind: fc.constant('create' as const), picks: fc.array(fc.nat(11), { minLength: 1, maxLength: 4 }) }),
  fc.record({ kind: fc.constant('attach' as const), issue: fc.nat(7), picks: fc.array(fc.nat(11), { minLength: 1, maxLength: 3 }) }),
  fc.record({ kind: fc.constant('merge' as const), target: fc.nat(7), source: fc.nat(7) }),
  fc.record({ kind: fc.constant('detach' as const), issue: fc.nat(7), pick: fc.nat(11), toNew: fc.boolean() }),
  fc.record({ kind: fc.constant('accept' as const), issue: fc.nat(7) }),
);

/**
 * Whatever staff click, in whatever order (including refused clicks), no submission is lost or counted twice:
 * every submission still exists, belongs to at most one issue, and every issue keeps at least one submission.
 */
describe('merge and split keep every submission', () => {
  it('holds over random sequences of create, attach, merge, split and status changes', async () => {
    await fc.assert(fc.asyncProperty(fc.array(op, { minLength: 1, maxLength: 25 }), async (ops) => {
      const db = openDb({ file: ':memory:' });
      try {
        const c = makeCampaign(db);
        const other = makeCampaign(db, { community: '幸福社区' });
        // 12 submissions: 10 in one community, 2 in another (merges across them must be refused).
        const subs = Array.from({ length: 12 }, (_, i) => makeSubmission(db, i < 10 ? c : other, { campaignId: c.campaignId }).id);
        const { issueService, issues, as } = issueServices(db);
        const admin = await as(createUser(db, { role: 'admin' }).id);
        const issueIds = () => db.prepare('SELECT id FROM issues ORDER BY id').pluck().all() as number[];
        const nth = (n: number) => { const ids = issueIds(); return ids.length ? ids[n % ids.length] : 0; };
        for (const o of ops) {
          try {
            if (o.kind === 'create') await issueService.create(admin, c.campaignId, o.picks.map((p) => subs[p]), { title: 't', categoryId: null, priority: 2 });
            else if (o.kind === 'attach') await issueService.attach(admin, nth(o.issue), o.picks.map((p) => subs[p]));
            else if (o.kind === 'merge') await issueService.merge(admin, nth(o.target), nth(o.source));
            else if (o.kind === 'detach') await issueService.detach(admin, nth(o.issue), subs[o.pick], o.toNew ? 'new' : 'unassigned');
            else await issueService.changeStatus(admin, nth(o.issue), 'accepted', null);
          } catch (err) {
            // Refusals are expected; anything else is a bug.
            if (!(err instanceof DomainError)) throw err;
          }
          const rows = db.prepare('SELECT id, issue_id FROM submissions ORDER BY id').all() as Array<{ id: number; issue_id: number | null }>;
          expect(rows.map((r) => r.id)).toEqual(subs);
          const live = new Set(issueIds());
          for (const r of rows) if (r.issue_id !== null) expect(live.has(r.issue_id)).toBe(true);
          for (const id of live) expect((await issues.submissionCount(id))).toBeGreaterThan(0);
          // An issue never mixes communities.
          const mixed = db.prepare('SELECT issue_id FROM submissions WHERE issue_id IS NOT NULL GROUP BY issue_id HAVING COUNT(DISTINCT community_id) > 1').all();
          expect(mixed).toEqual([]);
        }
      } finally {
        db.close();
      }
    }), { numRuns: 50 });
  });
});
