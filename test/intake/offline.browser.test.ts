import fs from 'node:fs';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { artifact, describeBrowser, launchBrowser, loginInBrowser, andLoad } from '../helpers/browser';
import { startTestServer, type RunningApp } from '../helpers/server';
import { createUser, TEST_PASSWORD } from '../helpers/app';
import { createIntakeFixture, type IntakeFixture } from '../helpers/intake-fixtures';
import { pixelsOf, tinyPng } from '../submissions/photos';

// A real (decodable) 4×4 PNG for the photo taken in the basement: stored photos are re-encoded without metadata.
const PNG = tinyPng(4, 4);

describeBrowser('a grid worker without a signal', () => {
  let server: RunningApp;
  let browser: Browser;
  let f: IntakeFixture;
  let workerId: number;

  beforeAll(async () => {
    server = await startTestServer();
    browser = await launchBrowser();
    f = createIntakeFixture(server.db);
    workerId = createUser(server.db, { username: 'lina', role: 'grid_worker', gridIds: [f.grids['永安社区/第三网格']] }).id;
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  const count = () => server.db.prepare('SELECT COUNT(*) FROM submissions WHERE entered_by = ?').pluck().get(workerId) as number;

  async function household(page: Page, text: string, name: string) {
    await page.fill('#entry-text', text);
    await page.fill('input[name=residentName]', name);
  }

  it('enters two households online, a third offline with a photo, and it arrives exactly once when back online', async () => {
    const context = await browser.newContext({ viewport: { width: 412, height: 900 }, locale: 'zh-CN' });
    const page = await context.newPage();
    const consoleErrors: string[] = [];
    page.on('console', (m) => { if (m.type() === 'error') consoleErrors.push(m.text()); });

    await loginInBrowser(page, server.baseUrl, 'lina', TEST_PASSWORD, { next: '/intake', landing: /\/intake$/ });
    // The service worker takes control so the page also opens without a signal.
    await page.evaluate(() => navigator.serviceWorker.ready.then(() => true));
    // The worker's grid is pre-filled.
    expect(await page.inputValue('select[name=gridId]')).toBe(String(f.grids['永安社区/第三网格']));

    // Two households in a row: after each save the form comes back with the place kept and the text focused.
    await household(page, '单元门声控灯坏了', '张建国');
    await page.selectOption('select[name=compoundId]', String(f.compounds['永安社区/永安里小区']));
    await page.fill('input[name=building]', '3号楼2单元');
    await andLoad(page, /\/intake\?.*building=/, () => page.click('#entry-save'));
    await expect(page.locator('.flash').textContent()).resolves.toContain('已保存（第 1 条）');
    expect(await page.evaluate(() => document.activeElement?.id)).toBe('entry-text');
    expect(await page.inputValue('input[name=building]')).toBe('3号楼2单元');

    // The second by keyboard only: type, then Ctrl+Enter in the text field.
    await page.keyboard.type('楼道里堆满杂物');
    // The URL already matches after the first save, so wait for the new page's flash itself (it retries).
    await page.keyboard.press('Control+Enter');
    await page.locator('.flash', { hasText: '已保存（第 2 条）' }).waitFor({ timeout: 15_000 });
    expect(count()).toBe(2);

    // In the basement: no signal.
    await context.setOffline(true);
    await expect(page.locator('#intake-net').isVisible()).resolves.toBe(true);
    await household(page, '地下室漏水，墙皮发霉', '王秀兰');
    await page.setInputFiles('input[name=photo]', { name: 'leak.png', mimeType: 'image/png', buffer: PNG });
    await page.click('#entry-save');
    await page.waitForSelector('#intake-queue:not([hidden])');
    await expect(page.locator('#intake-queue h2').textContent()).resolves.toContain('待上传 1 条');
    await expect(page.locator('[data-queue-list]').textContent()).resolves.toContain('地下室漏水，墙皮发霉（含照片）');
    // Ready for the next household, place kept.
    expect(await page.inputValue('#entry-text')).toBe('');
    expect(await page.inputValue('input[name=building]')).toBe('3号楼2单元');

    // Still offline, the entry page opens again from the service worker's cache, and the queue is still there.
    await page.reload();
    await page.waitForSelector('#intake-queue:not([hidden])');
    await expect(page.locator('#intake-queue h2').textContent()).resolves.toContain('待上传 1 条');
    await page.screenshot({ path: artifact('intake-offline-queue.png'), fullPage: true });
    expect(count()).toBe(2);

    // Back in the stairwell with a signal: the queued entry goes up by itself.
    await context.setOffline(false);
    await page.waitForFunction(() => (document.getElementById('intake-queue') as HTMLElement).hidden === true, null, { timeout: 15_000 });
    expect(count()).toBe(3);

    // A retry (the button, a reload, another online event) never sends it twice.
    await page.evaluate(() => window.dispatchEvent(new Event('online')));
    await page.reload();
    await page.waitForTimeout(500);
    expect(count()).toBe(3);

    const third = server.db.prepare('SELECT * FROM submissions WHERE text = ?').all('地下室漏水，墙皮发霉') as Array<Record<string, unknown>>;
    expect(third).toHaveLength(1);
    expect(third[0]).toMatchObject({
      channel: 'door_to_door', entered_by: workerId, resident_name: '王秀兰', grid_id: f.grids['永安社区/第三网格'],
      compound_id: f.compounds['永安社区/永安里小区'], building: '3号楼2单元',
    });
    expect(third[0].collected_on).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    expect(third[0].idempotency_key).toMatch(/^intake:\d+:[\w-]{16,64}$/);
    const photo = third[0].photo_file as string;
    expect(photo).toMatch(/^[0-9a-f]{24}\.png$/);
    expect(await pixelsOf(fs.readFileSync(path.join(server.dataDir, 'uploads', photo)))).toEqual(await pixelsOf(PNG));
    await page.screenshot({ path: artifact('intake-after-sync.png'), fullPage: true });

    // Logging out drops the cached page: on a shared phone without a signal, nobody opens this worker's page.
    await andLoad(page, /\/login$/, () => page.click('form.logout button'));
    await page.waitForFunction(() => caches.keys().then((keys) => keys.length === 0), null, { timeout: 10_000 });
    await context.setOffline(true);
    await page.goto(server.baseUrl + '/intake').catch(() => undefined);
    await expect(page.locator('body').textContent()).resolves.toContain('现在没有网络');
    expect(await page.locator('#entry-form').count()).toBe(0);
    await context.setOffline(false);
    expect(consoleErrors.filter((e) => !/Failed to load resource|ERR_INTERNET_DISCONNECTED/.test(e))).toEqual([]);
    await context.close();
  }, 90_000);

  it('asks to confirm an old date: online on the form sent back, offline from the queue', async () => {
    const context = await browser.newContext({ viewport: { width: 412, height: 900 }, locale: 'zh-CN' });
    const page = await context.newPage();
    await loginInBrowser(page, server.baseUrl, 'lina', TEST_PASSWORD, { next: '/intake', landing: /\/intake$/ });
    const before = count();

    // Online: the page script's save is refused, and the server's form comes back with the question and the typing.
    await page.fill('input[name=collectedOn]', '2023-11-02');
    await household(page, '楼顶漏水（2023年的纸质调查表）', '高志强');
    await page.click('#entry-save');
    await page.waitForSelector('label.date-confirm');
    await expect(page.locator('.form-error').textContent()).resolves.toContain('日期 2023-11-02 一年多以前');
    expect(await page.inputValue('#entry-text')).toBe('楼顶漏水（2023年的纸质调查表）');
    expect(await page.inputValue('input[name=residentName]')).toBe('高志强');
    expect(count()).toBe(before);
    await page.check('input[name=confirmDate]');
    await page.click('#entry-save');
    await page.locator('.flash', { hasText: '已保存' }).waitFor({ timeout: 15_000 });
    expect(count()).toBe(before + 1);
    // The next household keeps the date, confirmed.
    expect(await page.inputValue('input[name=collectedOn]')).toBe('2023-11-02');
    expect(await page.isChecked('input[name=confirmDate]')).toBe(true);

    // Offline, another old date (the box confirms 2023-11-02 only): queued, then sent back when the signal returns.
    await context.setOffline(true);
    await page.fill('input[name=collectedOn]', '2023-11-03');
    await household(page, '单元门禁坏了（2023年的纸质调查表）', '欧阳春');
    await page.click('#entry-save');
    await page.waitForSelector('#intake-queue:not([hidden])');
    await context.setOffline(false);
    const confirm = page.locator('[data-queue-list] button', { hasText: '日期 2023-11-03 核实无误，照样上传' });
    await confirm.waitFor({ timeout: 15_000 });
    await expect(page.locator('[data-queue-list]').textContent()).resolves.toContain('上传失败：日期 2023-11-03 一年多以前');
    expect(count()).toBe(before + 1);
    await confirm.click();
    await page.waitForFunction(() => (document.getElementById('intake-queue') as HTMLElement).hidden === true, null, { timeout: 15_000 });
    expect(count()).toBe(before + 2);
    expect(server.db.prepare('SELECT collected_on FROM submissions WHERE text = ?').pluck().all('单元门禁坏了（2023年的纸质调查表）')).toEqual(['2023-11-03']);
    await context.close();
  }, 90_000);

  it('imports the sample spreadsheet through preview and confirmation', async () => {
    createUser(server.db, { username: 'zhaoqiang', role: 'staff', scopePlaceId: f.subdistrictId });
    const context = await browser.newContext({ viewport: { width: 1200, height: 900 }, locale: 'zh-CN' });
    const page = await context.newPage();
    await loginInBrowser(page, server.baseUrl, 'zhaoqiang', TEST_PASSWORD,
      { next: `/intake/import?campaign=${f.campaignId}`, landing: /\/intake\/import\?campaign=/ });
    const sample = path.join(__dirname, '..', '..', '..', 'shared', 'data', 'door-to-door-sample.xlsx');
    await page.setInputFiles('input[name=file]', sample);
    await andLoad(page, /\/intake\/import\/[\w-]+$/, () => page.click('form[data-busy] button[type=submit]'));
    // The sample's good rows are from November 2023, over a year ago: listed for checking, imported once ticked.
    await expect(page.locator('.import-counts').textContent()).resolves.toContain('将新增 0 条');
    await expect(page.locator('.import-counts').textContent()).resolves.toContain('日期需要核实 14 条');
    await expect(page.locator('.import-dates').textContent()).resolves.toContain('第 4 行2023-11-02一年多以前');
    await expect(page.locator('.import-problems').textContent()).resolves.toContain('第 12 行日期无法识别（“2023-13-05”）');
    await page.check('input[name=acceptOldDates]');
    await page.screenshot({ path: artifact('intake-import-preview.png'), fullPage: true });
    const before = server.db.prepare('SELECT COUNT(*) FROM submissions').pluck().get() as number;
    await andLoad(page, /\/intake\/import\/[\w-]+$/, () => page.click('form[data-busy] button:has-text("确认导入")'));
    await expect(page.locator('.flash').textContent()).resolves.toContain('导入完成：新增 14 条');
    expect(server.db.prepare('SELECT COUNT(*) FROM submissions').pluck().get()).toBe(before + 14);
    await page.screenshot({ path: artifact('intake-import-result.png'), fullPage: true });
    await context.close();
  }, 60_000);
});
