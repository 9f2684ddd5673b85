/**
 * What two app servers on one database must agree on, checked the same way on SQLite and on PostgreSQL
 * (test/reliability/two-servers*.test.ts). Kept apart from child-server.ts, which the benchmarks compile too.
 */
import { SHARE_INTERVAL_MS } from '../../src/http/shared-counts';
import type { ChildServer } from './child-server';

/**
 * Two servers started with LINSHENG_PUBLIC_RATE_LIMIT=10 hold one client to one limit: seven form loads on A, then,
 * once both have shared their counts, three more on B and a refusal, and A, told of B's in turn, refuses as well.
 */
export async function expectOneRateLimitAcross(a: ChildServer, b: ChildServer, token: string): Promise<void> {
  const formOn = async (s: ChildServer) => { const res = await fetch(`${s.baseUrl}/q/${token}`); await res.arrayBuffer(); return res.status; };
  const shared = () => new Promise((r) => setTimeout(r, 2 * SHARE_INTERVAL_MS + 200));
  for (let i = 0; i < 7; i++) expect(await formOn(a)).toBe(200);
  await shared();
  expect([await formOn(b), await formOn(b), await formOn(b)]).toEqual([200, 200, 200]);
  expect(await formOn(b)).toBe(429);
  await shared();
  expect(await formOn(a)).toBe(429);
}

/** Logging out on `b` with a session opened on `a` ends it on `a` too: its next staff page sends it to the login. */
export async function expectLogoutOnBoth(a: ChildServer, b: ChildServer, session: { cookie: string; csrf: string }): Promise<void> {
  const out = await fetch(`${b.baseUrl}/logout`, {
    method: 'POST', redirect: 'manual', headers: { cookie: session.cookie, 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ _csrf: session.csrf }),
  });
  expect(out.status).toBe(303);
  const onA = await fetch(`${a.baseUrl}/campaigns`, { headers: { cookie: session.cookie, accept: 'text/html' }, redirect: 'manual' });
  expect(onA.status).toBe(303);
  expect(onA.headers.get('location')).toMatch(/^\/login/);
}
