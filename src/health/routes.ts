import { monitorEventLoopDelay } from 'node:perf_hooks';
import { Router } from 'express';
import type { Config } from '../config';
import type { Engine } from '../db/engine';
import { writeLockWaits } from '../db/busy';
import type { NightlyBackups } from '../backup/service';
import { APP_VERSION } from '../lib/version';
import { createReadiness, NOT_READY } from './readiness';

/**
 * /healthz: liveness, 200 while the process can answer at all; touches nothing, so a monitor polling it costs
 * nothing. /readyz: 200 only when the database takes a write, the schema is current and the disk has room,
 * else 503 with the reasons; it also reports the nightly backup (a missed one does not fail readiness).
 */
export interface HealthRouteDeps {
  engine: Pick<Engine, 'unitOfWork'>;
  /** The shipped migrations the database has not applied. */
  pendingMigrations: () => string[] | Promise<string[]>;
  config: Readonly<Pick<Config, 'dataDir' | 'minFreeBytes'> & Partial<Pick<Config, 'internalMetrics'>>>;
  backups?: NightlyBackups;
  walFailure?: () => unknown;
}

export function healthRoutes(ctx: HealthRouteDeps): Router {
  const router = Router();
  const startedAt = Date.now();
  const readiness = createReadiness({
    engine: ctx.engine, pendingMigrations: ctx.pendingMigrations, dataDir: ctx.config.dataDir, minFreeBytes: ctx.config.minFreeBytes, backups: ctx.backups, walFailure: ctx.walFailure,
  });

  router.get('/healthz', (_req, res) => {
    res.set('Cache-Control', 'no-store');
    res.json({ status: 'ok', version: APP_VERSION, uptime_s: Math.round((Date.now() - startedAt) / 1000) });
  });

  if (ctx.config.internalMetrics) {
    // For the benchmarks (LINSHENG_INTERNAL_METRICS=1, loopback only): the longest the event loop was held since
    // the last ?reset=1, and the memory in use.
    const loop = monitorEventLoopDelay({ resolution: 5 });
    loop.enable();
    router.get('/internal/metrics', (req, res) => {
      const from = req.socket.remoteAddress ?? '';
      if (!['127.0.0.1', '::1', '::ffff:127.0.0.1'].includes(from)) return res.status(404).end();
      const mem = process.memoryUsage();
      res.set('Cache-Control', 'no-store').json({
        eventLoopMaxMs: +(loop.max / 1e6).toFixed(1), eventLoopP99Ms: +(loop.percentile(99) / 1e6).toFixed(1),
        rssMb: +(mem.rss / 1048576).toFixed(1), heapUsedMb: +(mem.heapUsed / 1048576).toFixed(1), externalMb: +(mem.external / 1048576).toFixed(1),
        // SQLite: writes that found another process's write lock, and how long they waited for it.
        lockWaits: writeLockWaits.count, lockWaitP99Ms: +(writeLockWaits.count ? writeLockWaits.percentile(99) / 1000 : 0).toFixed(1),
        lockWaitMaxMs: +(writeLockWaits.count ? writeLockWaits.max / 1000 : 0).toFixed(1),
      });
      if (req.query.reset === '1') { loop.reset(); writeLockWaits.reset(); }
    });
  }

  router.get('/readyz', async (_req, res) => {
    const r = await readiness.check();
    res.set('Cache-Control', 'no-store');
    res.status(r.ready ? 200 : 503).json({
      status: r.ready ? 'ready' : 'not_ready',
      version: APP_VERSION,
      ...(r.ready ? {} : { reasons: r.reasons, messages: r.reasons.map((x) => NOT_READY[x]) }),
      checks: r.checks,
      // When the last backup was and whether one was missed; where backups are and why one failed go to the log only.
      ...(r.backup ? { backup: { last: r.backup.last, missed: r.backup.missed, failed: r.backup.lastError !== null, next: r.backup.next } } : {}),
    });
  });
  return router;
}
