import { Router } from 'express';
import type { AppContext } from '../context';

export function categoryRoutes(_ctx: AppContext): Router {
  return Router();
}
