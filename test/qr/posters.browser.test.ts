import type { Browser, Page } from 'playwright-core';
import { createUser, TEST_PASSWORD } from '../helpers/app';
import { artifact, describeBrowser, launchBrowser, loginInBrowser } from '../helpers/browser';
import { startTestServer, type RunningApp } from '../helpers/server';
import { createQrCampaign, seedQrPlaces, type QrWorld } from '../helpers/qr-factories';
import { createQrCodes } from '../helpers/factories';

/** Pages in a PDF: page objects are `/Type /Page`; the page tree is `/Type /Pages` and must not count. */
function pdfPageCount(pdf: Buffer): number {
  return (pdf.toString('latin1').match(/\/Type\s*\/Page(?![a-zA-Z])/g) ?? []).length;
}

describeBrowser('printing posters in Chromium', () => {
  let server: RunningApp;
  let browser: Browser;
  let page: Page;
  let w: QrWorld;

  beforeAll(async () => {
    server = await startTestServer();
    browser = await launchBrowser();
    w = seedQrPlaces(server.db);
    const admin = createUser(server.db, { role: 'admin' });
    page = await browser.newPage();
    await loginInBrowser(page, server.baseUrl, admin.username, TEST_PASSWORD);
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  it('prints the batch sheet as exactly one A4 page per code', async () => {
    const campaignId = createQrCampaign(server.db, { communityIds: [w.yongan.id], title: '永安社区楼院环境整治', endsOn: '2026-11-30' });
    const n = 5;
    createQrCodes(server.db, campaignId, n);
    const res = await page.goto(`${server.baseUrl}/campaigns/${campaignId}/posters`);
    expect(res?.status()).toBe(200);
    expect(await page.locator('section.poster svg').count()).toBe(n);
    await page.locator('section.poster').first().screenshot({ path: artifact('poster.png') });
    const pdf = await page.pdf({ format: 'A4', printBackground: true });
    expect(pdfPageCount(pdf)).toBe(n);
    // In print, the toolbar is gone.
    await page.emulateMedia({ media: 'print' });
    expect(await page.locator('.print-toolbar').isVisible()).toBe(false);
    // Back to no emulation: page.pdf() prints with print CSS only when no media is forced.
    await page.emulateMedia({ media: null });
  });

  it('prints 13 sticker labels on two pages', async () => {
    const campaignId = createQrCampaign(server.db, { communityIds: [w.qingfeng.id], title: '庆丰社区微心愿' });
    createQrCodes(server.db, campaignId, 13);
    await page.goto(`${server.baseUrl}/campaigns/${campaignId}/labels`);
    expect(await page.locator('.qr-label').count()).toBe(13);
    await page.screenshot({ path: artifact('qr-labels.png') });
    const pdf = await page.pdf({ format: 'A4', printBackground: true });
    expect(pdfPageCount(pdf)).toBe(2);
  });
});
