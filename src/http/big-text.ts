import type { Request, RequestHandler } from 'express';
import { readCookies } from './cookies';

/**
 * 大字 (large-text) mode for residents: a cookie the switch sets, read on every page. It works without
 * JavaScript: the switch is a link to /big-text that sets the cookie and sends the resident back.
 */
export const BIG_TEXT_COOKIE = 'ls_big';
export const BIG_TEXT_MAX_AGE = 365 * 86400;

/**
 * A same-site path to go back to, or '/': it must start with one '/' (not '//' or '/\', which browsers read
 * as another host), hold no control characters or backslashes, and not point at the switch itself.
 */
export function safeBackPath(value: unknown): string {
  if (typeof value !== 'string' || value.length > 600) return '/';
  if (!/^\/(?![/\\])[^\\\u0000-\u001f\u007f]*$/.test(value)) return '/';
  if (/^\/big-text(?:[/?#]|$)/.test(value)) return '/';
  return value;
}

export function bigTextOn(req: Pick<Request, 'headers'>): boolean {
  return readCookies(req)[BIG_TEXT_COOKIE] === '1';
}

/** The switch's link for the page at `url` (path and query): turns the mode over and comes back here. */
export function bigTextHref(url: string, on: boolean): string {
  return `/big-text?on=${on ? 0 : 1}&back=${encodeURIComponent(safeBackPath(url))}`;
}

/** Fills res.locals.bigText and res.locals.bigTextHref, which the residents' layout reads. */
export function bigTextLocals(): RequestHandler {
  return (req, res, next) => {
    const on = bigTextOn(req);
    res.locals.bigText = on;
    res.locals.bigTextHref = bigTextHref(req.originalUrl, on);
    // The same URL looks different with the cookie: a shared cache must not hand one reader's page to another.
    res.vary('Cookie');
    next();
  };
}
