import fc from 'fast-check';
import iconv from 'iconv-lite';
import { loginAs, makeTestApp, type Agent, type TestApp } from '../helpers/app';
import { createIntakeFixture, type IntakeFixture } from '../helpers/intake-fixtures';
import { parseSpreadsheet } from '../../src/intake/import/parse-sheet';
import { createIntakeService } from '../../src/intake/service';
import { InvalidError } from '../../src/lib/errors';

const HEADER = ['序号', '走访日期', '社区', '网格', '小区/楼院', '楼栋单元', '姓名', '联系电话', '诉求类型', '诉求内容', '是否微心愿', '走访人', '备注'];
const csvCell = (s: string) => (/[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s);
const nasty = fc.oneof(
  fc.string({ maxLength: 40 }),
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.constantFrom('', ' ', '2023-13-05', '2023年2月30日', '45232', '1.38037E+10', '=cmd|"/c calc"!A1', '<script>alert(1)</script>',
    "'; DROP TABLE submissions; --", '永安社区', '第三网格', '../../etc/passwd', '\u0000\u0001', 'x'.repeat(3000), '是'),
);

/** Either a parsed sheet or a 400 with a Chinese message: never another error. */
async function parsesOrRefuses(buf: Buffer) {
  try {
    return await parseSpreadsheet(buf);
  } catch (err) {
    expect(err).toBeInstanceOf(InvalidError);
    expect((err as InvalidError).message).toMatch(/[\u4e00-\u9fff]/);
    return null;
  }
}

describe('hostile spreadsheets', () => {
  let t: TestApp;
  let f: IntakeFixture;
  beforeAll(() => { t = makeTestApp(); f = createIntakeFixture(t.db); });

  it('random bytes never crash the reader', async () => {
    await fc.assert(fc.asyncProperty(fc.uint8Array({ maxLength: 3000 }), fc.boolean(), async (bytes, zipLike) => {
      const buf = Buffer.from(bytes);
      await parsesOrRefuses(zipLike ? Buffer.concat([Buffer.from('PK\x03\x04'), buf]) : buf);
    }), { numRuns: 300 });
  });

  it('any cell content is either imported or reported by row, in UTF-8 and GBK alike', async () => {
    const intake = createIntakeService(t.app.ctx);
    await fc.assert(fc.asyncProperty(fc.array(fc.array(nasty, { minLength: 13, maxLength: 13 }), { maxLength: 15 }), fc.boolean(), async (rows, gbk) => {
      const text = [HEADER, ...rows].map((r) => r.map(csvCell).join(',')).join('\r\n');
      const sheet = await parsesOrRefuses(gbk ? iconv.encode(text, 'gb18030') : Buffer.from(text));
      if (!sheet) return;
      const report = await intake.importSheet(null, f.campaignId, sheet, 'door_to_door', 'fuzz.csv');
      expect(report.imported + report.alreadyImported.length + report.rejected.length).toBe(report.total);
      for (const p of report.rejected) expect(p.reasons.length).toBeGreaterThan(0);
    }), { numRuns: 150 });
  });
});

describe('hostile quick-entry posts', () => {
  let t: TestApp;
  let f: IntakeFixture;
  let worker: Agent;
  beforeAll(async () => {
    t = makeTestApp();
    f = createIntakeFixture(t.db);
    worker = await loginAs(t, 'grid_worker', { gridIds: [f.grids['永安社区/第三网格']] });
  });

  it('get a 2xx or a 4xx with a Chinese message, never a 5xx', async () => {
    const field = fc.oneof(nasty, fc.constantFrom(String(f.campaignId), String(f.communities['永安社区']), String(f.grids['永安社区/第三网格']), '-1', '1e99', 'NaN', 'door_to_door', 'wish'));
    const fields = fc.record({
      campaignId: field, channel: field, collectedOn: field, communityId: field, gridId: field, compoundId: field, building: field,
      residentName: field, residentPhone: field, kind: field, categoryId: field, text: field, idempotencyKey: field,
    }, { requiredKeys: [] });
    await fc.assert(fc.asyncProperty(fields, fc.option(fc.uint8Array({ maxLength: 200 })), async (values, photo) => {
      let req = worker.post('/intake/api/entries').set('X-CSRF-Token', worker.csrf).set('Accept', 'application/json');
      for (const [k, v] of Object.entries(values)) req = req.field(k, v.replace(/\u0000/g, ''));
      if (photo) req = req.attach('photo', Buffer.from(photo), '../../evil.jpg');
      const res = await req;
      expect(res.status).toBeLessThan(500);
      if (res.status >= 400) expect(String(res.body.error)).toMatch(/[\u4e00-\u9fff]/);
    }), { numRuns: 150 });
  });
});
