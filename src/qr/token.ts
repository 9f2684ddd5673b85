import { randomToken } from '../lib/random';

/**
 * A QR token is 12 base64url characters from 9 random bytes (72 bits): short enough for a small, easily
 * scanned QR code, far too many to guess a campaign's codes by trying.
 */
export const QR_TOKEN_LENGTH = 12;
const TOKEN_RE = /^[A-Za-z0-9_-]{12}$/;

export function newQrToken(): string {
  return randomToken(9);
}

/** Cheap shape check before any database lookup, so junk in /q/<token> never reaches SQL. */
export function isQrToken(value: unknown): value is string {
  return typeof value === 'string' && TOKEN_RE.test(value);
}

/** The URL a code encodes: `${baseUrl}/q/<token>` (baseUrl has no trailing slash, see config). */
export function qrUrl(baseUrl: string, token: string): string {
  return `${baseUrl.replace(/\/+$/, '')}/q/${token}`;
}
