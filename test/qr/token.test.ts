import { isQrToken, newQrToken, qrUrl, QR_TOKEN_LENGTH } from '../../src/qr/token';

describe('QR tokens', () => {
  it('are 12 URL-safe characters (72 random bits)', () => {
    for (let i = 0; i < 200; i++) {
      const t = newQrToken();
      expect(t).toHaveLength(QR_TOKEN_LENGTH);
      expect(t).toMatch(/^[A-Za-z0-9_-]{12}$/);
      expect(encodeURIComponent(t)).toBe(t);
      expect(isQrToken(t)).toBe(true);
    }
  });

  it('do not repeat', () => {
    const seen = new Set(Array.from({ length: 20000 }, newQrToken));
    expect(seen.size).toBe(20000);
  });

  it('rejects anything that is not a token before it reaches the database', () => {
    for (const bad of ['', 'short', 'abcdefghijk', 'abcdefghijklm', "abc'--defghi", 'abc/defghijk', 'abcdefghijk=', 12345678901, null, undefined]) {
      expect(isQrToken(bad)).toBe(false);
    }
  });

  it('encodes BASE_URL/q/<token>', () => {
    expect(qrUrl('https://ls.example.cn', 'AbC_-1234567')).toBe('https://ls.example.cn/q/AbC_-1234567');
    expect(qrUrl('http://localhost:3000/', 'AbC_-1234567')).toBe('http://localhost:3000/q/AbC_-1234567');
  });
});
