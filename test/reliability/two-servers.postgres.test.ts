import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createPgPool } from '../../src/db/postgres/pool';
import { loginOverHttp, startChildServer, type ChildServer } from '../helpers/child-server';
import { expectLogoutOnBoth, expectOneRateLimitAcross } from '../helpers/two-servers';
import { migratedPostgresDatabase, postgresExec } from '../helpers/engines';
import { seedEngineFixture } from '../helpers/engine-fixtures';
import { describeOnPostgres } from '../helpers/postgres';
import { submitOnce } from '../helpers/resident-client';

const TOKEN = 'two-servers-pg-01';
const ADMIN_PASSWORD = 'two-servers-admin-1';

/**
 * Two app server processes on one PostgreSQL database, as behind a load balancer (the same promises as
 * two-servers.test.ts makes on one SQLite file): a receipt, a session and a rate limit hold across them.
 */
describeOnPostgres('two app servers on one PostgreSQL database', () => {
  let database: Awaited<ReturnType<typeof migratedPostgresDatabase>>;
  let fixture: Awaited<ReturnType<typeof seedEngineFixture>>;
  let qrId: number;
  const campaignId = async () => fixture.spring;
  const yongan = async () => fixture.yongan;
  let dataDirs: string[] = [];
  let servers: ChildServer[] = [];
  const start = async (limit: string) => {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'linsheng-two-pg-'));
    dataDirs.push(dataDir);
    const env = { DATABASE_URL: database.url, DATA_DIR: dataDir, LINSHENG_ADMIN_PASSWORD: ADMIN_PASSWORD, LINSHENG_PUBLIC_RATE_LIMIT: limit };
    const s = await startChildServer({ script: 'src/server.ts', fromSource: true, env });
    servers.push(s);
    return s;
  };

  beforeEach(async () => {
    database = await migratedPostgresDatabase();
    const pool = createPgPool(database.url, { max: 1 });
    try {
      const exec = postgresExec(pool);
      const f = (fixture = await seedEngineFixture(exec));
      qrId = Number((await exec('INSERT INTO qr_codes (campaign_id, token, label, place_id) VALUES (?, ?, ?, ?) RETURNING id',
        [f.spring, TOKEN, '永安社区 东门', f.yongan]))[0].id);
      await exec('INSERT INTO campaign_categories (campaign_id, category_id) SELECT ?, id FROM categories WHERE active = 1', [f.spring]);
    } finally {
      await pool.end();
    }
  }, 60_000);
  afterEach(async () => {
    await Promise.all(servers.map((s) => s.stop()));
    servers = [];
    for (const d of dataDirs) fs.rmSync(d, { recursive: true, force: true });
    dataDirs = [];
    await database?.drop();
  });

  it('a receipt given by one server is found on the other; a session opened on one works on the other', async () => {
    const a = await start('100000');
    const b = await start('100000');
    const sent = await submitOnce(a.baseUrl, TOKEN, '3号楼楼道的灯坏了一个星期，晚上上下楼看不见');
    expect(sent.status).toBe(303);
    const receipt = await fetch(`${b.baseUrl}/r/${sent.receiptCode}`);
    expect(receipt.status).toBe(200);
    expect(await receipt.text()).toContain('3号楼楼道的灯坏了一个星期');

    const session = await loginOverHttp(a.baseUrl, 'admin', ADMIN_PASSWORD);
    const onB = await fetch(`${b.baseUrl}/campaigns`, { headers: { cookie: session.cookie }, redirect: 'manual' });
    expect(onB.status).toBe(200);
    expect(await onB.text()).toContain('春季民生征求意见');
    // The staff pages of the campaign answer on PostgreSQL as on SQLite (their repos are tested on both engines;
    // this is the whole app wired on it).
    const id = await campaignId();
    const statuses: Array<[string, number]> = [];
    for (const page of ['/dashboard', `/campaigns/${id}`, `/campaigns/${id}/dashboard`, `/campaigns/${id}/submissions`,
      `/campaigns/${id}/submissions?from=2026-03-02&to=2026-03-04&kind=suggestion`, `/campaigns/${id}/issues`, `/campaigns/${id}/triage`,
      `/campaigns/${id}/qr`, `/campaigns/${id}/posters`, `/campaigns/${id}/submissions.csv`, `/campaigns/${id}/submissions.xlsx`,
      `/campaigns/${id}/issues.csv`, '/menu', '/menu/manage', '/search?q=电梯', '/places', '/categories', '/admin/users', '/intake',
      '/intake/entries', `/b/${await yongan()}`, '/readyz']) {
      const res = await fetch(`${a.baseUrl}${page}`, { headers: { cookie: session.cookie }, redirect: 'manual' });
      await res.arrayBuffer();
      statuses.push([page, res.status]);
    }
    expect(statuses.filter(([, status]) => status !== 200)).toEqual([]);
    await expectLogoutOnBoth(a, b, session);
    // Nothing went wrong behind the pages either (a failed scan-count flush or cache notification logs an error).
    for (const s of [a, b]) expect(s.output().split('\n').filter((line) => / ERROR /.test(line))).toEqual([]);
  }, 120_000);

  it('a change made on one server is seen on the other at once (LISTEN/NOTIFY), not after its cache runs out', async () => {
    const a = await start('100000');
    const b = await start('100000');
    const formOnB = async () => (await fetch(`${b.baseUrl}/q/${TOKEN}`)).text();
    expect(await formOnB()).toContain('永安社区 东门');
    expect(await formOnB()).toContain('永安社区 东门'); // now from B's memory
    const session = await loginOverHttp(a.baseUrl, 'admin', ADMIN_PASSWORD);
    const renamed = await fetch(`${a.baseUrl}/qr/${qrId}/label`, {
      method: 'POST', redirect: 'manual', headers: { cookie: session.cookie, 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ _csrf: session.csrf, label: '永安社区 新门' }),
    });
    expect(renamed.status).toBe(303);
    await new Promise((r) => setTimeout(r, 500));
    // Without the notification B would answer from memory: within its second, or past it while it reads again.
    expect(await formOnB()).toContain('永安社区 新门');
  }, 120_000);

  it('holds a client to one limit, whichever server it asks', async () => {
    const a = await start('10');
    const b = await start('10');
    await expectOneRateLimitAcross(a, b, TOKEN);
  }, 120_000);
});
