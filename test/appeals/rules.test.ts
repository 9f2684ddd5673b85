import { PROOF_MESSAGES, appealError, proofOf, reopenedStatus } from '../../src/appeals/rules';
import { makeTestApp, createUser, viewerOf } from '../helpers/app';
import { makeCampaign } from '../helpers/factories';

describe('proof that a rating or appeal comes from the resident', () => {
  const base = { staffSession: false, submissionKey: 'k1', deviceKey: null, phoneOnFile: '13812345678', last4: null };
  it('accepts the phone that submitted, or the last four digits on file', () => {
    expect(proofOf({ ...base, deviceKey: 'k1' })).toEqual({ proof: 'device' });
    expect(proofOf({ ...base, deviceKey: 'other', last4: '5678' })).toEqual({ proof: 'phone_last4' });
    expect(proofOf({ ...base, submissionKey: null, last4: ' 5678 ' })).toEqual({ proof: 'phone_last4' });
  });
  it('refuses a staff session first, then missing or wrong digits, and a receipt with no phone on file', () => {
    expect(proofOf({ ...base, staffSession: true, deviceKey: 'k1' })).toEqual({ error: PROOF_MESSAGES.staff, staff: true });
    expect(proofOf({ ...base, deviceKey: 'other' })).toEqual({ error: PROOF_MESSAGES.needLast4 });
    expect(proofOf({ ...base, last4: '1234' })).toEqual({ error: PROOF_MESSAGES.wrongLast4 });
    expect(proofOf({ ...base, submissionKey: null, phoneOnFile: null, last4: '5678' })).toEqual({ error: PROOF_MESSAGES.noPhone });
    // Two phones without a cookie never match each other.
    expect(proofOf({ ...base, submissionKey: null, deviceKey: null, phoneOnFile: null })).toEqual({ error: PROOF_MESSAGES.noPhone });
  });
});

describe('when an appeal is possible', () => {
  it('after a decline, or after rating a resolved issue 不满意; once', () => {
    expect(appealError({ status: 'declined', rating: null, alreadyAppealed: false })).toBeNull();
    expect(appealError({ status: 'resolved', rating: 'unsatisfied', alreadyAppealed: false })).toBeNull();
    expect(appealError({ status: 'resolved', rating: 'basically', alreadyAppealed: false })).toMatch(/不满意/);
    expect(appealError({ status: 'resolved', rating: null, alreadyAppealed: false })).toMatch(/不满意/);
    for (const s of ['new', 'accepted', 'on_menu', 'claimed', 'in_progress', null] as const) {
      expect(appealError({ status: s, rating: null, alreadyAppealed: false })).toMatch(/办结或答复未采纳后/);
    }
    expect(appealError({ status: 'declined', rating: null, alreadyAppealed: true })).toMatch(/只能申请一次/);
  });
  it('reopening takes a resolved issue back to 办理中 and a declined one to 已受理', () => {
    expect(reopenedStatus('resolved')).toBe('in_progress');
    expect(reopenedStatus('declined')).toBe('accepted');
    expect(reopenedStatus('in_progress')).toBeNull();
  });
});

describe('merging issues keeps supports and appeals', () => {
  it('a phone that supported both counts once on the merged issue; the appeal follows', async () => {
    const t = makeTestApp();
    const c = makeCampaign(t.db);
    const admin = await viewerOf(t, createUser(t.db, { role: 'admin' }).id);
    const sub = async (text: string) => (await t.app.ctx.submissions.insert({ campaignId: c.campaignId, idempotencyKey: text, kind: 'suggestion', text, communityId: c.communityId })).submission.id;
    const svc = t.app.ctx.issueService;
    const target = await svc.create(admin, c.campaignId, [(await sub('电梯坏了'))], { title: '电梯坏了', categoryId: null, priority: 2 });
    const sourceSub = await sub('电梯又坏了');
    const source = await svc.create(admin, c.campaignId, [sourceSub], { title: '电梯又坏了', categoryId: null, priority: 2 });
    const add = t.db.prepare('INSERT INTO issue_supports (issue_id, resident_key) VALUES (?, ?)');
    add.run(target, 'phone-a'); add.run(source, 'phone-a'); add.run(source, 'phone-b');
    t.db.prepare("INSERT INTO appeals (submission_id, kind, issue_id, reason, proof) VALUES (?, 'issue', ?, '理由', 'device')").run(sourceSub, source);
    await svc.merge(admin, target, source);
    expect(t.db.prepare('SELECT resident_key FROM issue_supports WHERE issue_id = ? ORDER BY 1').pluck().all(target)).toEqual(['phone-a', 'phone-b']);
    expect(t.db.prepare('SELECT COUNT(*) FROM issue_supports WHERE issue_id = ?').pluck().get(source)).toBe(0);
    expect(t.db.prepare('SELECT issue_id FROM appeals').pluck().get()).toBe(target);
    expect((await t.app.ctx.issues.findById(target))).toMatchObject({ supporters: 2, underReview: true });
    await t.app.ctx.stopAll();
  });
});
