import { Router, type Response } from 'express';
import type { Config } from '../config';
import { perClientLimit } from '../http/rate-limit';
import type { SharedCounts } from '../http/shared-counts';
import { DomainError } from '../lib/errors';
import { normalizeReceiptCode } from '../lib/receipt-code';
import { ensureResidentId, residentIdOf } from '../submissions/resident-cookie';
import type { BoardService } from './service';

/** Taps of 附议 per client and minute: enough for a neighbour going down the board, not for a script. */
export const SUPPORTS_PER_MINUTE = 10;

const MSG = {
  rateLimited: '附议太频繁了，请稍等一分钟再试。',
  tooFast: '操作太频繁了，请稍等一分钟再试。',
  noBoard: '没有找到这个社区的公开栏。请从社区海报上的二维码或回执页的链接进入。',
  noCookie: '没能确认是哪部手机在附议（浏览器没有保存本站的 Cookie）。请允许本站使用 Cookie，刷新页面后再点一次“附议”。',
};

const num = (v: unknown) => (typeof v === 'string' && /^\d{1,12}$/.test(v) ? Number(v) : 0);

export interface BoardRouteDeps {
  config: Readonly<Pick<Config, 'publicRateLimit' | 'secureCookies'>>;
  board: BoardService;
  rateCounts: Pick<SharedCounts, 'counts'>;
}

/**
 * The public board of a community (/b/<id>) and 附议. No account: a phone is its ls_resident cookie. The board is
 * plain HTML (works without JavaScript, prints), tells search engines to stay away, and shows no personal data.
 */
export function boardRoutes({ config, board, rateCounts }: BoardRouteDeps): Router {
  const router = Router();
  const limit = perClientLimit(config.publicRateLimit, MSG.tooFast, rateCounts.counts('board'));
  const supportLimit = perClientLimit(SUPPORTS_PER_MINUTE, MSG.rateLimited, rateCounts.counts('board-support'));

  const message = (res: Response, status: number, title: string, text: string, back: string | null = null) =>
    res.status(status).render('resident/message', { title, message: text, back, noindex: true });

  router.get('/b/:placeId', limit, async (req, res) => {
    res.set('X-Robots-Tag', 'noindex, nofollow');
    const found = await board.board(num(req.params.placeId), residentIdOf(req));
    if (!found) return message(res, 404, '没有这个公开栏', MSG.noBoard);
    if ('redirect' in found) return res.redirect(301, `/b/${found.redirect}`);
    // A phone gets its id here, so its first 附议 already counts as that phone's.
    ensureResidentId(req, res, config.secureCookies);
    // Which issues this phone supported is part of the page: no shared caches.
    res.set('Cache-Control', 'private, no-cache');
    res.render('board/board', {
      title: `${found.community.name} · 居民意见公开栏`, community: found.community, issues: found.issues, noindex: true,
      printedAt: new Date().toISOString(),
    });
  });

  // 附议 from the board or from a receipt: one tap, once per phone and issue; back to where it was tapped.
  router.post('/b/issues/:issueId/support', supportLimit, (req, res) => {
    const issueId = num(req.params.issueId);
    const body = (req.body ?? {}) as Record<string, unknown>;
    const fromReceipt = typeof body.receipt === 'string' ? normalizeReceiptCode(body.receipt.slice(0, 40)) : null;
    const residentId = residentIdOf(req);
    if (!residentId) {
      ensureResidentId(req, res, config.secureCookies);
      return message(res, 400, '请再点一次附议', MSG.noCookie, fromReceipt ? `/r/${fromReceipt}` : null);
    }
    let communityId: number;
    try {
      ({ communityId } = board.support(issueId, residentId));
    } catch (err) {
      if (err instanceof DomainError) {
        const status = { not_found: 404, not_allowed: 403, invalid: 400, conflict: 409 }[err.kind];
        return message(res, status, status === 404 ? '没有找到这个问题' : '不能附议', err.message, fromReceipt ? `/r/${fromReceipt}` : null);
      }
      throw err;
    }
    res.redirect(303, fromReceipt ? `/r/${fromReceipt}#similar` : `/b/${communityId}#issue-${issueId}`);
  });

  return router;
}
