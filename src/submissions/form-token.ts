import crypto from 'node:crypto';

/**
 * The resident form's hidden token: `<qrId>.<nonce>.<issuedAt>.<signature>`, signed with HMAC-SHA256.
 * It is both the public form's CSRF protection (a cross-site page cannot read a fresh one) and the
 * submission's idempotency key (a double tap or a retried POST carries the same nonce → one record).
 * HMAC, not a KDF: it costs microseconds on the hot resident path.
 */
export const FORM_TOKEN_MAX_AGE_MS = 24 * 3600 * 1000;
/** Clock skew tolerated for tokens from a slightly-ahead server (several processes, NTP steps). */
const FUTURE_SKEW_MS = 5 * 60 * 1000;
const MAX_TOKEN_LENGTH = 160;
const TOKEN_RE = /^([1-9]\d{0,14})\.([0-9a-f]{32})\.([0-9a-z]{1,11})\.([A-Za-z0-9_-]{43})$/;

export type FormTokenCheck =
  | { ok: true; idempotencyKey: string; issuedAt: number }
  | { ok: false; reason: 'malformed' | 'signature' | 'wrong_qr' | 'expired' };

function sign(secret: string, payload: string): string {
  return crypto.createHmac('sha256', secret).update(payload).digest('base64url');
}

export function issueFormToken(secret: string, qrId: number, now = Date.now()): string {
  // randomUUID draws from Node's buffered entropy pool: 122 random bits without a syscall per form view.
  const nonce = crypto.randomUUID().replace(/-/g, '');
  const payload = `${qrId}.${nonce}.${now.toString(36)}`;
  return `${payload}.${sign(secret, payload)}`;
}

export function verifyFormToken(secret: string, token: unknown, qrId: number, now = Date.now()): FormTokenCheck {
  if (typeof token !== 'string' || token.length > MAX_TOKEN_LENGTH) return { ok: false, reason: 'malformed' };
  const m = TOKEN_RE.exec(token);
  if (!m) return { ok: false, reason: 'malformed' };
  const [, qr, nonce, issued, sig] = m;
  const expected = Buffer.from(sign(secret, `${qr}.${nonce}.${issued}`));
  const given = Buffer.from(sig);
  if (expected.length !== given.length || !crypto.timingSafeEqual(expected, given)) return { ok: false, reason: 'signature' };
  if (Number(qr) !== qrId) return { ok: false, reason: 'wrong_qr' };
  const issuedAt = parseInt(issued, 36);
  if (!(now - issuedAt <= FORM_TOKEN_MAX_AGE_MS) || issuedAt - now > FUTURE_SKEW_MS) return { ok: false, reason: 'expired' };
  return { ok: true, idempotencyKey: `form:${qr}:${nonce}`, issuedAt };
}

/**
 * The idempotency key of one submission: the form load's key plus a digest of what was sent. A double tap
 * sends the same content and so gets the same key (one record). A resident who goes back, writes something
 * else and submits the same loaded form again has not double-tapped: a new key, a new record, nothing lost.
 */
export function submissionKey(formKey: string, content: ReadonlyArray<string | number | null | undefined>): string {
  const digest = crypto.createHash('sha256').update(JSON.stringify(content)).digest('base64url').slice(0, 16);
  return `${formKey}:${digest}`;
}
