import type { Browser, Page } from 'playwright-core';
import { artifact, describeBrowser, launchBrowser, loginInBrowser, PHONE, DESKTOP, andLoad } from '../helpers/browser';
import { startTestServer, type RunningApp } from '../helpers/server';
import { makeCampaign, type MadeCampaign } from '../helpers/factories';
import { createUser, TEST_PASSWORD } from '../helpers/app';
import { issueServices } from '../helpers/issues-factories';


/** From a resident's suggestion to a rated outcome, through the pages staff, a claimer and the resident use. */
describeBrowser('a submission becomes a resolved, rated issue', () => {
  let server: RunningApp;
  let browser: Browser;
  let c: MadeCampaign;

  beforeAll(async () => {
    server = await startTestServer();
    browser = await launchBrowser();
    c = makeCampaign(server.db, { title: '建中街街道 冬季民生征求意见' });
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  const login = (page: Page, username: string) => loginInBrowser(page, server.baseUrl, username, TEST_PASSWORD);

  it('arrives, is merged, published, claimed, done, confirmed, and rated by the resident', async () => {
    const staffUser = createUser(server.db, { username: 'zhangsan', role: 'staff', scopePlaceId: c.communityId });
    createUser(server.db, { username: 'sifaju', role: 'claimer', claimerKind: 'unit' });

    // An issue already exists from a neighbour's earlier complaint about the same lift.
    const earlier = (await server.app.ctx.submissionService.record({
      campaignId: c.campaignId, idempotencyKey: 'earlier-lift', kind: 'suggestion', text: '3号楼电梯坏了好几天了',
      communityId: c.communityId, compoundId: c.compoundId, channel: 'door_to_door',
    })).submission;
    const staffAsUser = await server.app.ctx.access.viewerOf((await server.app.ctx.users.findById(staffUser.id))!);
    const issueId = await issueServices(server.db).issueService.create(staffAsUser, c.campaignId, [earlier.id], { title: '3号楼电梯坏了', categoryId: null, priority: 2 });

    // 1. A resident scans the poster and submits from a phone.
    const resident = await (await browser.newContext(PHONE)).newPage();
    await resident.goto(`${server.baseUrl}/q/${c.qrToken}`);
    await resident.fill('textarea[name=text]', '三号楼的电梯又坏了，老人上下楼很不方便');
    await resident.fill('input[name=phone]', '13812345678');
    await andLoad(resident, /\/r\/[A-Z0-9]{8}\?new=1$/, () => resident.click('button[type=submit]'));
    const code = (await resident.locator('.r-code').textContent())!.trim().replace('-', '');
    const submissionId = server.db.prepare('SELECT id FROM submissions WHERE receipt_code = ?').pluck().get(code) as number;
    expect(submissionId).toBeGreaterThan(0);

    // 2. Staff see it proposed as part of the existing issue and merge it with one click.
    const staff = await (await browser.newContext(DESKTOP)).newPage();
    await login(staff, 'zhangsan');
    await staff.goto(`${server.baseUrl}/campaigns/${c.campaignId}/issues/unassigned`);
    const group = staff.locator('fieldset.tgroup', { hasText: '三号楼' });
    await expect(group.locator('input[name^="issue."]').inputValue()).resolves.toBe(`#${issueId} 3号楼电梯坏了`);
    await andLoad(staff, /\/issues\/unassigned$/, () => group.locator('button[value^="join:"]').click());
    expect(server.db.prepare('SELECT issue_id FROM submissions WHERE id = ?').pluck().get(submissionId)).toBe(issueId);

    // 3. Staff accept the issue and publish it to the service menu.
    await staff.goto(`${server.baseUrl}/issues/${issueId}`);
    await expect(staff.locator('.figures strong').first().textContent()).resolves.toBe('2');
    await andLoad(staff, new RegExp(`/issues/${issueId}$`), () => staff.click('form[action$="/status"] button:has-text("受理")'));
    await staff.fill('form[action$="/publish"] input[name=title]', '修好3号楼电梯');
    await staff.fill('form[action$="/publish"] textarea[name=description]', '联系维保公司更换控制板');
    await andLoad(staff, new RegExp(`/issues/${issueId}$`), () => staff.click('form[action$="/publish"] button[type=submit]'));
    await expect(staff.locator('.flash').textContent()).resolves.toContain('已发布到服务菜单');

    // 4. A partner unit logs in, claims it from the menu, reports progress and marks it done.
    const claimer = await (await browser.newContext(PHONE)).newPage();
    await login(claimer, 'sifaju');
    expect(new URL(claimer.url()).pathname).toBe('/menu');
    await expect(claimer.locator('.menu-item h2').first().textContent()).resolves.toContain('修好3号楼电梯');
    expect(await claimer.content()).not.toContain('13812345678');
    await andLoad(claimer, /\/menu\/items\/\d+$/, () => claimer.click('.menu-item form button:has-text("认领")'));
    await claimer.fill('textarea[name=text]', '已联系维保公司，明天更换控制板');
    await andLoad(claimer, /\/menu\/items\/\d+$/, () => claimer.click('button:has-text("添加进展")'));
    await andLoad(claimer, /\/menu\/items\/\d+$/, () => claimer.click('button:has-text("标记完成")'));
    await expect(claimer.locator('.flash').textContent()).resolves.toContain('已标记完成');

    // 5. Staff confirm it resolved, with a reply to the residents.
    await staff.goto(`${server.baseUrl}/issues/${issueId}`);
    await staff.fill('form[action$="/resolve"] textarea[name=reply]', '电梯控制板已更换，恢复运行。感谢您的反映！');
    await andLoad(staff, new RegExp(`/issues/${issueId}$`), () => staff.click('form[action$="/resolve"] button[type=submit]'));
    const trail = await staff.locator('table.audit').textContent();
    for (const step of ['并入建议', '状态：待受理 → 已受理', '发布到服务菜单', 'sifaju 认领', '添加进展', '标记完成', '确认办结']) {
      expect(trail).toContain(step);
    }

    // 6. The resident opens the receipt again: resolved, the reply, and a one-time rating.
    await resident.goto(`${server.baseUrl}/r/${code}`);
    await expect(resident.locator('.r-status').first().textContent()).resolves.toContain('已办结');
    await expect(resident.locator('.r-outcome-reply').textContent()).resolves.toContain('电梯控制板已更换');
    await resident.check('input[name=rating][value=satisfied]');
    await resident.fill('textarea[name=comment]', '修得很快，谢谢！');
    await andLoad(resident, new RegExp(`/r/${code}$`), () => resident.click('.r-rate button[type=submit]'));
    await expect(resident.locator('.r-rated').textContent()).resolves.toContain('满意');
    expect(await resident.locator('input[name=rating]').count()).toBe(0);
    expect(await resident.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
    await resident.screenshot({ path: artifact('outcome.png'), fullPage: true });
    expect(server.db.prepare('SELECT rating FROM feedback WHERE submission_id = ?').pluck().get(submissionId)).toBe('satisfied');

    await staff.screenshot({ path: artifact('issue-page.png'), fullPage: true });
  }, 90_000);
});
