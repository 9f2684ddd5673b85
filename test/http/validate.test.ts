import { z } from 'zod';
import { dateText, optionalText, requiredText, firstValue, idList, idParam, invalidDates, isCalendarDate, parseForm, queryDate, queryId } from '../../src/http/validate';

describe('idParam', () => {
  const id = idParam('地点');
  it('takes plain decimal digits (and numbers from JSON)', () => {
    expect(id.parse('12')).toBe(12);
    expect(id.parse('007')).toBe(7);
    expect(id.parse(16)).toBe(16);
  });
  it.each(['0x10', '1e3', ' 12', '12 ', '1.0', '1.5', '+5', '-1', '0', '', '１２', '9'.repeat(16), 'abc'])('refuses %j', (v) => {
    const r = parseForm(z.object({ id }), { id: v });
    expect(r).toEqual({ ok: false, errors: { id: '地点格式不正确' } });
  });
  it('refuses non-strings and odd numbers', () => {
    for (const v of [['1'], { a: 1 }, null, undefined, 1.5, -3, Number.MAX_SAFE_INTEGER + 2, NaN]) {
      expect(id.safeParse(v).success).toBe(false);
    }
  });
  it('keeps working with catch, nullable and pipe as the routes use it', () => {
    expect(id.catch(0).parse('0x10')).toBe(0);
    expect(id.nullable().parse(null)).toBeNull();
    expect(id.pipe(z.number()).parse('3')).toBe(3);
  });
});

describe('idList', () => {
  it('takes one or many decimal ids, refusing hexadecimal ones', () => {
    const list = idList('社区');
    expect(list.parse(['1', '22'])).toEqual([1, 22]);
    expect(list.parse('5')).toEqual([5]);
    expect(list.parse(undefined)).toEqual([]);
    expect(parseForm(z.object({ list }), { list: ['1', '0x10'] })).toEqual({ ok: false, errors: { list: '社区格式不正确' } });
  });
});

describe('dates', () => {
  it('isCalendarDate knows the calendar', () => {
    for (const d of ['2026-11-25', '2024-02-29', '2000-02-29', '2026-12-31']) expect(isCalendarDate(d)).toBe(true);
    for (const d of ['2023-13-45', '2023-02-29', '1900-02-29', '2026-04-31', '2026-00-10', '2026-1-5', '20261125', ' 2026-11-25', 'yesterday', '']) {
      expect([d, isCalendarDate(d)]).toEqual([d, false]);
    }
  });
  it('dateText explains a wrong format and an impossible date', () => {
    const s = z.object({ d: dateText('开始日期') });
    expect(parseForm(s, { d: '2023-13-45' })).toEqual({ ok: false, errors: { d: '开始日期不是有效日期' } });
    expect(parseForm(s, { d: '25.11.2026' })).toEqual({ ok: false, errors: { d: '开始日期应为 年-月-日，例如 2026-11-25' } });
    expect(parseForm(s, { d: ' 2026-11-25 ' })).toEqual({ ok: true, value: { d: '2026-11-25' } });
  });
  it('queryDate keeps real dates only; invalidDates names the ignored ones', () => {
    const q = z.object({ from: queryDate(), to: queryDate() });
    expect(q.parse({ from: '2023-13-45', to: '2026-03-09' })).toEqual({ from: undefined, to: '2026-03-09' });
    expect(q.parse({ from: ['2026-03-01', '2026-03-05'] })).toEqual({ from: '2026-03-01', to: undefined });
    expect(invalidDates({ from: '2023-13-45', to: '' }, ['from', 'to'])).toEqual(['2023-13-45']);
    expect(invalidDates({ from: ['x', '2026-01-01'], to: '2026-02-30' }, ['from', 'to'])).toEqual(['x', '2026-02-30']);
    expect(invalidDates({}, ['from', 'to'])).toEqual([]);
  });
});

describe('repeated query parameters', () => {
  it('firstValue takes the first of a repeated parameter, so the filter still applies', () => {
    const s = z.object({
      community: queryId(),
      status: firstValue(z.enum(['new', 'accepted'])).optional().catch(undefined),
    });
    expect(s.parse({ community: ['29', '20'], status: ['accepted', 'new'] })).toEqual({ community: 29, status: 'accepted' });
    expect(s.parse({ community: '29', status: 'new' })).toEqual({ community: 29, status: 'new' });
    expect(s.parse({ community: ['0x1d', '20'], status: ['bogus'] })).toEqual({ community: undefined, status: undefined });
    expect(s.parse({})).toEqual({ community: undefined, status: undefined });
  });
});

describe('text fields', () => {
  it('drop NUL characters, which PostgreSQL cannot store, and trim', () => {
    const form = z.object({ name: requiredText('姓名', 10), note: optionalText('备注', 10) });
    expect(parseForm(form, { name: ' 王\u0000芳 ', note: '\u0000' })).toEqual({ ok: true, value: { name: '王芳', note: null } });
    expect(parseForm(form, { name: '\u0000' })).toEqual({ ok: false, errors: { name: '请填写姓名' } });
  });
});
