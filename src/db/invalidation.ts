import type pg from 'pg';
import { randomToken } from '../lib/random';

/**
 * When the cached copies of campaigns, QR codes and categories (the resident form's hot path reads them from
 * memory) went stale. A write to those tables bumps the generation; a cache keeps the generation it was filled at
 * and refills when it moved. In one process a counter is enough. With more than one app server on PostgreSQL the
 * bump is also a NOTIFY on CHANNEL, and every server LISTENs: another server's change is seen at once rather than
 * when a cache's short time-to-live runs out (SQLite's processes still rely on that).
 */
export interface Invalidation {
  /** Moves whenever this or (on PostgreSQL) another server changed what the caches hold. */
  generation(): number;
  /** After a change: this server's caches at once, the others' when the notification arrives. */
  bump(): void;
  close(): Promise<void>;
}

export const CHANNEL = 'linsheng_cache';

/** One process's counter. */
export function localInvalidation(): Invalidation {
  let n = 0;
  return { generation: () => n, bump: () => { n++; }, close: async () => undefined };
}

/**
 * The counter shared by LISTEN/NOTIFY on a connection of its own (a pooled one would be handed to others). A lost
 * connection is opened again, and the generation moves then too: notifications sent meanwhile were missed.
 */
export async function postgresInvalidation(deps: {
  connect: () => Promise<pg.Client>;
  onError?: (err: unknown) => void;
  /** Sends the NOTIFY (on the pool: any connection will do), e.g. `pool.query('SELECT pg_notify($1, $2)', …)`. */
  notify: (channel: string, payload: string) => Promise<unknown>;
  retryMs?: number;
}): Promise<Invalidation> {
  let n = 0;
  let client: pg.Client | undefined;
  let closed = false;
  // This server's own notifications come back to it too: already counted when sent.
  const self = randomToken(12);
  const listen = async (): Promise<void> => {
    const c = await deps.connect();
    if (closed) { await c.end(); return; }
    c.on('notification', (m) => { if (m.channel === CHANNEL && m.payload !== self) n++; });
    c.on('error', (err) => {
      deps.onError?.(err);
      n++;
      client = undefined;
      c.end().catch(() => undefined);
      if (!closed) setTimeout(() => { void reconnect(); }, deps.retryMs ?? 1000).unref();
    });
    try {
      await c.query(`LISTEN ${CHANNEL}`);
    } catch (err) {
      await c.end().catch(() => undefined);
      throw err;
    }
    client = c;
  };
  const reconnect = async (): Promise<void> => {
    if (closed) return;
    try { await listen(); n++; } catch (err) {
      deps.onError?.(err);
      if (!closed) setTimeout(() => { void reconnect(); }, deps.retryMs ?? 1000).unref();
    }
  };
  await listen();
  return {
    generation: () => n,
    bump: () => {
      n++;
      deps.notify(CHANNEL, self).catch((err: unknown) => deps.onError?.(err));
    },
    close: async () => { closed = true; await client?.end(); },
  };
}
