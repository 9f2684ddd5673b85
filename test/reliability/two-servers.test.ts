import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { dbFile, openDb } from '../../src/db/open-db';
import { loginOverHttp, startChildServer, type ChildServer } from '../helpers/child-server';
import { expectLogoutOnBoth, expectOneRateLimitAcross } from '../helpers/two-servers';
import { makeCampaign } from '../helpers/factories';
import { submitOnce } from '../helpers/resident-client';

/**
 * Two app server processes on one database, as behind a load balancer: what one records or knows, the other
 * answers from. (On one machine with the SQLite file; the PostgreSQL work of issue 12 runs the same test there.)
 */
describe('two app servers on one database', () => {
  let dataDir: string;
  let a: ChildServer;
  let b: ChildServer;
  let token: string;
  const ADMIN_PASSWORD = 'two-servers-admin-1';

  beforeAll(async () => {
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'linsheng-two-'));
    const db = openDb({ file: dbFile(dataDir) });
    token = makeCampaign(db, { askPhoto: false }).qrToken;
    db.close();
    const env = { DATA_DIR: dataDir, LINSHENG_ADMIN_PASSWORD: ADMIN_PASSWORD, LINSHENG_PUBLIC_RATE_LIMIT: '100000' };
    a = await startChildServer({ script: 'src/server.ts', fromSource: true, env });
    b = await startChildServer({ script: 'src/server.ts', fromSource: true, env });
  }, 120_000);
  afterAll(async () => {
    await Promise.all([a?.stop(), b?.stop()]);
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it('a receipt given by one server is found on the other', async () => {
    const sent = await submitOnce(a.baseUrl, token, '3号楼楼道的灯坏了一个星期，晚上上下楼看不见');
    expect(sent.status).toBe(303);
    const receipt = await fetch(`${b.baseUrl}/r/${sent.receiptCode}`);
    expect(receipt.status).toBe(200);
    expect(await receipt.text()).toContain('3号楼楼道的灯坏了一个星期');
  });

  it('a session opened on one server works on the other, and logging out on it ends it on both', async () => {
    const session = await loginOverHttp(a.baseUrl, 'admin', ADMIN_PASSWORD);
    const onB = await fetch(`${b.baseUrl}/campaigns`, { headers: { cookie: session.cookie }, redirect: 'manual' });
    expect(onB.status).toBe(200);
    await expectLogoutOnBoth(a, b, session);
  });
});

describe('a rate limit across two app servers', () => {
  let dataDir: string;
  let servers: ChildServer[] = [];
  afterEach(async () => {
    await Promise.all(servers.map((s) => s.stop()));
    servers = [];
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it('holds a client to one limit, whichever server it asks', async () => {
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'linsheng-two-'));
    const db = openDb({ file: dbFile(dataDir) });
    const token = makeCampaign(db, { askPhoto: false }).qrToken;
    db.close();
    const env = { DATA_DIR: dataDir, LINSHENG_ADMIN_PASSWORD: 'two-servers-admin-1', LINSHENG_PUBLIC_RATE_LIMIT: '10' };
    servers = [await startChildServer({ script: 'src/server.ts', fromSource: true, env }), await startChildServer({ script: 'src/server.ts', fromSource: true, env })];
    const [a, b] = servers;
    await expectOneRateLimitAcross(a, b, token);
  }, 120_000);
});
