import { Router } from 'express';
import type { AppContext } from '../context';

export function placeRoutes(_ctx: AppContext): Router {
  return Router();
}
