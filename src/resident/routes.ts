import express, { Router, type NextFunction, type Request, type RequestHandler, type Response } from 'express';
import { z } from 'zod';
import type { Config } from '../config';
import type { Acceptance } from '../campaigns/rules';
import type { Campaign, Organizer } from '../campaigns/repo';
import { isStorageFailure } from '../http/error-handler';
import { isBusy } from '../db/busy';
import type { Logger } from '../lib/logger';
import type { AppealService } from '../appeals/service';
import { APPEAL_REASON_MAX } from '../appeals/rules';
import type { BoardService } from '../board/service';
import { ensureResidentId, residentIdOf } from '../submissions/resident-cookie';
import { perClientLimit, type ClientCounts } from '../http/rate-limit';
import { FreshForms, TOKEN_MARK } from './fresh-forms';
import { residentFastLane, storeFailureOf, type FastLaneDeps, type ResidentFastLane } from './fast-lane';
import { optionalText, parseForm, type FieldErrors } from '../http/validate';
import { FEEDBACK_COMMENT_MAX, RATINGS } from '../issues/rules';
import { DomainError } from '../lib/errors';
import { photoMultipart } from '../submissions/photo-multipart';
import { maskName, maskPhone } from '../lib/personal-data';
import { formatReceiptCode, normalizeReceiptCode } from '../lib/receipt-code';
import type { Loaded, ResidentService } from './service';
import { BUILDING_MAX, NAME_MAX, RESIDENT_MESSAGES, TEXT_MAX, residentFormSchema } from '../submissions/schemas';
import { KIND_LABELS } from '../submissions/types';
import { PHOTO_MESSAGES, sniffPhotoFile, type PhotoExt } from '../submissions/upload';
import { HttpError } from '../http/http-error';
import { viewHelpers } from '../http/view-helpers';
import { bigTextLocals } from '../http/big-text';

/** Words residents read on the public pages, kept together. */
const MSG = {
  rateLimited: '操作太频繁了，请稍等一分钟再试。',
  unknownQr: '这个二维码无效，可能已停用或链接不完整。请向社区工作人员确认。',
  badReceipt: '回执码格式不正确。回执码是 8 位字母和数字，例如 ABCD-2345，请核对后再输入。',
  noReceipt: '没有找到这个回执码。请核对后再输入；如果刚刚提交，请稍后再试，或向社区工作人员询问。',
  badUpload: '提交的内容无法识别。请返回上一页，重新选择照片后再提交。',
  tooMuch: '提交的内容太长了。请删减一些文字后再提交。',
  photoLost: '如需附照片，请重新选择。',
  notStored: '服务器的存储空间暂时不足，您的意见这次没有提交成功。您填写的文字已保留，请过几分钟再点一次“提交”。',
  busy: '服务器现在太忙，您的意见这次没有提交成功。您填写的文字已保留，请稍等片刻再点一次“提交”。',
};

function closedMessage(a: Exclude<Acceptance, 'open'>, c: Campaign): { title: string; message: string } {
  switch (a) {
    case 'draft':
      return { title: '征集还在准备中', message: `「${c.title}」还在准备中，暂时不能提交。请留意社区通知，开始后欢迎再来扫码。` };
    case 'not_started':
      return { title: '征集还没有开始', message: `「${c.title}」将于 ${c.startsOn} 开始，到时欢迎再扫码提出您的意见和心愿。` };
    case 'ended':
      return { title: '征集已经结束', message: `「${c.title}」已于 ${c.endsOn} 结束，谢谢您的关心！有急事请直接联系社区工作人员。` };
    case 'closed':
      return { title: '征集已经结束', message: `「${c.title}」已停止收集意见（原定截止 ${c.endsOn}），谢谢您的关心！有急事请直接联系社区工作人员。` };
  }
}

/** Where a resident can go from a page that cannot help them: never a dead end. */
interface DeadEnd { links?: Array<{ href: string; label: string }>; organizer?: Organizer | null }
const LOOKUP_LINK = { href: '/r', label: '用回执码查询办理进度' };
const UNKNOWN_QR_WAYS: DeadEnd = { links: [LOOKUP_LINK, { href: '/', label: '邻声首页' }] };

