import { Router } from 'express';
import type { AppContext } from '../context';

export function residentRoutes(_ctx: AppContext): Router {
  return Router();
}
