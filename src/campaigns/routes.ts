import { Router } from 'express';
import type { AppContext } from '../context';

export function campaignRoutes(_ctx: AppContext): Router {
  return Router();
}
