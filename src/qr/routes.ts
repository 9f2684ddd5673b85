import { Router } from 'express';
import type { AppContext } from '../context';

export function qrRoutes(_ctx: AppContext): Router {
  return Router();
}
