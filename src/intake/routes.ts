import { Router } from 'express';
import type { AppContext } from '../context';

export function intakeRoutes(_ctx: AppContext): Router {
  return Router();
}