/** A closed or not yet open campaign: the receipt lookup, the community's board, and whom to call. */
function waysOn(found: Loaded): DeadEnd {
  const links = [LOOKUP_LINK];
  if (found.communityId !== null) links.push({ href: `/b/${found.communityId}`, label: '看看本社区居民的意见和办理情况' });
  return { links, organizer: found.organizer.name || found.organizer.phone ? found.organizer : null };
}

/** A phone number as a tel: link (转 becomes a pause before the extension). */
export const telHref = (phone: string) => 'tel:' + phone.replace(/转/g, ',').replace(/[^0-9+,]/g, '');

/** What a resident typed, as plain strings, to put back into the form after an error. */
function keptValues(body: unknown): Record<string, string> {
  const b = (body ?? {}) as Record<string, unknown>;
  const s = (k: string, max: number) => (typeof b[k] === 'string' ? (b[k] as string).slice(0, max) : '');
  return {
    kind: s('kind', 20), category: s('category', 20), text: s('text', TEXT_MAX * 4),
    name: s('name', NAME_MAX * 2), phone: s('phone', 30), building: s('building', BUILDING_MAX * 2),
  };
}

/** A refused rating or appeal comes back on the receipt with the status its reason deserves. */
const STATUS_OF = { not_found: 404, not_allowed: 403, invalid: 400, conflict: 409 } as const;

/** Route parameters are strings for plain `:name` segments; anything else is treated as no value. */
const param = (v: unknown): string => (typeof v === 'string' ? v : '');

/**
 * The browser's random id (src/submissions/resident-cookie.ts) makes the same text sent again from the same phone
 * on the same day one submission even with a fresh form: the back button reloads the form with a new token while
 * the browser refills what was typed, and a second tap must not make a second record. It also lists the phone's
 * own submissions on /r and proves a rating or an appeal comes from the phone that submitted.
 */

/** The last four digits of the phone on file, for a receipt opened on another phone (door-to-door, paper). */
const last4 = z.preprocess((v) => (typeof v === 'string' && v.trim() !== '' ? v.trim() : undefined),
  z.string().regex(/^\d{4}$/, '手机号后四位应为 4 位数字').optional());
const feedbackSchema = z.object({
  rating: z.enum(RATINGS, { message: '请选择 满意、基本满意 或 不满意' }),
  comment: optionalText('想说的话', FEEDBACK_COMMENT_MAX),
  phoneLast4: last4,
});
const appealSchema = z.object({
  reason: z.preprocess((v) => (typeof v === 'string' ? v.trim() : ''), z.string()
    .min(1, '请写一写为什么申请复核')
    .refine((v) => Array.from(v).length <= APPEAL_REASON_MAX, `复核理由最多 ${APPEAL_REASON_MAX} 个字`)),
  phoneLast4: last4,
});

export interface ResidentRouteDeps {
  config: Readonly<Pick<Config, 'publicRateLimit' | 'uploadMaxBytes' | 'secureCookies' | 'baseUrl' | 'uploadsDir'>>;
  residents: ResidentService;
  board: BoardService;
  appeals: AppealService;
  logger: Logger;
  /** Every public page here and the form's fast lane count a client's requests together, across app servers. */
  counts: ClientCounts;
  /** What the form's fast lane repeats of the app's edge: its `trust proxy` and its constant security headers. */
  edge: Pick<FastLaneDeps, 'trustProxy' | 'securityHeaders'>;
}

/**
 * The public side, as two routers. `form`: the form behind each QR code and its submission, the busiest path of a
 * campaign; the app mounts it before everything staff pages need (static files, sessions, flash, CSRF, masking),
 * since it needs none of it (it checks its own signed form token). `receipts`: the receipt, lookup, rating and
 * appeal pages, mounted after the session like every other page.
 */
