import type { Browser, BrowserContext, Page } from 'playwright-core';
import { artifact, describeBrowser, launchBrowser, loginInBrowser, andLoad } from '../helpers/browser';
import { startTestServer, type RunningApp } from '../helpers/server';
import { createUser, TEST_PASSWORD } from '../helpers/app';
import { runDemo } from '../../src/demo/seed';
import { DEMO_CAMPAIGN_TITLE } from '../../src/demo/data';
import { chinaToday } from '../../src/campaigns/rules';

/**
 * Every list a grid worker, claimer or staff member works with, on a 360 px phone (the demo's data in it):
 * the page never scrolls sideways, nothing lies beyond the right edge, no table cell or card field is
 * narrower than two characters, and no text wraps in a box narrower than a few characters (the old tables
 * squeezed "地点" into vertical text and pushed the content column off the screen).
 */
const PHONE = { width: 360, height: 740 };

interface Check { role: string; path: string; rows: string; minRows: number }

/** What is wrong with the page as laid out: an empty list means it reads well on this phone. */
function layoutProblems(rowsSelector: string): { problems: string[]; rows: number; scrollWidth: number; innerWidth: number } {
  const vw = window.innerWidth;
  const problems: string[] = [];
  const name = (el: Element) => {
    const cls = typeof el.className === 'string' && el.className ? '.' + el.className.trim().split(/\s+/).join('.') : '';
    const label = el.getAttribute('data-label') ? `[data-label=${el.getAttribute('data-label')}]` : '';
    return `${el.tagName.toLowerCase()}${cls}${label} "${(el.textContent ?? '').trim().slice(0, 20)}"`;
  };
  const hidden = (el: Element) => {
    const r = el.getBoundingClientRect();
    if (r.width <= 1 || r.height <= 1) return true;
    // Visually hidden on purpose (table headers kept for screen readers, .visually-hidden).
    return !!el.closest('thead, .visually-hidden, [hidden]') || getComputedStyle(el).visibility === 'hidden';
  };
  const scrollWidth = document.documentElement.scrollWidth;
  if (scrollWidth > vw) problems.push(`the page is ${scrollWidth}px wide on a ${vw}px screen`);
  for (const el of Array.from(document.body.querySelectorAll('*'))) {
    if (hidden(el)) continue;
    const r = el.getBoundingClientRect();
    if (r.right > vw + 1 || r.left < -1) problems.push(`${name(el)} lies at ${Math.round(r.left)}..${Math.round(r.right)}px, off a ${vw}px screen`);
  }
  // Table cells and card fields: room for at least two characters beside their label.
  for (const el of Array.from(document.querySelectorAll('td, tbody th, ul.cards li, .tmembers li, .menu-item'))) {
    if (hidden(el)) continue;
    const cs = getComputedStyle(el);
    const room = el.clientWidth - parseFloat(cs.paddingLeft) - parseFloat(cs.paddingRight);
    if (room < 2 * parseFloat(cs.fontSize)) problems.push(`${name(el)} leaves ${Math.round(room)}px for its text`);
  }
  // Text that wraps does so in a box of at least four characters, never one character a line.
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  for (let n = walker.nextNode(); n; n = walker.nextNode()) {
    const text = (n.textContent ?? '').trim();
    const parent = n.parentElement;
    if (text.length < 2 || !parent || hidden(parent) || parent.closest('script, style, option, select, svg, textarea')) continue;
    const range = document.createRange();
    range.selectNodeContents(n);
    const tops = new Set(Array.from(range.getClientRects()).filter((r) => r.width > 0).map((r) => Math.round(r.top)));
    if (tops.size < 2) continue;
    let block: Element = parent;
    while (block.parentElement && getComputedStyle(block).display.startsWith('inline')) block = block.parentElement;
    const cs = getComputedStyle(block);
    const room = block.clientWidth - parseFloat(cs.paddingLeft) - parseFloat(cs.paddingRight);
    if (room < 4 * parseFloat(cs.fontSize)) problems.push(`"${text.slice(0, 20)}" wraps over ${tops.size} lines in ${Math.round(room)}px (${name(block)})`);
  }
  const rows = Array.from(document.querySelectorAll(rowsSelector)).filter((el) => !hidden(el)).length;
  return { problems: [...new Set(problems)].slice(0, 20), rows, scrollWidth, innerWidth: vw };
}

