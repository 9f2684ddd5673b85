import crypto from 'node:crypto';
import type { Request, RequestHandler } from 'express';
import type { Logger } from '../lib/logger';

/** A request id from a proxy is kept only if it is plainly an id: nothing that could forge or break a log line. */
const INCOMING_ID = /^[A-Za-z0-9][A-Za-z0-9._:-]{7,99}$/;

/** Probes come every few seconds from a load balancer or monitor: logged only at debug level. */
const PROBES = new Set(['/healthz', '/readyz']);

declare global {
  // eslint-disable-next-line @typescript-eslint/no-namespace
  namespace Express {
    interface Request {
      /** This request's id, as logged and sent back in X-Request-Id. */
      id?: string;
    }
  }
}

/**
 * The route pattern that answered (`/q/:token`, `/r/:code`), never the path itself, which carries QR tokens and
 * receipt codes. Requests no route answered (404s, static files) are named by kind only.
 */
export function routeOf(req: Request): string {
  const route = req.route as { path?: unknown } | undefined;
  if (route && route.path !== undefined) return `${req.baseUrl ?? ''}${String(route.path)}`;
  if (req.originalUrl.startsWith('/static/')) return '/static/*';
  return '(no route)';
}

/**
 * One log line per request when it ends: method, route pattern, status, latency in ms and the request id
 * (also sent as the X-Request-Id response header, and carried by the error entry of a failed request).
 */
export function requestLog(logger: Logger): RequestHandler {
  return (req, res, next) => {
    const started = process.hrtime.bigint();
    const incoming = req.get('x-request-id');
    const id = incoming && INCOMING_ID.test(incoming) ? incoming : crypto.randomUUID();
    req.id = id;
    res.setHeader('X-Request-Id', id);
    res.once('close', () => {
      const ms = Math.round(Number(process.hrtime.bigint() - started) / 10_000) / 100;
      const line = { reqId: id, method: req.method, route: routeOf(req), status: res.statusCode, ms, ...(res.writableFinished ? {} : { aborted: true }) };
      const level = res.statusCode >= 500 ? 'error' : PROBES.has(req.path) ? 'debug' : 'info';
      logger[level](line, 'request');
    });
    next();
  };
}
