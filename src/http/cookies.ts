import type { IncomingMessage, ServerResponse } from 'node:http';

/** Takes plain Node messages: the resident form's fast lane (src/resident/fast-lane.ts) has no Express. */
export function readCookies(req: Pick<IncomingMessage, 'headers'>): Record<string, string> {
  const out: Record<string, string> = {};
  const header = req.headers.cookie;
  if (!header) return out;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq < 0) continue;
    const key = part.slice(0, eq).trim();
    const raw = part.slice(eq + 1).trim();
    try {
      out[key] = decodeURIComponent(raw);
    } catch {
      // A mangled cookie is ignored rather than failing the request.
    }
  }
  return out;
}

export interface CookieOptions { maxAgeSeconds?: number; secure: boolean }

/** One Set-Cookie value: every cookie here is HttpOnly, SameSite=Lax, for the whole site. */
export function cookieHeader(name: string, value: string, opts: CookieOptions): string {
  const parts = [`${name}=${encodeURIComponent(value)}`, 'Path=/', 'HttpOnly', 'SameSite=Lax'];
  if (opts.maxAgeSeconds !== undefined) parts.push(`Max-Age=${opts.maxAgeSeconds}`);
  if (opts.secure) parts.push('Secure');
  return parts.join('; ');
}

/** Adds a Set-Cookie header, keeping any set before it. */
export function setCookie(res: ServerResponse, name: string, value: string, opts: CookieOptions): void {
  const cookie = cookieHeader(name, value, opts);
  const prev = res.getHeader('Set-Cookie');
  res.setHeader('Set-Cookie', prev === undefined ? cookie : Array.isArray(prev) ? [...prev, cookie] : [String(prev), cookie]);
}

export function clearCookie(res: ServerResponse, name: string, secure: boolean): void {
  setCookie(res, name, '', { maxAgeSeconds: 0, secure });
}
