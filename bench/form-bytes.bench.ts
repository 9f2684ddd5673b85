/** Bytes a resident's phone downloads for the form: the HTML plus every stylesheet it links, gzipped. */
import zlib from 'node:zlib';
import request from 'supertest';
import type { Benchmark, Figure } from './run';
import { createApp } from '../src/app';
import { testConfig } from '../src/config';
import { openDb } from '../src/db/open-db';
import { makeCampaign } from '../test/helpers/factories';

export const benchmark: Benchmark = {
  name: 'form-bytes',
  async run(): Promise<Figure[]> {
    const db = openDb({ file: ':memory:' });
    const { qrToken: token } = makeCampaign(db);
    const app = createApp({ config: testConfig(), db });
    const page = await request(app).get(`/q/${token}`).expect(200);
    const gz = (s: string | Buffer) => zlib.gzipSync(s, { level: 9 }).length;
    let css = 0;
    const sheets = [...page.text.matchAll(/<link[^>]+rel="stylesheet"[^>]+href="([^"]+)"/g)].map((m) => m[1]);
    for (const href of sheets) css += gz((await request(app).get(href).expect(200)).text);
    const html = gz(page.text);
    await app.ctx.stopAll();
    db.close();
    const total = html + css;
    return [{ name: 'form_gzip_bytes', value: total, unit: 'bytes', html, css, stylesheets: sheets.length, goal: '<= 15360', pass: total <= 15 * 1024 }];
  },
};
