import type { IncomingMessage, ServerResponse } from 'node:http';
import { readCookies, setCookie } from '../http/cookies';
import { randomToken, sha256 } from '../lib/random';

/**
 * A random id for the resident's browser (no account, nothing personal). It makes a re-sent text one submission,
 * and it is how a phone proves a submission, a 附议 or an appeal is its own: /r lists that phone's submissions,
 * and only that phone (or the code plus the last four digits of the phone number on file) may rate or appeal.
 */
export const RESIDENT_COOKIE = 'ls_resident';
export const RESIDENT_ID_SHAPE = /^[\w-]{16,64}$/;
/** About a year (browsers cap cookies at 400 days): long enough that /r keeps listing a campaign's submissions. */
export const RESIDENT_COOKIE_SECONDS = 365 * 86400;

/** The browser's id, if it sent a well-formed one. */
export function residentIdOf(req: Pick<IncomingMessage, 'headers'>): string | null {
  const id = readCookies(req)[RESIDENT_COOKIE] ?? '';
  return RESIDENT_ID_SHAPE.test(id) ? id : null;
}

/** The browser's id, given one first if it has none (or a malformed one). */
export function ensureResidentId(req: Pick<IncomingMessage, 'headers'>, res: ServerResponse, secure: boolean): string {
  const known = residentIdOf(req);
  if (known) return known;
  const id = randomToken(16);
  setCookie(res, RESIDENT_COOKIE, id, { maxAgeSeconds: RESIDENT_COOKIE_SECONDS, secure });
  return id;
}

/** What the database keeps of the id: its hash, so a copy of the database cannot pose as the phone. */
export function residentKeyOf(id: string | null): string | null {
  return id ? sha256('ls_resident:' + id).slice(0, 40) : null;
}
