import fs from 'node:fs';
import type { Browser, Page } from 'playwright-core';
import { createUser, TEST_PASSWORD } from '../helpers/app';
import { artifact, describeBrowser, launchBrowser, loginInBrowser } from '../helpers/browser';
import { startTestServer, type RunningApp } from '../helpers/server';
import { seedDashboard, type DashboardSeed } from '../helpers/dashboard-factories';

describeBrowser('dashboard in Chromium', () => {
  let server: RunningApp;
  let browser: Browser;
  let page: Page;
  let seed: DashboardSeed;
  const cspErrors: string[] = [];

  beforeAll(async () => {
    server = await startTestServer();
    browser = await launchBrowser();
    seed = seedDashboard(server.db);
    const admin = createUser(server.db, { role: 'admin' });
    page = await browser.newPage({ viewport: { width: 1200, height: 900 } });
    page.on('console', (m) => { if (/Content Security Policy/i.test(m.text())) cspErrors.push(m.text()); });
    await loginInBrowser(page, server.baseUrl, admin.username, TEST_PASSWORD);
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  it('draws the charts with visible bars and labels, breaks no CSP rule, and prints without the filters', async () => {
    const res = await page.goto(`${server.baseUrl}/campaigns/${seed.campaignId}/dashboard`);
    expect(res?.status()).toBe(200);
    const charts = page.locator('svg.chart');
    expect(await charts.count()).toBe(4);
    // Each chart is laid out at a readable size and its bars have real width.
    for (let i = 0; i < 4; i++) {
      const box = await charts.nth(i).boundingBox();
      expect(box!.width).toBeGreaterThan(250);
      expect(box!.height).toBeGreaterThan(60);
    }
    const widest = await page.locator('svg.chart[aria-labelledby^="chart-category"]').evaluate((svg) => {
      const rects = Array.from(svg.querySelectorAll('rect'));
      return Math.max(...rects.map((r) => r.getBoundingClientRect().width));
    });
    expect(widest).toBeGreaterThan(100);
    expect(await page.getByRole('img', { name: '按渠道' }).count()).toBe(1);
    await page.screenshot({ path: artifact('dashboard.png'), fullPage: true });
    expect(cspErrors).toEqual([]);

    await page.emulateMedia({ media: 'print' });
    expect(await page.locator('form.filters').isVisible()).toBe(false);
    expect(await page.locator('svg.chart').first().isVisible()).toBe(true);
    const pdf = await page.pdf({ format: 'A4', printBackground: true });
    const pages = (pdf.toString('latin1').match(/\/Type\s*\/Page(?![a-zA-Z])/g) ?? []).length;
    expect(pages).toBeGreaterThanOrEqual(1);
    expect(pages).toBeLessThanOrEqual(3);
    fs.writeFileSync(artifact('dashboard.pdf'), pdf);
    await page.emulateMedia({ media: 'screen' });
  });
});
