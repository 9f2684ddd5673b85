import request from 'supertest';
import { makeTestApp } from '../helpers/app';

describe('/internal/metrics (for the benchmarks)', () => {
  it('exists only when LINSHENG_INTERNAL_METRICS asks for it', async () => {
    await request(makeTestApp().app).get('/internal/metrics').expect(404);
  });

  it('reports the event loop, memory and waits for the write lock, and starts again from ?reset=1', async () => {
    const { app } = makeTestApp({ internalMetrics: true });
    const first = await request(app).get('/internal/metrics?reset=1').expect(200);
    expect(first.headers['cache-control']).toBe('no-store');
    expect(first.body).toEqual({
      eventLoopMaxMs: expect.any(Number), eventLoopP99Ms: expect.any(Number), rssMb: expect.any(Number), heapUsedMb: expect.any(Number),
      externalMb: expect.any(Number), lockWaits: expect.any(Number), lockWaitP99Ms: expect.any(Number), lockWaitMaxMs: expect.any(Number),
    });
    expect(first.body.rssMb).toBeGreaterThan(0);
    // Nothing waited for a lock since the reset.
    expect((await request(app).get('/internal/metrics').expect(200)).body).toMatchObject({ lockWaits: 0, lockWaitMaxMs: 0 });
  });
});
