import type { IncomingMessage } from 'node:http';
import type { Request } from 'express';
import { ipKeyGenerator, rateLimit, type ClientRateLimitInfo, type Store } from 'express-rate-limit';
import { HttpError } from './http-error';

export const RATE_WINDOW_MS = 60_000;

/**
 * Per-client request counts in fixed one-minute windows (each client's window starts at its first request, as
 * express-rate-limit's memory store does). Synchronous, so the resident form's fast lane
 * (src/resident/fast-lane.ts) can count a request without a turn of promises, in the same counts as
 * the Express route it stands in for.
 */
export class ClientCounts implements Store {
  private readonly hits = new Map<string, { count: number; resetAt: number }>();
  private readonly sweeper: NodeJS.Timeout;

  constructor(private readonly windowMs = RATE_WINDOW_MS) {
    // Windows that ended are dropped once a window, so one-off clients do not pile up.
    this.sweeper = setInterval(() => {
      const now = Date.now();
      for (const [key, h] of this.hits) if (h.resetAt <= now) this.hits.delete(key);
    }, windowMs);
    this.sweeper.unref();
  }

  /** Counts one request of `key`; what its window holds now. */
  hit(key: string, now = Date.now()): { count: number; resetAt: number } {
    let h = this.hits.get(key);
    if (!h || h.resetAt <= now) this.hits.set(key, (h = { count: 0, resetAt: now + this.windowMs }));
    h.count++;
    return h;
  }

  // express-rate-limit's Store interface.
  increment(key: string): ClientRateLimitInfo {
    const h = this.hit(key);
    return { totalHits: h.count, resetTime: new Date(h.resetAt) };
  }
  decrement(key: string): void {
    const h = this.hits.get(key);
    if (h && h.count > 0) h.count--;
  }
  resetKey(key: string): void { this.hits.delete(key); }
  resetAll(): void { this.hits.clear(); }
  shutdown(): void { clearInterval(this.sweeper); }
}

/** Whom a request is counted against: its address (after `trust proxy`), an IPv6 client by its /56 network. */
export const clientKey = (ip: string | undefined): string => ipKeyGenerator(ip ?? '');

/** The draft-7 RateLimit headers express-rate-limit sends (standardHeaders: 'draft-7'). */
export function rateLimitHeaders(limit: number, h: { count: number; resetAt: number }, now = Date.now()): Array<[string, string]> {
  const reset = Math.max(0, Math.ceil((h.resetAt - now) / 1000));
  return [
    ['RateLimit-Policy', `${limit};w=${Math.ceil(RATE_WINDOW_MS / 1000)}`],
    ['RateLimit', `limit=${limit}, remaining=${Math.max(limit - h.count, 0)}, reset=${reset}`],
  ];
}

/** A request the fast lane already counted; the route it falls back to does not count it again. */
const counted = new WeakSet<IncomingMessage>();
export const markCounted = (req: IncomingMessage) => { counted.add(req); };

/** Per-client limit; a refusal is a Chinese page, not a bare 429. `counts` may be shared with a fast lane. */
export function perClientLimit(perMinute: number, message: string, counts: ClientCounts = new ClientCounts()) {
  return rateLimit({
    windowMs: RATE_WINDOW_MS,
    limit: perMinute,
    standardHeaders: 'draft-7',
    legacyHeaders: false,
    store: counts,
    keyGenerator: (req: Request) => clientKey(req.ip),
    skip: (req: Request) => counted.has(req),
    // clientKey is ipKeyGenerator under another name; the check only reads the function's source.
    validate: { keyGeneratorIpFallback: false },
    handler: (_req, _res, next) => next(new HttpError(429, message)),
  });
}
