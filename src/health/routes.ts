import { Router } from 'express';
import type { AppContext } from '../context';

export function healthRoutes(ctx: AppContext): Router {
  const router = Router();
  const ping = ctx.db.prepare('SELECT 1').pluck();
  router.get('/healthz', (_req, res) => {
    let database = false;
    try { database = ping.get() === 1; } catch { database = false; }
    res.status(database ? 200 : 503).json({ status: database ? 'ok' : 'degraded', database });
  });
  return router;
}