describeBrowser('lists on a 360 px phone', () => {
  let server: RunningApp;
  let browser: Browser;
  const pages = new Map<string, Page>();
  const contexts: BrowserContext[] = [];
  let campaignId: number;
  const ids: Record<string, number | string> = {};

  beforeAll(async () => {
    server = await startTestServer();
    const ctx = server.app.ctx;
    const state = await runDemo(ctx, () => undefined);
    const db = server.db;
    campaignId = db.prepare('SELECT id FROM campaigns WHERE title = ?').pluck().get(DEMO_CAMPAIGN_TITLE) as number;
    const one = (sql: string, ...p: unknown[]) => db.prepare(sql).pluck().get(...p) as number;
    ids.subdistrict = one("SELECT id FROM places WHERE kind = 'subdistrict'");
    ids.issue = one('SELECT id FROM issues WHERE campaign_id = ? ORDER BY (SELECT COUNT(*) FROM submissions s WHERE s.issue_id = issues.id) DESC LIMIT 1', campaignId);
    ids.submission = one("SELECT id FROM submissions WHERE campaign_id = ? AND resident_phone IS NOT NULL AND channel = 'online' LIMIT 1", campaignId);
    ids.item = one('SELECT id FROM service_items ORDER BY (SELECT COUNT(*) FROM claims c WHERE c.service_item_id = service_items.id) DESC, id LIMIT 1');
    ids.community = one("SELECT id FROM places WHERE kind = 'community' AND name = '永安社区'");
    // Five suggestions the classifier was unsure of, so the 待分类 inbox has rows.
    db.prepare('UPDATE submissions SET needs_triage = 1 WHERE id IN (SELECT id FROM submissions WHERE campaign_id = ? ORDER BY id LIMIT 5)').run(campaignId);
    const lina = state.accounts.get('lina')!;
    const passwords = new Map(state.newPasswords.map((p) => [p.username, p.password]));

    // A meeting entered by the grid worker, so the meetings list and a meeting's page have rows.
    const linaViewer = await ctx.access.viewerOf((await ctx.users.findById(lina))!);
    const yongan = one("SELECT id FROM places WHERE kind = 'community' AND name = '永安社区'");
    const grid = one("SELECT id FROM places WHERE kind = 'grid' AND parent_id = ? AND name = '第一网格'", yongan);
    const { meeting } = await ctx.intakeService.recordMeeting(linaViewer, {
      campaignId, idempotencyKey: 'phone-lists-meeting', heldOn: chinaToday(), communityId: yongan, gridId: grid, compoundId: null,
      location: '社区党群服务中心二楼会议室', attendance: 23, topic: '老旧小区改造恳谈会',
      opinions: [
        { kind: 'suggestion', categoryId: null, text: '希望加装电梯，老人上下楼太难了' },
        { kind: 'wish', categoryId: null, text: '想要一个能晒被子的地方' },
      ],
    });
    ids.meeting = meeting.id;

    browser = await launchBrowser();
    const login = async (role: string, username: string, password: string) => {
      const context = await browser.newContext({ viewport: PHONE, deviceScaleFactor: 2, isMobile: true, hasTouch: true });
      contexts.push(context);
      const page = await context.newPage();
      await loginInBrowser(page, server.baseUrl, username, password);
      pages.set(role, page);
    };
    const admin = createUser(db, { role: 'admin' });
    await login('admin', admin.username, TEST_PASSWORD);
    await login('staff', 'jianzhongjie', passwords.get('jianzhongjie')!);
    await login('community', 'yongan', passwords.get('yongan')!);
    await login('grid', 'lina', passwords.get('lina')!);
    await login('claimer', 'dangyuan', passwords.get('dangyuan')!);

    // A spreadsheet imported by the grid worker on the phone: the preview lists rows, problems and old dates.
    const grid1 = pages.get('grid')!;
    await grid1.goto(`${server.baseUrl}/intake/import?campaign=${campaignId}`);
    const today = chinaToday();
    const csv = [
      '序号,走访日期,社区,网格,小区/楼院,楼栋单元,姓名,联系电话,诉求类型,诉求内容,是否微心愿,走访人,备注',
      `1,${today},永安社区,第一网格,,3号楼2单元,王秀兰,13812345678,,楼道里的声控灯坏了两个月，晚上上楼看不见,否,李娜,独居`,
      `2,${today},永安社区,第一网格,,5号楼,张大爷,1381234567,,小区门口的路灯不亮,否,李娜,`,
      `3,2023-11-02,永安社区,第一网格,,7号楼1单元,刘阿姨,13987654321,,希望社区组织义诊,是,李娜,`,
    ].join('\n');
    await grid1.setInputFiles('input[name=file]', { name: '入户走访.csv', mimeType: 'text/csv', buffer: Buffer.from(csv, 'utf8') });
    await andLoad(grid1, /\/intake\/import\/[\w-]{10,}/, () => grid1.click('form.intake-form button[type=submit]'));
    ids.importPreview = new URL(grid1.url()).pathname;
  }, 180_000);

  afterAll(async () => {
    for (const c of contexts) await c.close().catch(() => undefined);
    await browser?.close();
    await server?.close();
  });

  const rowsOf = 'table.list tbody tr';
  const checks = (): Check[] => [
    // Staff of the sub-district
    { role: 'staff', path: '/campaigns', rows: rowsOf, minRows: 1 },
    { role: 'staff', path: `/campaigns/${campaignId}`, rows: '.hub-links li, .figures li', minRows: 1 },
    { role: 'staff', path: `/campaigns/${campaignId}/submissions`, rows: rowsOf, minRows: 10 },
    { role: 'staff', path: `/campaigns/${campaignId}/issues`, rows: rowsOf, minRows: 5 },
    { role: 'staff', path: `/campaigns/${campaignId}/issues/unassigned`, rows: '.tmembers li', minRows: 5 },
    { role: 'staff', path: `/campaigns/${campaignId}/triage`, rows: rowsOf, minRows: 5 },
    { role: 'staff', path: `/campaigns/${campaignId}/qr`, rows: rowsOf, minRows: 5 },
    { role: 'staff', path: `/issues/${ids.issue}`, rows: rowsOf, minRows: 2 },
    { role: 'staff', path: `/submissions/${ids.submission}`, rows: rowsOf, minRows: 5 },
    { role: 'staff', path: '/menu', rows: '.menu-item', minRows: 2 },
    { role: 'staff', path: '/menu/manage', rows: rowsOf, minRows: 2 },
    { role: 'staff', path: '/categories', rows: rowsOf, minRows: 5 },
    { role: 'staff', path: '/places', rows: '.place-node', minRows: 5 },
    { role: 'staff', path: `/places/${ids.community}`, rows: 'h1', minRows: 1 },
    { role: 'staff', path: `/menu/items/${ids.item}`, rows: 'h1', minRows: 1 },
    { role: 'staff', path: '/dashboard', rows: rowsOf, minRows: 1 },
    { role: 'staff', path: `/campaigns/${campaignId}/dashboard`, rows: rowsOf, minRows: 10 },
    { role: 'staff', path: `/subdistricts/${ids.subdistrict}/dashboard`, rows: rowsOf, minRows: 10 },
    { role: 'staff', path: `/search?q=${encodeURIComponent('电梯')}`, rows: 'ul.cards li', minRows: 2 },
    { role: 'staff', path: '/intake/entries?mine=0', rows: rowsOf, minRows: 5 },
    { role: 'staff', path: '/intake/meetings', rows: rowsOf, minRows: 1 },
    // A community's staff
    { role: 'community', path: `/campaigns/${campaignId}/issues`, rows: rowsOf, minRows: 1 },
    { role: 'community', path: `/campaigns/${campaignId}/dashboard`, rows: rowsOf, minRows: 1 },
    // Admin
    { role: 'admin', path: '/admin/users', rows: rowsOf, minRows: 5 },
    // Grid worker
    { role: 'grid', path: '/intake', rows: 'form', minRows: 1 },
    { role: 'grid', path: '/intake/entries?mine=0', rows: rowsOf, minRows: 5 },
    { role: 'grid', path: '/intake/meetings', rows: rowsOf, minRows: 1 },
    { role: 'grid', path: `/intake/meetings/${ids.meeting}`, rows: rowsOf, minRows: 2 },
    { role: 'grid', path: `/intake/meetings/new?campaign=${campaignId}`, rows: rowsOf, minRows: 5 },
    { role: 'grid', path: '/intake/import', rows: 'form', minRows: 1 },
    { role: 'grid', path: String(ids.importPreview), rows: rowsOf, minRows: 3 },
    { role: 'grid', path: `/search?q=${encodeURIComponent('电梯')}`, rows: 'ul.cards li', minRows: 1 },
    // Claimer
    { role: 'claimer', path: '/menu', rows: '.menu-item', minRows: 2 },
    { role: 'claimer', path: '/menu/mine', rows: rowsOf, minRows: 1 },
    { role: 'claimer', path: `/menu/items/${ids.item}`, rows: 'h1', minRows: 1 },
  ];

  it('reads every list without sideways scrolling, no column narrower than a word', async () => {
    const failures: string[] = [];
    for (const c of checks()) {
      const page = pages.get(c.role)!;
      const res = await page.goto(server.baseUrl + c.path);
      if (res?.status() !== 200) { failures.push(`${c.role} ${c.path}: HTTP ${res?.status()}`); continue; }
      const result = await page.evaluate(layoutProblems, c.rows);
      if (result.rows < c.minRows) failures.push(`${c.role} ${c.path}: ${result.rows} rows shown, expected data (at least ${c.minRows})`);
      for (const p of result.problems) failures.push(`${c.role} ${c.path}: ${p}`);
      if (result.problems.length) {
        await page.screenshot({ path: artifact(`phone-${c.role}-${c.path.replace(/\W+/g, '_')}.png`) }).catch(() => undefined);
      }
    }
    expect(failures).toEqual([]);
  }, 240_000);

  it('the import result after confirming reads on the phone too', async () => {
    const page = pages.get('grid')!;
    await page.goto(server.baseUrl + String(ids.importPreview));
    await page.check('input[name=acceptOldDates]');
    await Promise.all([
      page.waitForSelector('h1:has-text("导入结果")', { timeout: 60_000 }),
      page.click('form[data-status] button[type=submit]'),
    ]);
    const result = await page.evaluate(layoutProblems, 'table.list tbody tr');
    expect(result.problems).toEqual([]);
    expect(result.rows).toBeGreaterThanOrEqual(1);
  }, 90_000);

  it('shows a submissions row as a card: label beside value, the text on the screen, and a table again when printed', async () => {
    const page = pages.get('staff')!;
    await page.goto(`${server.baseUrl}/campaigns/${campaignId}/submissions`);
    const row = page.locator('table.submissions tbody tr').first();
    const card = await row.boundingBox();
    expect(card!.width).toBeGreaterThan(280);
    expect(card!.x + card!.width).toBeLessThanOrEqual(PHONE.width);
    const place = row.locator('td[data-label="地点"]');
    const text = row.locator('td[data-label="内容"]');
    // The label is drawn beside the value, and the content cell spans the card.
    expect(await place.evaluate((el) => getComputedStyle(el, '::before').content)).toBe('"地点"');
    expect((await text.boundingBox())!.width).toBeGreaterThan(250);
    await page.screenshot({ path: artifact('phone-submissions.png'), fullPage: false });
    // Printed (or on a desktop), the same list is a table with its header again.
    await page.emulateMedia({ media: 'print' });
    expect(await page.locator('table.submissions thead').evaluate((el) => getComputedStyle(el).position)).not.toBe('absolute');
    expect(await place.evaluate((el) => getComputedStyle(el).display)).toBe('table-cell');
    await page.emulateMedia({ media: 'screen' });
  });
});
