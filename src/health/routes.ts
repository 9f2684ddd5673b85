import { Router } from 'express';
import type { Db } from '../db/open-db';

export function healthRoutes({ db }: { db: Db }): Router {
  const router = Router();
  const ping = db.prepare('SELECT 1').pluck();
  router.get('/healthz', (_req, res) => {
    let database = false;
    try { database = ping.get() === 1; } catch { database = false; }
    res.status(database ? 200 : 503).json({ status: database ? 'ok' : 'degraded', database });
  });
  return router;
}
