import type { RequestHandler } from 'express';
import helmet from 'helmet';

/**
 * Helmet's headers. Helmet runs a chain of 13 middlewares per request; with these options every one of them sets a
 * constant header, so the chain runs once at start-up and its headers are replayed on each response (the chain was
 * ~5% of the resident form's CPU). Should an option ever make a header depend on the request, nothing is recorded
 * and helmet runs per request as before.
 */
export function securityHeaders(constant = constantSecurityHeaders()): RequestHandler {
  if (!constant) return helmetMiddleware();
  const { set, removed } = constant;
  return (_req, res, next) => {
    for (const [name, value] of set) res.setHeader(name, value);
    for (const name of removed) res.removeHeader(name);
    next();
  };
}

/** Helmet's headers as recorded from one run of its chain, or null when any of them depends on the request. */
export function constantSecurityHeaders(): { set: ReadonlyArray<readonly [string, string]>; removed: readonly string[] } | null {
  const set: Array<[string, string]> = [];
  const removed: string[] = [];
  let constant = true;
  let finished = false;
  const recorder = {
    setHeader(name: string, value: unknown) { if (typeof value !== 'string') constant = false; set.push([name, String(value)]); },
    removeHeader(name: string) { removed.push(name); },
  };
  helmetMiddleware()({ headers: {} } as never, recorder as never, (err?: unknown) => { finished = !err; });
  return constant && finished && set.length > 0 ? { set, removed } : null;
}

export function helmetMiddleware(): RequestHandler {
  return helmet({
    contentSecurityPolicy: {
      useDefaults: true,
      directives: {
        'default-src': ["'self'"],
        'script-src': ["'self'"],
        'style-src': ["'self'"],
        'img-src': ["'self'", 'data:', 'blob:'],
        'form-action': ["'self'"],
        'frame-ancestors': ["'none'"],
        // Offices often serve over plain http on a LAN; forcing https would break every form there.
        'upgrade-insecure-requests': null,
      },
    },
    // The same reason: HSTS only makes sense once the deployment has https.
    strictTransportSecurity: false,
    crossOriginEmbedderPolicy: false,
    referrerPolicy: { policy: 'same-origin' },
  });
}
