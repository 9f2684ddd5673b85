import fs from 'node:fs';
import path from 'node:path';
import type { Browser, BrowserContext } from 'playwright-core';
import { artifact, describeBrowser, launchBrowser, PHONE, andLoad } from '../helpers/browser';
import { startTestServer, type RunningApp } from '../helpers/server';
import { makeCampaign, type MadeCampaign } from '../helpers/factories';
import { tinyPng, pixelsOf } from './photos';

describeBrowser('a resident on a phone', () => {
  let server: RunningApp;
  let browser: Browser;
  let campaign: MadeCampaign;

  beforeAll(async () => {
    server = await startTestServer();
    browser = await launchBrowser();
    campaign = makeCampaign(server.db, { title: '建中街街道 冬季民生征求意见' });
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  async function fillAndSubmit(context: BrowserContext, text: string, withPhoto: boolean) {
    const page = await context.newPage();
    const res = await page.goto(`${server.baseUrl}/q/${campaign.qrToken}`);
    expect(res?.status()).toBe(200);
    await page.check('input[name=kind][value=wish]');
    await page.selectOption('select[name=category]', { label: '设施维修' });
    await page.fill('textarea[name=text]', text);
    await page.fill('input[name=building]', '3号楼2单元');
    await page.fill('input[name=name]', '王阿姨');
    await page.fill('input[name=phone]', '13812345678');
    if (withPhoto) await page.setInputFiles('input[name=photo]', { name: 'IMG_0001.png', mimeType: 'image/png', buffer: tinyPng(8, 8) });
    return page;
  }

  it('scans, fills the form with a photo, gets a receipt code and opens the status page', async () => {
    const context = await browser.newContext(PHONE);
    const page = await fillAndSubmit(context, '楼道灯坏了一个月，晚上上下楼很黑，希望尽快修好。', true);
    // The form fits the phone's width: nothing scrolls sideways.
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
    await page.screenshot({ path: artifact('resident-form.png'), fullPage: true });
    await andLoad(page, /\/r\/[A-Z0-9]{8}\?new=1$/, () => page.tap('button[type=submit]'));
    await expect(page.locator('h1').first().textContent()).resolves.toBe('提交成功');
    const shown = (await page.locator('.r-code').textContent())!.trim();
    expect(shown).toMatch(/^[A-Z0-9]{4}-[A-Z0-9]{4}$/);
    await page.screenshot({ path: artifact('receipt.png'), fullPage: true });

    const code = shown.replace('-', '');
    await andLoad(page, new RegExp(`/r/${code}$`), () => page.tap(`a[href="/r/${code}"]`));
    await expect(page.locator('.r-status').textContent()).resolves.toContain('已收到，等待工作人员处理');
    await expect(page.locator('.r-text').first().textContent()).resolves.toContain('楼道灯坏了一个月');
    expect(await page.content()).not.toContain('13812345678');

    const row = server.db.prepare('SELECT kind, photo_file, resident_phone FROM submissions WHERE receipt_code = ?').get(code) as
      { kind: string; photo_file: string; resident_phone: string };
    expect(row.kind).toBe('wish');
    expect(row.resident_phone).toBe('13812345678');
    expect(await pixelsOf(fs.readFileSync(path.join(server.dataDir, 'uploads', row.photo_file)))).toEqual(await pixelsOf(tinyPng(8, 8)));
    await context.close();
  }, 60_000);

  it('keeps one submission when the resident goes back from the receipt and taps 提交 again', async () => {
    const context = await browser.newContext(PHONE);
    const text = '回退再提交：垃圾桶满了没人清。';
    const page = await fillAndSubmit(context, text, false);
    await andLoad(page, /\/r\/[A-Z0-9]{8}\?new=1$/, () => page.tap('button[type=submit]'));
    const first = page.url();
    await page.goBack();
    await expect(page.inputValue('textarea[name=text]')).resolves.toBe(text);
    await andLoad(page, /\/r\/[A-Z0-9]{8}\?new=1$/, () => page.tap('button[type=submit]'));
    expect(page.url()).toBe(first);
    expect(server.db.prepare('SELECT COUNT(*) FROM submissions WHERE text = ?').pluck().get(text)).toBe(1);
    await context.close();
  }, 60_000);

  it('works the same with JavaScript turned off', async () => {
    const context = await browser.newContext({ ...PHONE, javaScriptEnabled: false });
    const page = await fillAndSubmit(context, '没有 JavaScript 也能提交：小区门口积水。', true);
    await andLoad(page, /\/r\/[A-Z0-9]{8}\?new=1$/, () => page.tap('button[type=submit]'));
    await expect(page.locator('.r-code').textContent()).resolves.toMatch(/^[A-Z0-9]{4}-[A-Z0-9]{4}$/);
    const count = server.db.prepare("SELECT COUNT(*) FROM submissions WHERE text LIKE '没有 JavaScript%'").pluck().get();
    expect(count).toBe(1);
    await context.close();
  }, 60_000);
});
