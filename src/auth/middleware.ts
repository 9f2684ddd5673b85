import type { NextFunction, Request, RequestHandler, Response } from 'express';
import type { Config } from '../config';
import { clearCookie, readCookies, setCookie } from '../http/cookies';
import { forbidden } from '../lib/errors';
import { HttpError } from '../http/http-error';
import { randomToken, safeEqual } from '../lib/random';
import type { AuthService } from './service';
import type { Role } from './roles';
import type { Access } from '../access/service';
import { seesPersonalData } from '../access/rules';

export const SESSION_COOKIE = 'ls_sid';
/** Double-submit cookie that protects the forms of visitors who are not logged in (the login form). */
export const PRE_SESSION_COOKIE = 'ls_pre';

export function loadSession(auth: AuthService, access: Access, config: Readonly<Config>): RequestHandler {
  return (req, res, next) => {
    const cookies = readCookies(req);
    const sid = cookies[SESSION_COOKIE];
    if (sid) {
      const s = auth.resolveSession(sid);
      if (s) {
        req.user = access.viewerOf(s.user);
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

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/**
 * Every state-changing request must carry the CSRF token: in the form body (`_csrf`), the
 * `X-CSRF-Token` header, or, for multipart forms whose body is parsed later, the `_csrf` query parameter.
 * Paths in `exempt` check their own signed token instead (the public resident form).
 */
export function csrfProtection(exempt: (req: Request) => boolean): RequestHandler {
  return (req, _res, next) => {
    if (SAFE_METHODS.has(req.method) || exempt(req)) return next();
    const body = req.body as Record<string, unknown> | undefined;
    const candidates = [body?._csrf, req.get('x-csrf-token'), req.query._csrf];
    const given = candidates.find((c): c is string => typeof c === 'string' && c.length > 0);
    if (!given || !req.csrfToken || !safeEqual(given, req.csrfToken)) {
      return next(forbidden('页面已过期或来源不明，为了安全没有保存。请返回上一页，刷新后再提交一次。'));
    }
    next();
  };
}

/** Staff pages: anonymous visitors go to the login page; logged-in users without the role get 403. */
export function requireRole(...roles: Role[]): RequestHandler {
  return (req: Request, res: Response, next: NextFunction) => {
    if (!req.user) {
      if (req.method === 'GET' && req.accepts(['html', 'json']) === 'html') {
        return res.redirect(303, '/login?next=' + encodeURIComponent(req.originalUrl));
      }
      return next(new HttpError(401, '请先登录后再操作。'));
    }
    if (roles.length > 0 && !roles.includes(req.user.role)) return next(forbidden());
    next();
  };
}

export const requireLogin = requireRole();
