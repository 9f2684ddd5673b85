import { createPlaceRepo } from '../../src/places/repo';
import type { Viewer } from '../../src/access/rules';
import { createAuditRepo } from '../../src/audit/repo';
import { createIssueRepo } from '../../src/issues/repo';
import { createIssueService } from '../../src/issues/service';
import { createServiceItemRepo } from '../../src/menu/repo';
import { createMenuService } from '../../src/menu/service';
import { describeOnEngines, type EngineUnderTest } from '../helpers/engines';

const viewer = (id: number, role: 'admin' | 'claimer'): Viewer => ({
  id, username: `u${id}`, displayName: `用户${id}`, role, scopePlaceId: null, claimerKind: role === 'claimer' ? 'member' : null,
  canSeePersonalData: true, disabled: false, reach: { communityIds: 'all', gridIds: null, serves: 'all', scopeKind: null },
});

/** A community, a campaign, an admin, a claimer and two submissions, written the same on both engines. */
async function world({ exec }: EngineUnderTest) {
  const id = async (sql: string, params: unknown[] = []) => (await exec(`${sql} RETURNING id`, params))[0].id as number;
  const sub = await id("INSERT INTO places (kind, parent_id, name) VALUES ('subdistrict', NULL, '建中街街道')");
  const community = await id("INSERT INTO places (kind, parent_id, name) VALUES ('community', ?, '永安社区')", [sub]);
  const campaign = await id("INSERT INTO campaigns (subdistrict_id, title, starts_on, ends_on, status) VALUES (?, '春季', '2026-03-01', '2026-03-31', 'open')", [sub]);
  const admin = await id("INSERT INTO users (username, display_name, password_hash, role) VALUES ('boss', '王主任', 'x', 'admin')");
  const claimer = await id("INSERT INTO users (username, display_name, password_hash, role, claimer_kind) VALUES ('dy', '党员', 'x', 'claimer', 'member')");
  const submission = (n: number, text: string) => id(`INSERT INTO submissions (campaign_id, receipt_code, idempotency_key, kind, community_id, text)
    VALUES (?, ?, ?, 'suggestion', ?, ?)`, [campaign, `R${n}`, `k${n}`, community, text]);
  return { community, campaign, admin, claimer, s1: await submission(1, '电梯坏了'), s2: await submission(2, '电梯又坏了'), s3: await submission(3, '电梯还是坏') };
}

describeOnEngines('the issue list and the service menu in the database', (current) => {
  const services = (engine: EngineUnderTest['engine']) => {
    const menu = createMenuService({ engine, items: createServiceItemRepo(engine.queries), places: createPlaceRepo(engine.queries) });
    return { menu, issues: createIssueService({ engine, issues: createIssueRepo(engine.queries), menu }) };
  };

  test('an issue from two submissions, merged with another, its status changed, each with its audit rows', async () => {
    const { engine } = current();
    const w = await world(current());
    const { issues } = services(engine);
    const admin = viewer(w.admin, 'admin');
    const target = await issues.create(admin, w.campaign, [w.s1, w.s2], { title: '电梯坏了', categoryId: null, priority: 2 });
    const source = await issues.create(admin, w.campaign, [w.s3], { title: '电梯又坏', categoryId: null, priority: 3 });
    const repo = createIssueRepo(engine.queries);
    expect(await repo.findById(target)).toMatchObject({ residents: 2, status: 'new', communityId: w.community, underReview: false });
    expect(await issues.merge(admin, target, source)).toBe(1);
    expect(await repo.findById(source)).toBeUndefined();
    expect((await repo.submissions(target)).map((s) => s.id)).toEqual([w.s1, w.s2, w.s3]);
    await issues.changeStatus(admin, target, 'accepted', null);
    expect(await repo.findById(target)).toMatchObject({ status: 'accepted', residents: 3 });
    expect((await repo.list({ campaignId: w.campaign, communityIds: [w.community] })).map((i) => i.id)).toEqual([target]);
    expect(await repo.count({ campaignId: w.campaign, communityIds: [] })).toBe(0);
    // The trail of the merged issue comes with the target's (json member through the dialect).
    const trail = await createAuditRepo(engine.queries).listForIssue(target);
    expect(trail.map((e) => [e.entityId, e.action])).toEqual([
      [target, 'create'], [source, 'create'], [source, 'merged_into'], [target, 'merge'], [target, 'status'],
    ]);
    expect(trail[4]).toMatchObject({ userId: w.admin, userName: '王主任', detail: { from: 'new', to: 'accepted' } });
  });

  test('a refused change leaves nothing behind; a claim moves the issue along with its audit rows', async () => {
    const { engine } = current();
    const w = await world(current());
    const { issues, menu } = services(engine);
    const admin = viewer(w.admin, 'admin');
    const id = await issues.create(admin, w.campaign, [w.s1], { title: '电梯坏了', categoryId: null, priority: 2 });
    await expect(issues.changeStatus(admin, id, 'resolved', null)).rejects.toThrow();
    await issues.changeStatus(admin, id, 'accepted', null);
    const itemId = await menu.publishIssue(admin, id, { title: '修电梯', description: '', allowMultipleClaimers: false });
    await menu.claim(viewer(w.claimer, 'claimer'), itemId);
    const items = createServiceItemRepo(engine.queries);
    expect(await items.findById(itemId)).toMatchObject({ issueStatus: 'claimed', activeClaims: 1, allowMultipleClaimers: false });
    expect(await items.claims(itemId)).toMatchObject([{ claimerUserId: w.claimer, claimerName: '党员', status: 'claimed' }]);
    await expect(menu.claim(viewer(w.claimer, 'claimer'), itemId)).rejects.toThrow();
    expect((await createAuditRepo(engine.queries).listForIssue(id)).map((e) => e.action))
      .toEqual(['create', 'status', 'status', 'publish', 'claim', 'status']);
  });
});
