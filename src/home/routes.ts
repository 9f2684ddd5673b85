import { Router } from 'express';
import { requireLogin } from '../auth/middleware';

/** Where each role starts after logging in. */
const START_PAGE: Record<string, string> = {
  admin: '/campaigns',
  staff: '/campaigns',
  grid_worker: '/intake',
  claimer: '/menu',
};

export function homeRoutes(): Router {
  const router = Router();
  router.get('/', requireLogin, (req, res) => {
    res.redirect(303, START_PAGE[req.user!.role] ?? '/campaigns');
  });
  return router;
}
