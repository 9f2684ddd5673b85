import { Router } from 'express';
import type { AppContext } from '../context';

export function classifyRoutes(_ctx: AppContext): Router {
  return Router();
}
