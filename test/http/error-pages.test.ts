import request from 'supertest';
import { csrfFrom, makeTestApp } from '../helpers/app';

describe('error pages', () => {
  it('are Chinese and send a resident back to their receipt, not to the staff home page', async () => {
    const t = makeTestApp();
    const agent = request.agent(t.app);
    const csrf = csrfFrom((await agent.get('/login')).text);
    const res = await agent.post('/r/ABCD2345/feedback').type('form').send({ _csrf: csrf, rating: 'satisfied' });
    expect(res.status).toBeGreaterThanOrEqual(400);
    expect(res.status).toBeLessThan(500);
    expect(res.text).toMatch(/[\u4e00-\u9fff]/);
    expect(res.text).toContain('href="/r/ABCD2345"');
    expect(res.text).not.toContain('>返回首页<');
  });

  it('offer staff the home page, and answer unknown pages with 404 in Chinese', async () => {
    const t = makeTestApp();
    const res = await request(t.app).get('/no/such/page');
    expect(res.status).toBe(404);
    expect(res.text).toContain('找不到这个页面');
    expect(res.text).toContain('>返回首页<');
  });
});
