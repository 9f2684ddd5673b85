import type { RequestHandler } from 'express';
import helmet from 'helmet';
import { rateLimit } from 'express-rate-limit';
import { HttpError } from './http-error';

export function securityHeaders(): RequestHandler {
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

/** Per-client limit; a refusal is a Chinese page, not a bare 429. */
export function perClientLimit(perMinute: number, message: string): RequestHandler {
  return rateLimit({
    windowMs: 60_000,
    limit: perMinute,
    standardHeaders: 'draft-7',
    legacyHeaders: false,
    handler: (_req, _res, next) => next(new HttpError(429, message)),
  });
}
