import { Router } from 'express';
import type { AppContext } from '../context';

export function submissionRoutes(_ctx: AppContext): Router {
  return Router();
}
