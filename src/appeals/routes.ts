import { Router } from 'express';
import { z } from 'zod';
import { requireRole } from '../auth/middleware';
import { flash } from '../http/flash';
import { idParam, optionalText, parseForm } from '../http/validate';
import { invalid } from '../lib/errors';
import type { AppealService } from './service';

const reviewSchema = z.object({
  outcome: z.enum(['upheld', 'reopened'], { message: '请选择「维持原结果」或「重新办理」' }),
  answer: optionalText('给居民的答复', 300),
});

/** Staff end a review (复核) from the issue page. The residents' side is on the receipt (src/resident/routes.ts). */
export function appealRoutes({ appeals }: { appeals: AppealService }): Router {
  const router = Router();
  const staff = requireRole('admin', 'staff');

  router.post('/issues/:id/review', staff, async (req, res) => {
    const id = idParam('编号').catch(0).parse(req.params.id);
    const parsed = parseForm(reviewSchema, req.body);
    if (!parsed.ok) throw invalid(Object.values(parsed.errors).join('；') + '。请返回问题页重新填写。');
    if (parsed.value.outcome === 'upheld' && !parsed.value.answer) throw invalid('维持原结果时请写给居民的答复，说明原因。请返回问题页重新填写。');
    await appeals.conclude(req.user!, id, parsed.value.outcome, parsed.value.answer);
    flash(res, parsed.value.outcome === 'reopened' ? '复核：已重新办理，问题回到办理流程。' : '复核：已维持原结果，居民在回执页可以看到答复。');
    res.redirect(303, `/issues/${id}`);
  });

  return router;
}
