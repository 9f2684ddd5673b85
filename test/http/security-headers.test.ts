import express from 'express';
import request from 'supertest';
import { helmetMiddleware, securityHeaders } from '../../src/http/security';

/** The replayed headers are exactly the ones helmet sets when it runs per request. */
describe('security headers', () => {
  const appWith = (mw: express.RequestHandler) => {
    const app = express();
    app.use(mw);
    app.get('/', (_req, res) => { res.send('ok'); });
    return app;
  };
  const securityPart = (headers: Record<string, unknown>) => {
    const out: Record<string, unknown> = { ...headers };
    for (const k of ['date', 'etag', 'content-length', 'content-type', 'connection', 'keep-alive', 'x-powered-by']) delete out[k];
    return out;
  };

  it('sets the same headers as helmet per request', async () => {
    const replayed = await request(appWith(securityHeaders())).get('/');
    const direct = await request(appWith(helmetMiddleware())).get('/');
    expect(securityPart(replayed.headers)).toEqual(securityPart(direct.headers));
    expect(replayed.headers['content-security-policy']).toContain("frame-ancestors 'none'");
    expect(replayed.headers['x-content-type-options']).toBe('nosniff');
    expect(replayed.headers['referrer-policy']).toBe('same-origin');
    expect(replayed.headers['strict-transport-security']).toBeUndefined();
    expect(Object.keys(securityPart(replayed.headers)).length).toBeGreaterThanOrEqual(8);
  });

  it('removes X-Powered-By like helmet does', async () => {
    const res = await request(appWith(securityHeaders())).get('/');
    expect(res.headers['x-powered-by']).toBeUndefined();
  });
});
