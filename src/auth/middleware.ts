import type { NextFunction, Request, RequestHandler, Response } from 'express';
import { forbidden } from '../lib/errors';
import { HttpError } from '../http/http-error';
import { safeEqual } from '../lib/random';
import type { Role } from './roles';

export const SESSION_COOKIE = 'ls_sid';
/** Double-submit cookie that protects the forms of visitors who are not logged in (the login form). */
export const PRE_SESSION_COOKIE = 'ls_pre';

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
