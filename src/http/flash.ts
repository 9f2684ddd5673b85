import type { RequestHandler, Response } from 'express';
import { clearCookie, readCookies, setCookie } from './cookies';

const FLASH_COOKIE = 'ls_flash';

/** A one-time message shown on the next page (post/redirect/get). */
export function flash(res: Response, message: string): void {
  setCookie(res, FLASH_COOKIE, message.slice(0, 300), { maxAgeSeconds: 60, secure: false });
}

export function flashMessages(): RequestHandler {
  return (req, res, next) => {
    const msg = readCookies(req)[FLASH_COOKIE];
    res.locals.flash = msg || null;
    if (msg) clearCookie(res, FLASH_COOKIE, false);
    next();
  };
}