export function residentRoutes({ config, residents, board, appeals, logger, counts, edge }: ResidentRouteDeps): { form: Router; receipts: Router; fastLane: ResidentFastLane } {
  const router = Router();
  const formRouter = Router();
  const pageLocals: RequestHandler[] = [viewHelpers(), bigTextLocals()];
  const urlencoded = express.urlencoded({ extended: false, limit: '64kb', parameterLimit: 200 });
  const limit = perClientLimit(config.publicRateLimit, MSG.rateLimited, counts);
  const multipartLimits = { fields: 20, fieldSize: 8 * 1024, parts: 30 };
  const multipart = photoMultipart({ fileSize: config.uploadMaxBytes, files: 1, ...multipartLimits }, { photosDir: config.uploadsDir });
  const freshForms = new FreshForms();
  const fastLane = residentFastLane({
    residents, freshForms, counts, perMinute: config.publicRateLimit, secureCookies: config.secureCookies,
    limits: multipartLimits, logger, ...edge,
  });

  // Templates are compiled once and kept (independent of NODE_ENV): this is the hot path of a viral campaign.
  const render = (res: Response, status: number, view: string, locals: Record<string, unknown>) =>
    res.status(status).render(view, { ...locals, cache: true });
  const message = (res: Response, status: number, title: string, text: string, back?: string, more: DeadEnd = {}) =>
    render(res, status, 'resident/message', {
      title, message: text, back: back ?? null, links: more.links ?? [], organizer: more.organizer ?? null, telHref,
    });

  function renderForm(
    res: Response, status: number, found: Loaded,
    form: { formToken: string; values: Record<string, string>; errors: FieldErrors; formError?: string | null },
    done?: (err: Error | null, html: string) => void,
  ) {
    const { qr, campaign, categories, organizer } = found;
    // Each load carries its own form token; a cached copy (back button) would send an old one again.
    res.set('Cache-Control', 'no-store');
    const community = found.communityId;
    const locals = {
      title: campaign.title, campaign, qr, categories, organizer, telHref, textMax: TEXT_MAX, nameMax: NAME_MAX, buildingMax: BUILDING_MAX,
      formError: null, boardUrl: community !== null && campaign.publicBoard ? `/b/${community}` : null, ...form,
      // The form names its locals explicitly, so EJS can skip `with (locals)`, which makes rendering ~5× slower.
      cache: true, _with: false,
    };
    if (done) return res.render('resident/form', locals, done);
    res.status(status).render('resident/form', locals);
  }

  function sendFreshForm(res: Response, next: NextFunction, found: Loaded) {
    const formToken = residents.newFormToken(found.qr.id);
    const key = FreshForms.key(!!res.locals.bigText, String(res.locals.bigTextHref));
    const page = freshForms.get(found, key);
    res.set('Cache-Control', 'no-store');
    if (page) return res.status(200).type('html').send(page[0] + formToken + page[1]);
    renderForm(res, 200, found, { formToken: TOKEN_MARK, values: { kind: 'suggestion' }, errors: {} }, (err, html) => {
      if (err) return next(err);
      const parts = freshForms.store(found, key, html);
      if (!parts) return next(new Error('the resident form has no form token'));
      res.status(200).type('html').send(parts[0] + formToken + parts[1]);
    });
  }

  formRouter.get('/q/:token', limit, ...pageLocals, async (req, res, next) => {
    const found = await residents.load(param(req.params.token));
    if (!found) return message(res, 404, '二维码无效', MSG.unknownQr, undefined, UNKNOWN_QR_WAYS);
    const { qr, campaign } = found;
    residents.scanned(qr.id);
    const acceptance = residents.acceptance(campaign);
    if (acceptance !== 'open') {
      const m = closedMessage(acceptance, campaign);
      return message(res, 200, m.title, m.message, undefined, waysOn(found));
    }
    ensureResidentId(req, res, config.secureCookies);
    sendFreshForm(res, next, found);
  });

  formRouter.post('/q/:token', limit, ...pageLocals, urlencoded, async (req, res, next) => {
    const found = await residents.load(param(req.params.token));
    if (!found) return message(res, 404, '二维码无效', MSG.unknownQr, undefined, UNKNOWN_QR_WAYS);
    const { qr, campaign } = found;
    const acceptance = residents.acceptance(campaign);
    if (acceptance !== 'open') {
      const m = closedMessage(acceptance, campaign);
      return message(res, 409, m.title, m.message + ' 您这次填写的内容没有提交。', undefined, waysOn(found));
    }
    const parse = campaign.askPhoto ? multipart.withPhoto : multipart.withoutPhoto;
    parse(req, res, (err?: unknown) => {
      if (err) return uploadError(res, err, `/q/${qr.token}`);
      submit(req, res, found).catch(next);
    });
  });

  function uploadError(res: Response, err: unknown, back: string) {
    const e = err as { name?: string; code?: string };
    if (err instanceof HttpError && err.status === 429) return message(res, 429, '请稍后再提交', err.message, back);
    if (e?.name === 'MulterError' && e.code === 'LIMIT_FILE_SIZE') {
      return message(res, 413, '照片太大了', PHOTO_MESSAGES.tooBig(config.uploadMaxBytes), back);
    }
    if (e?.name === 'MulterError' && e.code === 'LIMIT_FIELD_VALUE') return message(res, 413, '内容太长了', MSG.tooMuch, back);
    // Other multer limits and malformed multipart bodies (busboy errors): the request, not the server, is at fault.
    return message(res, 400, '无法提交', MSG.badUpload, back);
  }

  async function submit(req: Request, res: Response, found: Loaded) {
    const { qr, campaign, categories } = found;
    const body = (req.body ?? {}) as Record<string, unknown>;
    const values = keptValues(body);
    const file = campaign.askPhoto && req.file && req.file.size > 0 ? req.file : undefined;

    const token = residents.checkFormToken(body.ft, qr.id);
    if (!token.ok) {
      // Keep what they typed and hand out a fresh token: losing a long text to an expired page is the worst outcome.
      return renderForm(res, 403, found, {
        formToken: residents.newFormToken(qr.id), values, errors: {},
        formError: `${RESIDENT_MESSAGES.expired}。您填写的文字已保留，检查后再点一次“提交”即可。${file ? MSG.photoLost : ''}`,
      });
    }

    const parsed = parseForm(residentFormSchema({ categoryIds: categories.map((c) => c.id), askContact: campaign.askContact }), body);
    const errors: FieldErrors = parsed.ok ? {} : { ...parsed.errors };
    let photoExt: PhotoExt | null = null;
    if (file) {
      photoExt = await sniffPhotoFile(file.path);
      if (!photoExt) errors.photo = PHOTO_MESSAGES.badType;
    } else if (multipart.photoLost(req)) {
      errors.photo = PHOTO_MESSAGES.notArrived;
    }
    if (!parsed.ok || Object.keys(errors).length) {
      if (file && !errors.photo) errors.photo = MSG.photoLost;
      return renderForm(res, 400, found, { formToken: body.ft as string, values, errors });
    }
    let receiptCode: string;
    // A store the fast lane already tried and saw fail is answered here, not tried twice (a busy database would
    // keep the resident waiting for two deadlines).
    const failed = storeFailureOf(req);
    try {
      if (failed) throw failed.error;
      ({ receiptCode } = await residents.submit({
        loaded: found, form: parsed.value, formKey: token.idempotencyKey,
        residentId: residentIdOf(req),
        photo: file && photoExt ? { file: file.path, size: file.size, ext: photoExt } : null,
      }));
    } catch (err) {
      // A full disk (or a failing one) must not cost the resident what they typed: the form comes back with it.
      // So must another writer that kept the database past the deadline (src/db/busy.ts): never a bare 500.
      const busy = isBusy(err);
      if (!busy && !isStorageFailure(err)) throw err;
      logger.error({ err, reqId: req.id }, 'submission not stored');
      return renderForm(res, 503, found, {
        formToken: body.ft as string, values, errors: {}, formError: (busy ? MSG.busy : MSG.notStored) + (file ? MSG.photoLost : ''),
      });
    }
    res.redirect(303, `/r/${receiptCode}?new=1`);
  }

  // Lookup by code, and this phone's own submissions (same ls_resident cookie), so no code needs to be kept.
  router.get('/r', limit, async (req, res) => {
    const input = typeof req.query.code === 'string' ? req.query.code.slice(0, 40) : '';
    const lookup = async (status: number, code: string, error: string | null) => {
      const mine = await residents.mine(residentIdOf(req));
      res.set('Cache-Control', 'private, no-store');
      res.set('X-Robots-Tag', 'noindex, nofollow');
      render(res, status, 'resident/lookup', { title: '查询办理进度', code, error, mine, noindex: true });
    };
    if (!input) return lookup(200, '', null);
    const code = normalizeReceiptCode(input);
    if (!code) return lookup(400, input, MSG.badReceipt);
    res.redirect(303, `/r/${code}`);
  });

  /** The receipt page; a refused rating comes back here with its message and what the resident chose and wrote. */
  async function renderReceipt(req: Request, res: Response, status: number,
    rating: { error: string; values: Record<string, string> } | null = null,
    appeal: { error: string; values: Record<string, string> } | null = null) {
    const code = normalizeReceiptCode(param(req.params.code).slice(0, 40));
    if (!code) return message(res, 404, '回执码不正确', MSG.badReceipt, '/r');
    const found = await residents.receipt(code);
    if (!found) return message(res, 404, '没有找到回执', MSG.noReceipt, '/r');
    const s = found.submission;
    // The page names what a resident wrote; keep it out of shared caches and search engines.
    res.set('Cache-Control', 'private, no-store');
    res.set('X-Robots-Tag', 'noindex, nofollow');
    const residentId = residentIdOf(req);
    render(res, status, 'resident/receipt', {
      title: '回执 ' + formatReceiptCode(s.receiptCode), s, isNew: req.query.new === '1',
      code: formatReceiptCode(s.receiptCode), kindLabel: KIND_LABELS[s.kind], link: `${config.baseUrl}/r/${s.receiptCode}`,
      contact: [maskName(s.residentName), maskPhone(s.residentPhone)].filter(Boolean).join(' '),
      // Issue status, reply and the one-time rating form (views/resident/_outcome.ejs, src/issues/outcome.ts).
      outcome: found.outcome,
      ratingError: rating?.error ?? null, ratingValues: rating?.values ?? {},
      // Who may rate and appeal from here (src/appeals/rules.ts), the appeal and its state.
      voice: (await appeals.forReceipt(s, residentId, !!req.user)),
      appealError: appeal?.error ?? null, appealValues: appeal?.values ?? {},
      // The community's public board, and its open issues that look like this submission (to support one).
      boardUrl: s.communityId !== null ? `/b/${s.communityId}` : null,
      similar: await board.similarTo(s, residentId),
      noindex: true,
    });
  }

  router.get('/r/:code', limit, (req, res) => renderReceipt(req, res, 200));

  // The one-time rating of a resolved issue. Refusals stay on the receipt page, in the residents' layout,
  // with the choice and the words kept; the page itself shows the rating once it is stored.
  router.post('/r/:code/feedback', limit, async (req, res) => {
    const code = normalizeReceiptCode(param(req.params.code).slice(0, 40));
    if (!code) return message(res, 404, '回执码不正确', MSG.badReceipt, '/r');
    const body = (req.body ?? {}) as Record<string, unknown>;
    const values = {
      rating: typeof body.rating === 'string' ? body.rating.slice(0, 20) : '', comment: typeof body.comment === 'string' ? body.comment.slice(0, 2000) : '',
      phoneLast4: typeof body.phoneLast4 === 'string' ? body.phoneLast4.slice(0, 10) : '',
    };
    const parsed = parseForm(feedbackSchema, body);
    if (!parsed.ok) return renderReceipt(req, res, 400, { error: Object.values(parsed.errors).join('；'), values });
    try {
      await appeals.rate(code, parsed.value.rating, parsed.value.comment, { residentId: residentIdOf(req), last4: parsed.value.phoneLast4 ?? null, staffSession: !!req.user });
    } catch (err) {
      if (err instanceof DomainError && err.kind !== 'not_found') return renderReceipt(req, res, STATUS_OF[err.kind], { error: err.message, values });
      throw err;
    }
    res.redirect(303, `/r/${code}`);
  });

  // 申请复核, once, after a decline or a 不满意 rating; refusals stay on the receipt with the words kept.
  router.post('/r/:code/appeal', limit, async (req, res) => {
    const code = normalizeReceiptCode(param(req.params.code).slice(0, 40));
    if (!code) return message(res, 404, '回执码不正确', MSG.badReceipt, '/r');
    const body = (req.body ?? {}) as Record<string, unknown>;
    const values = {
      reason: typeof body.reason === 'string' ? body.reason.slice(0, 2000) : '',
      phoneLast4: typeof body.phoneLast4 === 'string' ? body.phoneLast4.slice(0, 10) : '',
    };
    const parsed = parseForm(appealSchema, body);
    if (!parsed.ok) return renderReceipt(req, res, 400, null, { error: Object.values(parsed.errors).join('；'), values });
    try {
      await appeals.appeal(code, parsed.value.reason, { residentId: residentIdOf(req), last4: parsed.value.phoneLast4 ?? null, staffSession: !!req.user });
    } catch (err) {
      if (err instanceof DomainError && err.kind !== 'not_found') return renderReceipt(req, res, STATUS_OF[err.kind], null, { error: err.message, values });
      throw err;
    }
    res.redirect(303, `/r/${code}#appeal`);
  });

  return { form: formRouter, receipts: router, fastLane };
}
