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

/** The characters on each line of an element, read from where the browser put each one. */
function titleLines(page: Page, selector: string): Promise<string[]> {
  return page.evaluate((sel) => {
    const el = document.querySelector(sel)!;
    const lines = new Map<number, string>();
    const walker = document.createTreeWalker(el, NodeFilter.SHOW_TEXT);
    for (let n = walker.nextNode(); n; n = walker.nextNode()) {
      const text = n.textContent!;
      for (let i = 0; i < text.length; i++) {
        if (!text[i].trim()) continue;
        const range = document.createRange();
        range.setStart(n, i);
        range.setEnd(n, i + 1);
        const rect = range.getBoundingClientRect();
        const top = Math.round(rect.top / 4) * 4;
        lines.set(top, (lines.get(top) ?? '') + text[i]);
      }
    }
    return [...lines.entries()].sort((a, b) => a[0] - b[0]).map(([, s]) => s);
  }, selector);
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

  // Poster titles break at sensible places: never a lone 意见 on a line.
  async function posterOf(title: string) {
    const campaignId = createQrCampaign(server.db, { communityIds: [w.yongan.id], title });
    server.db.prepare('UPDATE campaigns SET organizer_name = ?, organizer_phone = ? WHERE id = ?').run('建中街街道办事处', '0371-66881234', campaignId);
    const [qrId] = createQrCodes(server.db, campaignId, 1, w.yongan.id);
    const res = await page.goto(`${server.baseUrl}/qr/${qrId}/poster`);
    expect(res?.status()).toBe(200);
    return qrId;
  }

  it('never leaves fewer than 3 characters on a line of the title', async () => {
    await posterOf('量宽度');
    // How many characters fit on a title line here, to build titles that would leave a lone 意见 when wrapped plainly.
    const perLine = await page.evaluate(() => {
      const sheet = document.querySelector('section.poster') as HTMLElement;
      const css = getComputedStyle(sheet);
      const width = sheet.clientWidth - parseFloat(css.paddingLeft) - parseFloat(css.paddingRight);
      const h1 = document.querySelector('.poster-title') as HTMLElement;
      h1.textContent = '街'.repeat(10);
      return Math.floor(width / (h1.getBoundingClientRect().width / 10));
    });
    expect(perLine).toBeGreaterThan(8);
    const filler = '建中街街道永安社区楼院环境整治老旧小区改造加装电梯停车管理垃圾分类';
    const titles = [
      filler.slice(0, perLine) + '意见',
      filler.slice(0, perLine - 2) + '征求意见',
      filler.slice(0, perLine + 1) + '的意见',
      filler.slice(0, perLine) + '微心愿',
      '永安社区楼院环境整治意见征集',
      '建中街街道2026年冬季老旧小区改造居民意见',
      '关于“一老一小”服务设施的意见征集（第二轮）',
      '庆丰社区微心愿',
      filler.slice(0, 2 * perLine) + '意见',
    ];

    // The control: wrapped plainly (as text, without balancing), the first title does leave 意见 alone, so the
    // check below can fail. The real posters must hold without text-wrap: balance too (Firefox < 121, Safari < 17.5).
    await page.evaluate((t) => {
      const h1 = document.querySelector('.poster-title') as HTMLElement;
      h1.style.setProperty('text-wrap', 'wrap');
      h1.textContent = t;
    }, titles[0]);
    const plain = await titleLines(page, '.poster-title');
    expect(plain[plain.length - 1]).toBe('意见');

    const report: Array<{ title: string; lines: string[] }> = [];
    for (const [i, title] of titles.entries()) {
      await posterOf(title);
      const lines = await titleLines(page, '.poster-title');
      await page.evaluate(() => (document.querySelector('.poster-title') as HTMLElement).style.setProperty('text-wrap', 'wrap'));
      const unbalanced = await titleLines(page, '.poster-title');
      expect([title, unbalanced.filter((l) => [...l].length < 3)]).toEqual([title, []]);
      await page.evaluate(() => (document.querySelector('.poster-title') as HTMLElement).style.removeProperty('text-wrap'));
      report.push({ title, lines });
      expect(lines.join('')).toBe(title.replace(/\s/g, ''));
      expect([title, lines.filter((l) => [...l].length < 3)]).toEqual([title, []]);
      // No piece is broken inside: each no-break span sits on one line.
      expect(await page.$$eval('.poster-title .nb', (spans) => spans.filter((s) => s.getClientRects().length > 1).length)).toBe(0);
      if (i < 2) await page.locator('section.poster').screenshot({ path: artifact(`poster-title-${i}.png`) });
    }
    // eslint-disable-next-line no-console
    console.log(report.map((r) => `${r.title}\n  → ${r.lines.join(' / ')}`).join('\n'));
  }, 120_000);

  it('fits the organiser line on the sheet, prints one A4 page, and serves a QR SVG that parses', async () => {
    const qrId = await posterOf('永安社区楼院环境整治意见征集');
    const fits = await page.evaluate(() => {
      const sheet = document.querySelector('section.poster')!.getBoundingClientRect();
      return ['.poster-org', '.poster-url', '.poster-qr'].map((s) => {
        const r = document.querySelector(s)!.getBoundingClientRect();
        return { s, inside: r.top >= sheet.top && r.bottom <= sheet.bottom + 0.5 && r.left >= sheet.left && r.right <= sheet.right + 0.5 };
      });
    });
    expect(fits.filter((f) => !f.inside)).toEqual([]);
    await expect(page.locator('.poster-org').textContent()).resolves.toBe('主办：建中街街道办事处　咨询电话：0371-66881234');
    // The print button appears with JavaScript; in print, the toolbar and download link are gone.
    expect(await page.locator('button[data-print]').isVisible()).toBe(true);
    await page.emulateMedia({ media: 'print' });
    expect(await page.locator('.print-toolbar').isVisible()).toBe(false);
    expect(await page.locator('.poster-tools').isVisible()).toBe(false);
    await page.emulateMedia({ media: null });
    // preferCSSPageSize: the sheet's own @page (A4, 8 mm margins) decides, as in the print dialog.
    const pdf = await page.pdf({ preferCSSPageSize: true, printBackground: true });
    expect(pdfPageCount(pdf)).toBe(1);
    const box = /\/MediaBox\s*\[\s*0\s+0\s+([\d.]+)\s+([\d.]+)\s*\]/.exec(pdf.toString('latin1'));
    // A4 is 595 × 842 points.
    expect(box && [Math.round(Number(box[1])), Math.round(Number(box[2]))]).toEqual([595, 842]);

    const svg = await page.evaluate(async (url) => {
      const res = await fetch(url);
      const text = await res.text();
      const doc = new DOMParser().parseFromString(text, 'image/svg+xml');
      return {
        disposition: res.headers.get('content-disposition'), error: doc.querySelector('parsererror')?.textContent ?? null,
        root: doc.documentElement.namespaceURI + ' ' + doc.documentElement.localName, paths: doc.querySelectorAll('path').length,
      };
    }, `/qr/${qrId}.svg`);
    expect(svg).toMatchObject({ error: null, root: 'http://www.w3.org/2000/svg svg' });
    expect(svg.paths).toBeGreaterThan(0);
    expect(svg.disposition).toMatch(/^attachment; filename=/);
  }, 60_000);
});
