import crypto from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
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

const logged = new WeakSet<IncomingMessage>();

/** The id a request is logged under: the proxy's, if it is plainly an id, else a new one. */
export function requestIdOf(req: IncomingMessage): string {
  const incoming = req.headers['x-request-id'];
  return typeof incoming === 'string' && INCOMING_ID.test(incoming) ? incoming : crypto.randomUUID();
}

/**
 * Sends the id back in X-Request-Id and writes the request's log line when its response is done. Plain Node
 * messages: the resident form's fast lane (src/resident/fast-lane.ts) logs through this too.
 */
export function logWhenDone(logger: Logger, req: IncomingMessage, res: ServerResponse, id: string, route: () => string,
  started = process.hrtime.bigint()): void {
  logged.add(req);
  res.setHeader('X-Request-Id', id);
  res.once('close', () => {
    const ms = Math.round(Number(process.hrtime.bigint() - started) / 10_000) / 100;
    const line = { reqId: id, method: req.method, route: route(), status: res.statusCode, ms, ...(res.writableFinished ? {} : { aborted: true }) };
    const level = res.statusCode >= 500 ? 'error' : PROBES.has((req.url ?? '').split('?')[0]) ? 'debug' : 'info';
    logger[level](line, 'request');
  });
}

/**
 * One log line per request when it ends: method, route pattern, status, latency in ms and the request id
 * (also sent as the X-Request-Id response header, and carried by the error entry of a failed request).
 */
export function requestLog(logger: Logger): RequestHandler {
  return (req, res, next) => {
    // A form the fast lane took and then handed over is already logged, under its id.
    if (logged.has(req)) return next();
    const id = requestIdOf(req);
    req.id = id;
    logWhenDone(logger, req, res, id, () => routeOf(req));
    next();
  };
}
