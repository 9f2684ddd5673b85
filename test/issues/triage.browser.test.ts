import type { Browser, Page } from 'playwright-core';
import { artifact, describeBrowser, launchBrowser, loginInBrowser, andLoad } from '../helpers/browser';
import { startTestServer, type RunningApp } from '../helpers/server';
import { createUser, TEST_PASSWORD } from '../helpers/app';
import { runDemo } from '../../src/demo/seed';
import { DEMO_CAMPAIGN_TITLE, DEMO_CLUSTERS, DEMO_VAGUE_TEXTS } from '../../src/demo/data';
import { DEMO_PROBLEMS } from '../../src/demo/problems';

/**
 * A sub-district staff member empties the demo's triage queue in a real browser. Every demo text knows its
 * problem (src/demo/problems.ts), so the queue has a known answer: one action per real group (make it an
 * issue, join it to the issue its problem already has, or decline a vague one), plus one correction for each
 * mistake of the grouping (a member split off or moved). Staff work the first group on the page each time.
 */
describeBrowser('emptying the demo triage queue', () => {
  let server: RunningApp;
  let browser: Browser;
  let page: Page;
  let campaignId: number;

  /** Each demo text's problem: `p<index>`, `c<index>` for the planted clusters, `vague:<text>` for vague ones. */
  const truth = new Map<string, string>();
  DEMO_PROBLEMS.forEach((p, i) => p.texts.forEach((t) => truth.set(t, `p${i}`)));
  DEMO_CLUSTERS.forEach((c, i) => c.texts.forEach((t) => truth.set(t, `c${i}`)));
  DEMO_VAGUE_TEXTS.forEach((t) => truth.set(t, `vague:${t}`));

  beforeAll(async () => {
    server = await startTestServer();
    await runDemo(server.app.ctx, () => undefined);
    campaignId = server.db.prepare('SELECT id FROM campaigns WHERE title = ?').pluck().get(DEMO_CAMPAIGN_TITLE) as number;
    const sub = server.db.prepare("SELECT id FROM places WHERE kind = 'subdistrict'").pluck().get() as number;
    createUser(server.db, { username: 'triager', role: 'staff', scopePlaceId: sub });
    browser = await launchBrowser();
    page = await (await browser.newContext({ viewport: { width: 1280, height: 900 } })).newPage();
    await loginInBrowser(page, server.baseUrl, 'triager', TEST_PASSWORD);
  }, 120_000);
  afterAll(async () => { await browser?.close(); await server?.close(); });

  const labelOf = (id: number) => {
    const text = server.db.prepare('SELECT text FROM submissions WHERE id = ?').pluck().get(id) as string;
    const label = truth.get(text);
    if (!label) throw new Error(`demo text without a known problem: ${text}`);
    return label;
  };
  /**
   * The open issue a problem already has (made by the demo, or earlier in this test), if any. A problem whose
   * demo issue is already resolved or declined gets a new issue, as staff would do: a closed issue takes no more.
   */
  const issueOfLabel = (label: string): number | null => {
    for (const row of server.db.prepare(`SELECT s.text, s.issue_id AS issueId FROM submissions s JOIN issues i ON i.id = s.issue_id
      WHERE s.campaign_id = ? AND i.status NOT IN ('resolved', 'declined')`)
      .all(campaignId) as Array<{ text: string; issueId: number }>) {
      if (truth.get(row.text) === label) return row.issueId;
    }
    return null;
  };
  const queueIds = () => server.db.prepare('SELECT id FROM submissions WHERE campaign_id = ? AND issue_id IS NULL AND declined_at IS NULL')
    .pluck().all(campaignId) as number[];

  /** The groups on the page as it shows them. */
  async function groupsOnPage() {
    return page.$$eval('fieldset.tgroup', (sets) => sets.map((s) => ({
      key: Number((s as HTMLElement).dataset.key),
      members: ((s.querySelector('input[name^="members."]') as HTMLInputElement).value).split(',').map(Number),
    })));
  }
  async function press(value: string) {
    await andLoad(page, /\/issues\/unassigned/, () => page.click(`button[name="do"][value="${value}"]`));
    const error = await page.$('.form-error');
    if (error) throw new Error(`refused: ${await error.textContent()}`);
  }

  it('takes no more actions than there are real groups, plus the corrections the grouping needed', async () => {
    const start = queueIds();
    const realGroups = new Set(start.map(labelOf)).size;
    expect(start.length).toBeGreaterThan(100);
    let actions = 0;
    let corrections = 0;
    const queuePath = `${server.baseUrl}/campaigns/${campaignId}/issues/unassigned`;
    await page.goto(queuePath);
    await page.screenshot({ path: artifact('triage-queue-demo.png'), fullPage: false });
    const finished = new Set<string>();
    for (let guard = 0; guard < 1000; guard++) {
      const groups = await groupsOnPage();
      if (groups.length === 0) {
        // No groups while suggestions are left means this is not the queue (an error page, the login page): say which.
        const left = queueIds().length;
        if (left) throw new Error(`no groups on ${page.url()} («${await page.title()}», status text: ${await page.textContent('h1')}) with ${left} suggestions left`);
        break;
      }
      const g = groups[0];
      const labels = g.members.map(labelOf);
      const counts = new Map<string, number>();
      for (const l of labels) counts.set(l, (counts.get(l) ?? 0) + 1);
      const main = [...counts.entries()].sort((a, b) => b[1] - a[1])[0][0];
      // A member that does not belong: split it off.
      const stray = g.members.find((_, i) => labels[i] !== main);
      if (stray !== undefined) { await press(`split:${stray}`); actions++; corrections++; continue; }
      // Members of the same problem in another group on this page: move them in.
      const elsewhere = groups.slice(1).flatMap((o) => o.members.filter((m) => labelOf(m) === main).map((m) => ({ m, group: o.key })));
      if (elsewhere.length) {
        const { m } = elsewhere[0];
        await page.selectOption(`select[name="to.${m}"]`, String(g.key));
        await press(`move:${m}`); actions++; corrections++; continue;
      }
      if (main.startsWith('vague:')) {
        await page.click(`#g${g.key} details summary`);
        await page.fill(`input[name="reason.${g.key}"]`, '内容不具体，网格员会上门了解您说的是什么问题。');
        await press(`decline:${g.key}`);
      } else {
        const existing = issueOfLabel(main);
        if (existing !== null) {
          await page.fill(`input[name="issue.${g.key}"]`, `#${existing}`);
          await press(`join:${g.key}`);
        } else {
          await press(`create:${g.key}`);
        }
      }
      actions++;
      // The same problem acted on a second time: the grouping had split it across pages.
      if (finished.has(main)) corrections++;
      finished.add(main);
    }

    // The queue is empty, and every demo suggestion is in exactly one issue or declined, never both.
    expect(queueIds()).toEqual([]);
    expect(await page.textContent('.empty')).toContain('没有待归类的建议了');
    expect(server.db.prepare('SELECT COUNT(*) FROM submissions WHERE campaign_id = ? AND issue_id IS NOT NULL AND declined_at IS NOT NULL')
      .pluck().get(campaignId)).toBe(0);
    // The queue's suggestions of each problem all went into one issue.
    const issuesPerProblem = new Map<string, Set<number>>();
    const queued = new Set(start);
    for (const row of (server.db.prepare('SELECT id, text, issue_id AS issueId FROM submissions WHERE campaign_id = ? AND issue_id IS NOT NULL')
      .all(campaignId) as Array<{ id: number; text: string; issueId: number }>).filter((r) => queued.has(r.id))) {
      const l = truth.get(row.text)!;
      issuesPerProblem.set(l, (issuesPerProblem.get(l) ?? new Set()).add(row.issueId));
    }
    for (const [label, ids] of issuesPerProblem) expect([label, ids.size]).toEqual([label, 1]);

    // eslint-disable-next-line no-console
    console.log(`triage of the demo queue: ${start.length} suggestions, ${realGroups} real groups, ${actions} actions, ${corrections} corrections`);
    expect(actions).toBeLessThanOrEqual(realGroups + corrections);
    // The grouping has to be good for this to be worth it: few corrections for the groups it saw.
    expect(corrections).toBeLessThanOrEqual(Math.ceil(realGroups * 0.15));
  }, 300_000);
});
