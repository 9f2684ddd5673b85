import request from 'supertest';
import { csrfFrom, loginAs, makeTestApp, type TestApp } from '../helpers/app';
import { concretePath, routeTable, type RouteEntry } from '../helpers/route-table';
import { makeCampaign } from '../helpers/factories';

/**
 * Access control walked from the app's own route table: a route added tomorrow is covered without editing
 * this file, unless it is meant to be public, which must then be said here.
 */
const PUBLIC_ROUTES = new Set([
  'GET /healthz',
  // Readiness for load balancers and monitors: reasons, version and backup age, nothing about residents.
  'GET /readyz',
  'GET /login',
  'POST /login',
  'POST /logout',
  'GET /q/:token',
  'POST /q/:token',
  'GET /r',
  'GET /r/:code',
  'POST /r/:code/feedback',
  // The residents' home page (staff are redirected to their start page), the 大字 switch and the favicon.
  'GET /',
  'GET /big-text',
  'GET /favicon.ico',
  // The resident's one appeal (申请复核): proven by the phone that submitted or the code + last four digits.
  'POST /r/:code/appeal',
  // A community's public board (published titles, counts and replies only) and 附议, once per phone.
  'GET /b/:placeId',
  'POST /b/issues/:issueId/support',
]);

/** What a claimer (party member / partner unit) may open: the service menu, their own claims and their own password. */
const CLAIMER_PREFIXES = ['/menu', '/my-claims', '/claims', '/logout', '/account'];

const key = (r: RouteEntry) => `${r.method} ${r.path}`;
const STATE_CHANGING = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

describe('route table', () => {
  let t: TestApp;
  let routes: RouteEntry[];
  let params: Record<string, string>;

  beforeAll(() => {
    t = makeTestApp();
    const seeded = makeCampaign(t.db);
    params = { token: seeded.qrToken, code: 'ABCD2345' };
    routes = routeTable(t.app);
  });

  it('finds the routes of every domain', () => {
    expect(routes.length).toBeGreaterThan(20);
    for (const path of ['/login', '/q/:token', '/r/:code', '/campaigns']) expect(routes.map((r) => r.path)).toContain(path);
  });

  it('refuses anonymous requests to every non-public route', async () => {
    const agent = request.agent(t.app);
    const csrf = csrfFrom((await agent.get('/login')).text);
    const failures: string[] = [];
    for (const r of routes) {
      if (PUBLIC_ROUTES.has(key(r))) continue;
      const url = concretePath(r.path, params);
      const res = r.method === 'GET'
        ? await agent.get(url).set('Accept', 'text/html').redirects(0)
        // With a valid pre-session CSRF token, so that what refuses is the login check, not CSRF.
        : await agent[r.method.toLowerCase() as 'post'](url).type('form').send({ _csrf: csrf }).redirects(0);
      const refused = r.method === 'GET'
        ? (res.status === 303 || res.status === 302) && String(res.headers.location).startsWith('/login')
        : res.status === 401 || ((res.status === 303 || res.status === 302) && String(res.headers.location).startsWith('/login'));
      if (!refused) failures.push(`${key(r)} → ${res.status}`);
    }
    expect(failures).toEqual([]);
  });

  it('refuses every state-changing route without a CSRF token, even for an admin', async () => {
    const admin = await loginAs(t, 'admin');
    const failures: string[] = [];
    for (const r of routes) {
      if (!STATE_CHANGING.has(r.method)) continue;
      const res = await admin[r.method.toLowerCase() as 'post'](concretePath(r.path, params)).type('form').send({ text: 'x' }).redirects(0);
      if (res.status !== 403) failures.push(`${key(r)} → ${res.status}`);
    }
    expect(failures).toEqual([]);
  });

  it('keeps claimers to the service menu', async () => {
    const claimer = await loginAs(t, 'claimer');
    const failures: string[] = [];
    for (const r of routes) {
      if (r.method !== 'GET' || PUBLIC_ROUTES.has(key(r)) || r.path === '/') continue;
      if (CLAIMER_PREFIXES.some((p) => r.path.startsWith(p))) continue;
      const res = await claimer.get(concretePath(r.path, params)).redirects(0);
      if (res.status !== 403 && res.status !== 404) failures.push(`${key(r)} → ${res.status}`);
    }
    expect(failures).toEqual([]);
  });

  it('keeps admin-only pages from staff and grid workers', async () => {
    for (const role of ['staff', 'grid_worker'] as const) {
      const agent = await loginAs(t, role);
      for (const r of routes.filter((x) => x.method === 'GET' && x.path.startsWith('/admin'))) {
        expect([r.path, (await agent.get(concretePath(r.path, params)).redirects(0)).status]).toEqual([r.path, 403]);
      }
    }
  });
});
