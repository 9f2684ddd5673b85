import type { IncomingMessage } from 'node:http';
import type { Request } from 'express';
import { ipKeyGenerator, rateLimit, type ClientRateLimitInfo, type Store } from 'express-rate-limit';
import type { ClientWindow } from '../db/rate-counts';
import { HttpError } from './http-error';

export const RATE_WINDOW_MS = 60_000;

/**
 * Per-client request counts in fixed one-minute windows (each client's window starts at its first request, as
 * express-rate-limit's memory store does). Synchronous, so the resident form's fast lane
 * (src/resident/fast-lane.ts) can count a request without a turn of promises, in the same counts as
 * the Express route it stands in for. With more than one app server, each adds what the others counted
 * (src/http/shared-counts.ts brings it about once a second): a client gets its limit across all of them.
 */
export class ClientCounts implements Store {
  private readonly hits = new Map<string, { count: number; resetAt: number }>();
  /** Keys counted since their counts were last published to the other servers. */
  private readonly changed = new Set<string>();
  /** The other app servers' counts per key, in their windows that have not ended. */
  private others = new Map<string, number>();
  private readonly sweeper: NodeJS.Timeout;

  constructor(private readonly windowMs = RATE_WINDOW_MS) {
    // Windows that ended are dropped once a window, so one-off clients do not pile up.
    this.sweeper = setInterval(() => {
      const now = Date.now();
      for (const [key, h] of this.hits) if (h.resetAt <= now) this.hits.delete(key);
    }, windowMs);
    this.sweeper.unref();
  }

  /** Counts one request of `key`; what its window holds now, with the other servers' counts. */
  hit(key: string, now = Date.now()): { count: number; resetAt: number } {
    let h = this.hits.get(key);
    if (!h || h.resetAt <= now) this.hits.set(key, (h = { count: 0, resetAt: now + this.windowMs }));
    h.count++;
    this.changed.add(key);
    const others = this.others.get(key);
    return others ? { count: h.count + others, resetAt: h.resetAt } : h;
  }

  /** This server's windows of the keys counted since the last call, to publish. */
  takeChanged(now = Date.now()): ClientWindow[] {
    const out: ClientWindow[] = [];
    for (const key of this.changed) {
      const h = this.hits.get(key);
      if (h && h.resetAt > now) out.push({ client: key, hits: h.count, resetAt: h.resetAt });
    }
    this.changed.clear();
    return out;
  }
  /** Windows that could not be published (a busy database): sent with the next ones. */
  unpublished(windows: readonly ClientWindow[]): void {
    for (const w of windows) this.changed.add(w.client);
  }
  /** What the other servers counted, per key. */
  setOthers(others: Map<string, number>): void { this.others = others; }

  // express-rate-limit's Store interface.
  increment(key: string): ClientRateLimitInfo {
    const h = this.hit(key);
    return { totalHits: h.count, resetTime: new Date(h.resetAt) };
  }
  decrement(key: string): void {
    const h = this.hits.get(key);
    if (h && h.count > 0) { h.count--; this.changed.add(key); }
  }
  resetKey(key: string): void { this.hits.delete(key); this.others.delete(key); }
  resetAll(): void { this.hits.clear(); this.others.clear(); }
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

/**
 * Per-client limit; a refusal is a Chinese page, not a bare 429. `counts` are the limit's counts shared with the
 * other app servers (src/http/shared-counts.ts), and may be shared with a fast lane.
 */
export function perClientLimit(perMinute: number, message: string, counts: ClientCounts) {
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
