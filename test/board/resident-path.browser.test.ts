import type { Browser } from 'playwright-core';
import { artifact, describeBrowser, launchBrowser, loginInBrowser, PHONE, DESKTOP, andLoad } from '../helpers/browser';
import { startTestServer, type RunningApp } from '../helpers/server';
import { createUser, TEST_PASSWORD } from '../helpers/app';
import { makeCampaign, type MadeCampaign } from '../helpers/factories';


/**
 * A resident's whole say, in a real browser: scan → submit → the receipt offers the community's similar issue →
 * support it → the board counts it → staff resolve → the resident rates 不满意 → appeals → staff see 复核.
 */
describeBrowser('a resident supports, rates and appeals', () => {
  let server: RunningApp;
  let browser: Browser;
  let c: MadeCampaign;

  beforeAll(async () => {
    server = await startTestServer();
    browser = await launchBrowser();
    c = makeCampaign(server.db, { title: '建中街街道 冬季民生征求意见', askPhoto: false });
  }, 60_000);
  afterAll(async () => { await browser?.close(); await server?.close(); });

  it('scan → submit → similar issue → 附议 → board → resolved → 不满意 → 申请复核 → staff see 复核', async () => {
    const { ctx } = server.app;
    const staffUser = createUser(server.db, { username: 'yongan', role: 'staff', scopePlaceId: c.communityId });
    const staffViewer = await ctx.access.viewerOf((await ctx.users.findById(staffUser.id))!);
    // A neighbour's complaint about the lift is already an accepted, public issue.
    const earlier = (await ctx.submissionService.record({
      campaignId: c.campaignId, idempotencyKey: 'earlier-lift', kind: 'suggestion', text: '3号楼电梯坏了好几天了，老人下不了楼',
      communityId: c.communityId, compoundId: c.compoundId, channel: 'door_to_door', residentName: '赵大妈', residentPhone: '13700001111',
    })).submission;
    const issueId = await ctx.issueService.create(staffViewer, c.campaignId, [earlier.id], { title: '3号楼电梯坏了', categoryId: null, priority: 2 });
    await ctx.issueService.changeStatus(staffViewer, issueId, 'accepted', null);

    // 1. Scan and submit.
    const resident = await (await browser.newContext(PHONE)).newPage();
    await resident.goto(`${server.baseUrl}/q/${c.qrToken}`);
    await expect(resident.locator(`a[href="/b/${c.communityId}"]`).count()).resolves.toBe(1);
    await resident.fill('textarea[name=text]', '三号楼的电梯又坏了，老人上下楼很不方便');
    await resident.fill('input[name=name]', '王阿姨');
    await resident.fill('input[name=phone]', '13812345678');
    await andLoad(resident, /\/r\/[A-Z0-9]{8}\?new=1$/, () => resident.tap('button[type=submit]'));
    const code = (await resident.locator('.r-code').textContent())!.trim().replace('-', '');

    // 2. The receipt offers the similar issue; one tap supports it.
    const similar = resident.locator(`.r-similar #issue-${issueId}`);
    await expect(similar.locator('h3').textContent()).resolves.toBe('3号楼电梯坏了');
    await resident.screenshot({ path: artifact('receipt-similar.png'), fullPage: true });
    await andLoad(resident, new RegExp(`/r/${code}#similar$`), () => similar.locator('button').tap());
    await expect(resident.locator(`#issue-${issueId} .b-done`).textContent()).resolves.toContain('您已附议');

    // 3. The board, from the receipt's link: the count, and no personal data. A second phone without JavaScript supports too.
    await andLoad(resident, new RegExp(`/b/${c.communityId}$`), () => resident.tap(`a[href="/b/${c.communityId}"]`));
    await expect(resident.locator(`#issue-${issueId} .b-supporters`).textContent()).resolves.toBe('1');
    const neighbour = await (await browser.newContext({ ...PHONE, javaScriptEnabled: false })).newPage();
    await neighbour.goto(`${server.baseUrl}/b/${c.communityId}`);
    await andLoad(neighbour, new RegExp(`/b/${c.communityId}#issue-${issueId}$`), () => neighbour.click(`#issue-${issueId} button`));
    await expect(neighbour.locator(`#issue-${issueId} .b-supporters`).textContent()).resolves.toBe('2');
    const board = await neighbour.content();
    for (const secret of ['王阿姨', '13812345678', '赵大妈', '13700001111', '三号楼的电梯又坏了', '老人下不了楼']) expect(board).not.toContain(secret);
    expect(await neighbour.locator('meta[name=robots]').getAttribute('content')).toBe('noindex, nofollow');
    await neighbour.screenshot({ path: artifact('board.png'), fullPage: true });

    // 4. Staff join the submission to the issue, handle it and resolve it.
    const staff = await (await browser.newContext(DESKTOP)).newPage();
    await loginInBrowser(staff, server.baseUrl, 'yongan', TEST_PASSWORD);
    await staff.goto(`${server.baseUrl}/campaigns/${c.campaignId}/issues/unassigned`);
    const group = staff.locator('fieldset.tgroup', { hasText: '三号楼' });
    await andLoad(staff, /\/issues\/unassigned$/, () => group.locator('button[value^="join:"]').click());
    await staff.goto(`${server.baseUrl}/issues/${issueId}`);
    await expect(staff.locator('.figures li', { hasText: '人附议' }).locator('strong').textContent()).resolves.toBe('2');
    await andLoad(staff, new RegExp(`/issues/${issueId}$`), () => staff.click('form[action$="/status"] button:has-text("社区直接办理")'));
    await staff.fill('form[action$="/resolve"] textarea[name=reply]', '电梯已请维保公司修好。');
    await andLoad(staff, new RegExp(`/issues/${issueId}$`), () => staff.click('form[action$="/resolve"] button[type=submit]'));

    // 5. The resident rates 不满意 from the phone that submitted (no more proof asked), then asks for a review.
    await resident.goto(`${server.baseUrl}/r/${code}`);
    await expect(resident.locator('.r-status').first().textContent()).resolves.toContain('已办结');
    expect(await resident.locator('input[name=phoneLast4]').count()).toBe(0);
    await resident.check('input[name=rating][value=unsatisfied]');
    await resident.fill('textarea[name=comment]', '修好第二天又停了');
    await andLoad(resident, new RegExp(`/r/${code}$`), () => resident.tap('.r-rate button[type=submit]'));
    await expect(resident.locator('.r-rated').textContent()).resolves.toContain('不满意');
    await resident.fill('form.r-appeal textarea[name=reason]', '电梯修好后第二天又停了，请再派人看看');
    await andLoad(resident, new RegExp(`/r/${code}#appeal$`), () => resident.tap('form.r-appeal button[type=submit]'));
    await expect(resident.locator('.r-appeal').textContent()).resolves.toContain('复核中');
    expect(await resident.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
    await resident.screenshot({ path: artifact('receipt-appeal.png'), fullPage: true });

    // 6. Staff see the issue flagged 复核 in the list, with the reason in its history.
    await staff.goto(`${server.baseUrl}/campaigns/${c.campaignId}/issues`);
    await expect(staff.locator('tr', { hasText: '3号楼电梯坏了' }).locator('.badge.review').textContent()).resolves.toBe('复核');
    await staff.goto(`${server.baseUrl}/issues/${issueId}`);
    await expect(staff.locator('#review').textContent()).resolves.toContain('电梯修好后第二天又停了，请再派人看看');
    await expect(staff.locator('table.audit').textContent()).resolves.toContain('居民申请复核');
    await staff.screenshot({ path: artifact('issue-review.png'), fullPage: true });
    expect(server.db.prepare('SELECT proof FROM appeals').pluck().get()).toBe('device');
  }, 120_000);
});
