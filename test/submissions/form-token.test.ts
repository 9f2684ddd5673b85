import { FORM_TOKEN_MAX_AGE_MS, issueFormToken, submissionKey, verifyFormToken } from '../../src/submissions/form-token';

const SECRET = 'test-secret-0123456789abcdef';

describe('form token', () => {
  const now = Date.UTC(2026, 10, 25, 8, 0, 0);

  it('verifies for its own QR code and yields a stable idempotency key', () => {
    const t = issueFormToken(SECRET, 42, now);
    const a = verifyFormToken(SECRET, t, 42, now + 1000);
    const b = verifyFormToken(SECRET, t, 42, now + 2000);
    expect(a.ok && b.ok).toBe(true);
    if (a.ok && b.ok) {
      expect(a.idempotencyKey).toBe(b.idempotencyKey);
      expect(a.idempotencyKey).toMatch(/^form:42:[0-9a-f]{32}$/);
    }
  });

  it('gives every form load a different key', () => {
    const keys = new Set(Array.from({ length: 50 }, () => {
      const r = verifyFormToken(SECRET, issueFormToken(SECRET, 1, now), 1, now);
      return r.ok ? r.idempotencyKey : 'fail';
    }));
    expect(keys.size).toBe(50);
  });

  it('refuses another QR code, another secret, a changed character and garbage', () => {
    const t = issueFormToken(SECRET, 42, now);
    expect(verifyFormToken(SECRET, t, 43, now)).toEqual({ ok: false, reason: 'wrong_qr' });
    expect(verifyFormToken('another-secret-0123456789', t, 42, now)).toEqual({ ok: false, reason: 'signature' });
    const parts = t.split('.');
    // Re-pointing the token at another QR code breaks the signature.
    expect(verifyFormToken(SECRET, ['43', ...parts.slice(1)].join('.'), 43, now)).toEqual({ ok: false, reason: 'signature' });
    const last = t[t.length - 2] === 'A' ? 'B' : 'A';
    expect(verifyFormToken(SECRET, t.slice(0, -2) + last + t.slice(-1), 42, now).ok).toBe(false);
    for (const bad of [undefined, null, 42, '', 'a.b.c.d', t + '.x', t.repeat(3), ['x'], { t }]) {
      expect(verifyFormToken(SECRET, bad, 42, now)).toEqual({ ok: false, reason: 'malformed' });
    }
  });

  it('expires after 24 hours and refuses tokens from far in the future', () => {
    const t = issueFormToken(SECRET, 7, now);
    expect(verifyFormToken(SECRET, t, 7, now + FORM_TOKEN_MAX_AGE_MS).ok).toBe(true);
    expect(verifyFormToken(SECRET, t, 7, now + FORM_TOKEN_MAX_AGE_MS + 1)).toEqual({ ok: false, reason: 'expired' });
    expect(verifyFormToken(SECRET, t, 7, now - 3600_000)).toEqual({ ok: false, reason: 'expired' });
  });
});

describe('submission key', () => {
  it('is the same for the same content (double tap) and differs for new content from the same form', () => {
    const base = 'form:1:abcdefghijklmnopqrstuv';
    const a = submissionKey(base, ['suggestion', null, '路灯坏了', null, null, '3号楼', null]);
    expect(submissionKey(base, ['suggestion', null, '路灯坏了', null, null, '3号楼', null])).toBe(a);
    expect(a.startsWith(base + ':')).toBe(true);
    expect(submissionKey(base, ['suggestion', null, '井盖坏了', null, null, '3号楼', null])).not.toBe(a);
    expect(submissionKey('form:1:other', ['suggestion', null, '路灯坏了', null, null, '3号楼', null])).not.toBe(a);
  });
});
