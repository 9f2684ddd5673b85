import { Router } from 'express';
import { cleanText } from '../http/validate';
import { requireRole } from '../auth/middleware';
import { ISSUE_STATUS_LABELS } from '../issues/rules';
import { CHANNEL_LABELS, KIND_LABELS } from '../submissions/types';
import type { SearchService } from './service';

/** GET /search?q=: the search box on every staff page. */
export function searchRoutes({ search }: { search: SearchService }): Router {
  const router = Router();
  router.get('/search', requireRole('admin', 'staff', 'grid_worker'), async (req, res) => {
    const q = typeof req.query.q === 'string' ? req.query.q : Array.isArray(req.query.q) && typeof req.query.q[0] === 'string' ? req.query.q[0] : '';
    const result = await search.search(req.user!, cleanText(q) as string);
    res.render('search/results', {
      title: result.query ? `搜索：${result.query}` : '搜索', r: result,
      statusLabels: ISSUE_STATUS_LABELS, kindLabels: KIND_LABELS, channelLabels: CHANNEL_LABELS,
    });
  });
  return router;
}
