import fs from 'node:fs';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';

export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
export const ARTIFACTS_DIR = path.join(__dirname, '..', 'artifacts');

/** A resident's phone and a staff member's office screen, as browser contexts. */
export const PHONE = { viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true, deviceScaleFactor: 2, locale: 'zh-CN' };
export const DESKTOP = { viewport: { width: 1280, height: 900 }, locale: 'zh-CN' };

export const hasChromium = fs.existsSync(CHROMIUM_PATH);

/**
 * `describe` for browser tests: runs them when Debian's Chromium is installed, and otherwise says
 * loudly that they are skipped (.ci/run installs it with apt-get).
 */
export const describeBrowser: jest.Describe = hasChromium
  ? describe
  : ((name: string, fn: () => void) => {
      // eslint-disable-next-line no-console
      console.warn(`SKIPPED browser test "${name}": ${CHROMIUM_PATH} not found (apt-get install chromium).`);
      describe.skip(name, fn);
    }) as unknown as jest.Describe;

export async function launchBrowser(): Promise<Browser> {
  const { chromium } = await import('playwright-core');
  fs.mkdirSync(ARTIFACTS_DIR, { recursive: true });
  return chromium.launch({
    executablePath: CHROMIUM_PATH,
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
      '--disable-component-update', '--disable-sync', '--disable-dev-shm-usage'],
  });
}

export function artifact(name: string): string {
  fs.mkdirSync(ARTIFACTS_DIR, { recursive: true });
  return path.join(ARTIFACTS_DIR, name);
}

/**
 * Logs in through the real login page, as a person would. Waits for the page the login lands on:
 * `landing` when given (e.g. the `next` page), otherwise any page that is not the login form again.
 */
export async function loginInBrowser(
  page: Page, baseUrl: string, username: string, password: string, opts: { next?: string; landing?: RegExp } = {},
): Promise<void> {
  await page.goto(`${baseUrl}/login${opts.next === undefined ? '' : `?next=${encodeURIComponent(opts.next)}`}`);
  await page.fill('input[name=username]', username);
  await page.fill('input[name=password]', password);
  await Promise.all([
    opts.landing ? page.waitForURL(opts.landing) : page.waitForURL((u) => !u.pathname.startsWith('/login')),
    page.click('button[type=submit]'),
  ]);
}

/**
 * Does `act` (a click or tap that submits a form or follows a link) and waits until the page it leads to has
 * loaded, then checks that page's address. Waiting for the address alone is no sign of that when the page posts
 * back to itself (the triage queue, an issue's page): the old page already matches, and the next step would read
 * a page still being replaced.
 */
export async function andLoad(page: Page, url: RegExp | string, act: () => Promise<unknown>): Promise<void> {
  const loaded = page.waitForEvent('load');
  await act();
  await loaded;
  await page.waitForURL(url, { timeout: 5_000 });
}
