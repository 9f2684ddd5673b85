import { entrySchema, meetingSchema } from '../../src/intake/forms';
import { parseForm } from '../../src/http/validate';
import { chinaToday } from '../../src/campaigns/rules';
import { loginAs, makeTestApp } from '../helpers/app';
import { createIntakeFixture } from '../helpers/intake-fixtures';

const entry = (over: Record<string, unknown> = {}) => ({
  campaignId: '3', channel: 'door_to_door', collectedOn: '2026-03-05', communityId: '12', text: '楼道灯坏了',
  idempotencyKey: 'abcdefgh12345678', ...over,
});
const meeting = (over: Record<string, unknown> = {}) => ({
  campaignId: '3', heldOn: '2026-03-05', communityId: '12', topic: '加装电梯恳谈会', idempotencyKey: 'abcdefgh12345678', ...over,
});

describe('intake forms: community id', () => {
  // z.coerce.number read '0x10' as 16, '1e3' as 1000, '0xc' / '12e0' / ' 12' / '12.0' / '+12' as community 12.
  const notIds = ['0x10', '1e3', '0xc', '12e0', ' 12', '12.0', '+12', '0', '-12', 'abc', '', ['12', '13'], true];

  it.each([['quick entry', entrySchema, entry], ['meeting', meetingSchema, meeting]] as const)(
    '%s: refuses anything but a plain decimal id with 请选择社区', (_name, schema, form) => {
      for (const communityId of notIds) {
        const parsed = parseForm(schema, form({ communityId }));
        expect(parsed).toEqual({ ok: false, errors: { communityId: '请选择社区' } });
      }
      const { communityId: _omitted, ...missing } = form();
      expect(parseForm(schema, missing)).toEqual({ ok: false, errors: { communityId: '请选择社区' } });
    });

  it.each([['quick entry', entrySchema, entry], ['meeting', meetingSchema, meeting]] as const)(
    '%s: takes a decimal id from a form and a whole number from the script\'s JSON', (_name, schema, form) => {
      for (const communityId of ['12', 12]) {
        const parsed = parseForm(schema, form({ communityId }));
        expect(parsed.ok && parsed.value.communityId).toBe(12);
      }
    });
});

describe('meeting form: attendance', () => {
  const attendance = (v: unknown) => parseForm(meetingSchema, meeting({ attendance: v }));
  it('takes plain whole numbers, full-width digits too, and an empty field as 0', () => {
    for (const [v, n] of [['30', 30], ['３０', 30], [' 30 ', 30], ['', 0], [45, 45]] as const) {
      const parsed = attendance(v);
      expect(parsed.ok && parsed.value.attendance).toBe(n);
    }
  });
  it('refuses exponents, hex and words with a message that says what to write', () => {
    for (const v of ['1e3', '0x1F', '约30人', '三十']) expect(attendance(v)).toEqual({ ok: false, errors: { attendance: '参会人数请填数字' } });
    expect(attendance('30.5')).toEqual({ ok: false, errors: { attendance: '参会人数请填整数' } });
    expect(attendance('-1')).toEqual({ ok: false, errors: { attendance: '参会人数不能是负数' } });
  });
});

describe('intake pages: community id', () => {
  it('answers 400 with 请选择社区 for hex or exponent ids, and saves a decimal one', async () => {
    const t = makeTestApp();
    const f = createIntakeFixture(t.db);
    const staff = await loginAs(t, 'staff', { scopePlaceId: f.subdistrictId });
    const yongan = f.communities['永安社区'];
    const count = () => t.db.prepare('SELECT COUNT(*) FROM submissions').pluck().get() as number;
    const fields = (communityId: string, key: string) => ({
      campaignId: String(f.campaignId), idempotencyKey: key.repeat(20), channel: 'door_to_door', collectedOn: chinaToday(),
      communityId, text: '楼道灯坏了',
    });
    for (const [i, communityId] of ['0x10', '1e3', `0x${yongan.toString(16)}`, `${yongan}e0`].entries()) {
      const page = await staff.post('/intake').type('form').send({ _csrf: staff.csrf, ...fields(communityId, `a${i}`) });
      expect(page.status).toBe(400);
      expect(page.text).toContain('请选择社区');
      const api = await staff.post('/intake/api/entries').set('X-CSRF-Token', staff.csrf).set('Accept', 'application/json')
        .type('form').send(fields(communityId, `b${i}`));
      expect(api.status).toBe(400);
      expect(api.body.errors).toEqual({ communityId: '请选择社区' });
      const meeting = await staff.post('/intake/meetings').type('form').send({
        _csrf: staff.csrf, campaignId: String(f.campaignId), heldOn: chinaToday(), communityId, topic: '恳谈会',
        idempotencyKey: `c${i}`.repeat(20), text_1: '加装电梯',
      });
      expect(meeting.status).toBe(400);
      expect(meeting.text).toContain('请选择社区');
    }
    expect(count()).toBe(0);
    await staff.post('/intake').type('form').send({ _csrf: staff.csrf, ...fields(String(yongan), 'ok') }).expect(303);
    expect(t.db.prepare('SELECT community_id FROM submissions').pluck().all()).toEqual([yongan]);
  });
});
