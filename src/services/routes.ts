import { Router } from 'express';
import type { AppContext } from '../context';

export function serviceMenuRoutes(_ctx: AppContext): Router {
  return Router();
}
