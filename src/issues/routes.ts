import { Router } from 'express';
import type { AppContext } from '../context';

export function issueRoutes(_ctx: AppContext): Router {
  return Router();
}
