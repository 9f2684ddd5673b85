import { parseForm } from '../../src/http/validate';
import { normalizeMobile, maskPhone, maskName, maskPhonesInText } from '../../src/lib/personal-data';
import { RESIDENT_MESSAGES, residentFormSchema, TEXT_MAX } from '../../src/submissions/schemas';
import { formatReceiptCode, newReceiptCode, normalizeReceiptCode, RECEIPT_ALPHABET } from '../../src/lib/receipt-code';

describe('resident form schema', () => {
  const schema = residentFormSchema({ categoryIds: [1, 2, 3], askContact: true });

  it('accepts a full, valid form and normalizes phone and category', () => {
    const r = parseForm(schema, { kind: 'wish', category: '2', text: '  楼道灯坏了\r\n请修  ', name: '王阿姨', phone: '+86 138-1234-5678', building: '3号楼' });
    expect(r).toEqual({ ok: true, value: { kind: 'wish', category: 2, text: '楼道灯坏了\n请修', name: '王阿姨', phone: '13812345678', building: '3号楼' } });
  });

  it('treats "unsure" and missing optional fields as null', () => {
    const r = parseForm(schema, { kind: 'suggestion', category: '', text: '路灯' });
    expect(r).toEqual({ ok: true, value: { kind: 'suggestion', category: null, text: '路灯', name: null, phone: null, building: null } });
  });

  it('gives a Chinese message per bad field', () => {
    const r = parseForm(schema, { kind: 'x', category: '99', text: ' ', phone: '12345', name: ['a', 'b'], building: 'x'.repeat(41) });
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(r.errors.kind).toBe(RESIDENT_MESSAGES.kind);
      expect(r.errors.category).toBe(RESIDENT_MESSAGES.category);
      expect(r.errors.text).toBe(RESIDENT_MESSAGES.textRequired);
      expect(r.errors.phone).toBe(RESIDENT_MESSAGES.phone);
      expect(r.errors.name).toMatch(/称呼/);
      expect(r.errors.building).toMatch(/楼栋/);
    }
  });

  it('limits text to 500 characters (counting characters, not bytes) and strips control characters', () => {
    expect(parseForm(schema, { kind: 'wish', text: '好'.repeat(TEXT_MAX) }).ok).toBe(true);
    const long = parseForm(schema, { kind: 'wish', text: '好'.repeat(TEXT_MAX + 1) });
    expect(long.ok ? '' : long.errors.text).toBe(RESIDENT_MESSAGES.textTooLong);
    const r = parseForm(schema, { kind: 'wish', text: 'a\u0000b\u0007c\u001bd' });
    expect(r.ok && r.value.text).toBe('abcd');
    expect(parseForm(schema, { kind: 'wish', text: '\u0000\u0001' }).ok).toBe(false);
  });

  it('ignores contact fields when the campaign does not ask for them', () => {
    const noContact = residentFormSchema({ categoryIds: [], askContact: false });
    const r = parseForm(noContact, { kind: 'wish', text: 'x', name: '王', phone: 'junk' });
    expect(r).toEqual({ ok: true, value: { kind: 'wish', category: null, text: 'x', name: null, phone: null, building: null } });
  });
});

describe('mainland mobile numbers', () => {
  it('normalizes what people type and refuses the rest', () => {
    expect(normalizeMobile('13812345678')).toBe('13812345678');
    expect(normalizeMobile('138 1234 5678')).toBe('13812345678');
    expect(normalizeMobile('+8619912345678')).toBe('19912345678');
    for (const bad of ['12812345678', '1381234567', '138123456789', '0371-6666666', 'abc', '']) expect(normalizeMobile(bad)).toBeNull();
    expect(maskPhone('13812345678')).toBe('138****5678');
    expect(maskName('王秀兰')).toBe('王**');
  });

  it('masks the numbers residents type into their text, however they group them', () => {
    expect(maskPhonesInText('请联系我13812345678，王秀兰')).toBe('请联系我138****5678，王秀兰');
    expect(maskPhonesInText('电话 139-1234-5678 找李大爷')).toBe('电话 139****5678 找李大爷');
    expect(maskPhonesInText('电话138 1234 5678或+86 137 0000 1111')).toBe('电话138****5678或137****1111');
    expect(maskPhonesInText('打0086-15912345678')).toBe('打159****5678');
    expect(maskPhonesInText('a 13812345678 b 13912345678')).toBe('a 138****5678 b 139****5678');
    // Not mobile numbers: longer digit runs, landlines, dates, house numbers, amounts.
    for (const keep of ['单号 213812345678', '订单138123456789', '0371-66661234', '2023年11月2日', '3号楼2单元501', '花了1380元']) {
      expect(maskPhonesInText(keep)).toBe(keep);
    }
    expect(maskPhonesInText(null)).toBe('');
  });
});

describe('receipt codes', () => {
  it('are 8 unambiguous characters, shown as ABCD-2345, and accept what people type', () => {
    for (let i = 0; i < 200; i++) {
      const c = newReceiptCode();
      expect(c).toMatch(/^[23456789ABCDEFGHJKMNPQRSTUVWXYZ]{8}$/);
      expect(normalizeReceiptCode(formatReceiptCode(c).toLowerCase())).toBe(c);
    }
    expect(RECEIPT_ALPHABET).not.toMatch(/[01OIL]/);
    expect(formatReceiptCode('ABCD2345')).toBe('ABCD-2345');
    expect(normalizeReceiptCode(' abcd 2345 ')).toBe('ABCD2345');
    // Typed on a Chinese keyboard: full-width letters, digits and dashes.
    expect(normalizeReceiptCode('ＡＢＣＤ－２３４５')).toBe('ABCD2345');
    expect(normalizeReceiptCode('abcd—2345')).toBe('ABCD2345');
    for (const bad of ['ABCD234', 'ABCD23450', 'ABCD-O345', '../etc/pa', '']) expect(normalizeReceiptCode(bad)).toBeNull();
  });
});
