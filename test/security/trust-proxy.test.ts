import request from 'supertest';
import { loadConfig, parseTrustProxy } from '../../src/config';
import { csrfFrom, createUser, makeTestApp, TEST_PASSWORD, type TestApp } from '../helpers/app';

// Logins (scrypt), page crawls and image encoding: slow on a loaded 2-core machine.
jest.setTimeout(180_000);

describe('LINSHENG_TRUST_PROXY', () => {
  const trust = (v: string) => loadConfig({ LINSHENG_TRUST_PROXY: v }).trustProxy;

  it('takes what Express documents: a hop count, true/false, names, addresses and CIDR ranges', () => {
    expect(trust('1')).toBe(1);
    expect(trust('2')).toBe(2);
    expect(trust('true')).toBe(true);
    expect(trust('false')).toBe(false);
    expect(trust('loopback')).toBe('loopback');
    expect(trust('loopback, uniquelocal')).toBe('loopback,uniquelocal');
    expect(trust('10.0.0.0/8,127.0.0.1,::1,fd00::/8')).toBe('10.0.0.0/8,127.0.0.1,::1,fd00::/8');
    expect(trust('192.168.0.0/255.255.0.0')).toBe('192.168.0.0/255.255.0.0');
    expect(loadConfig({}).trustProxy).toBeUndefined();
  });

  it.each(['yes', 'nginx', '10.0.0.0/33', '300.1.1.1', 'loopback,foo', '1.2.3.4/8/9', '1e3'])('stops start-up on %s with a clear message', (v) => {
    expect(() => loadConfig({ LINSHENG_TRUST_PROXY: v })).toThrow(/LINSHENG_TRUST_PROXY: .*Examples: 1 \(one proxy in front\), loopback/);
    expect(parseTrustProxy(v)).toBeInstanceOf(Error);
  });
});

/** Wrong logins from one forwarded client until it is refused; each with another username, so no per-account delay. */
async function failLogins(t: TestApp, forwardedFor: string, times: number): Promise<number[]> {
  const agent = request.agent(t.app);
  const token = csrfFrom((await agent.get('/login')).text);
  const statuses: number[] = [];
  for (let i = 0; i < times; i++) {
    const res = await agent.post('/login').set('X-Forwarded-For', forwardedFor).type('form')
      .send({ _csrf: token, username: `nobody${i}`, password: 'wrong-password' });
    statuses.push(res.status);
  }
  return statuses;
}

async function loginFrom(t: TestApp, forwardedFor: string, username: string, password = TEST_PASSWORD) {
  const agent = request.agent(t.app);
  const token = csrfFrom((await agent.get('/login')).text);
  return agent.post('/login').set('X-Forwarded-For', forwardedFor).type('form').send({ _csrf: token, username, password });
}

describe('login rate limit behind a proxy', () => {
  it('with LINSHENG_TRUST_PROXY=1 each forwarded client has its own bucket: an attacker does not lock the admin out', async () => {
    const t = makeTestApp({ trustProxy: loadConfig({ LINSHENG_TRUST_PROXY: '1' }).trustProxy, loginRateLimit: 3 });
    const admin = createUser(t.db, { role: 'admin' });
    expect(await failLogins(t, '203.0.113.66', 4)).toEqual([401, 401, 401, 429]);
    const res = await loginFrom(t, '198.51.100.7', admin.username);
    expect(res.status).toBe(303);
    // The audit trail records the real client, as the proxy forwarded it.
    const ips = (t.db.prepare("SELECT detail FROM audit_log WHERE entity_type = 'user' ORDER BY id").pluck().all() as string[])
      .map((d) => (JSON.parse(d) as { ip: string }).ip);
    expect(ips).toEqual(['203.0.113.66', '203.0.113.66', '203.0.113.66', '198.51.100.7']);
  });

  it('with loopback trusted (the deploy unit) the same holds for a proxy on this machine', async () => {
    const t = makeTestApp({ trustProxy: 'loopback', loginRateLimit: 2 });
    const u = createUser(t.db, { role: 'staff' });
    expect(await failLogins(t, '203.0.113.66', 3)).toEqual([401, 401, 429]);
    expect((await loginFrom(t, '198.51.100.7', u.username)).status).toBe(303);
  });

  it('without the setting the header is ignored: a client cannot pick a fresh bucket by forging X-Forwarded-For', async () => {
    const t = makeTestApp({ loginRateLimit: 3 });
    const u = createUser(t.db, { role: 'staff' });
    expect(await failLogins(t, '203.0.113.66', 3)).toEqual([401, 401, 401]);
    expect((await loginFrom(t, '198.51.100.7', u.username)).status).toBe(429);
  });

  it('trusting another proxy address than the real one ignores the header too', async () => {
    const t = makeTestApp({ trustProxy: '10.9.8.7', loginRateLimit: 2 });
    const u = createUser(t.db, { role: 'staff' });
    await failLogins(t, '203.0.113.66', 2);
    expect((await loginFrom(t, '198.51.100.7', u.username)).status).toBe(429);
  });
});
