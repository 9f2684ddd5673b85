import type { RequestHandler } from 'express';
import type { Config } from '../config';
import { PRE_SESSION_COOKIE, SESSION_COOKIE } from '../auth/middleware';
import type { AuthService } from '../auth/service';
import { clearCookie, readCookies, setCookie } from '../http/cookies';
import { randomToken } from '../lib/random';
import { seesPersonalData } from './rules';
import type { Access } from './service';

/**
 * The request's viewer: the session's user (src/auth/) with their reach, computed at most once per request
 * (src/access/service.ts), as `req.user`; visitors without a session get a pre-session CSRF token instead.
 */
export function loadSession(auth: AuthService, access: Access, config: Readonly<Config>): RequestHandler {
  return async (req, res, next) => {
    const cookies = readCookies(req);
    const sid = cookies[SESSION_COOKIE];
    if (sid) {
      const s = await auth.resolveSession(sid);
      if (s) {
        req.user = await access.viewerOf(s.user);
        req.csrfToken = s.csrfToken;
        req.sessionIdHash = s.idHash;
      } else {
        clearCookie(res, SESSION_COOKIE, config.secureCookies);
      }
    }
    if (!req.user) {
      let pre = cookies[PRE_SESSION_COOKIE];
      if (!pre || !/^[\w-]{20,64}$/.test(pre)) {
        pre = randomToken(24);
        setCookie(res, PRE_SESSION_COOKIE, pre, { secure: config.secureCookies });
      }
      req.csrfToken = pre;
    }
    res.locals.currentUser = req.user;
    // Whether names, phones, and phone numbers inside residents' texts are shown as written (h.residentText).
    res.locals.seesPersonalData = seesPersonalData(req.user);
    res.locals.csrfToken = req.csrfToken;
    next();
  };
}
