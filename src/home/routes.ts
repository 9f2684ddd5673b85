import fs from 'node:fs';
import path from 'node:path';
import { Router } from 'express';
import type { Config } from '../config';
import { BIG_TEXT_COOKIE, BIG_TEXT_MAX_AGE, safeBackPath } from '../http/big-text';
import { setCookie } from '../http/cookies';
import { PUBLIC_DIR } from '../paths';

/** Where each role starts after logging in. */
const START_PAGE: Record<string, string> = {
  admin: '/campaigns',
  staff: '/campaigns',
  grid_worker: '/intake',
  claimer: '/menu',
};

export function homeRoutes({ config }: { config: Readonly<Pick<Config, 'secureCookies'>> }): Router {
  const router = Router();
  // Staff go straight to their work; everyone else is a resident who reached the site without a poster:
  // say what the site is, offer the receipt lookup, and keep staff login a small link.
  router.get('/', (req, res) => {
    if (req.user) return res.redirect(303, START_PAGE[req.user.role] ?? '/campaigns');
    res.render('home/index', { title: '邻声 · 社区居民意见征集', cache: true });
  });

  // The 大字 switch: a plain link, so it works without JavaScript; only same-site paths are followed back.
  router.get('/big-text', (req, res) => {
    const on = req.query.on === '1';
    setCookie(res, BIG_TEXT_COOKIE, on ? '1' : '0', { maxAgeSeconds: on ? BIG_TEXT_MAX_AGE : 0, secure: config.secureCookies });
    res.set('Cache-Control', 'no-store');
    res.redirect(303, safeBackPath(req.query.back));
  });

  // Browsers ask for /favicon.ico whatever the page links; answer with the same small SVG.
  const favicon = fs.readFileSync(path.join(PUBLIC_DIR, 'favicon.svg'));
  router.get('/favicon.ico', (_req, res) => {
    res.set('Cache-Control', 'public, max-age=604800');
    res.type('image/svg+xml').send(favicon);
  });
  return router;
}
