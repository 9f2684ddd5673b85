import fs from 'node:fs';
import path from 'node:path';
import { Router, type Request, type RequestHandler, type Response } from 'express';
import multer from 'multer';
import type { Viewer } from '../access/rules';
import type { Config } from '../config';
import { requireRole } from '../auth/middleware';
import type { Campaign } from '../campaigns/repo';
import type { CampaignService } from '../campaigns/service';
import type { PlaceRepo } from '../places/repo';
import { chinaToday } from '../campaigns/rules';
import { flash } from '../http/flash';
import { InvalidError, NotFoundError } from '../lib/errors';
import { randomToken } from '../lib/random';
import { idParam, parseForm, type FieldErrors } from '../http/validate';
import { helpers } from '../http/view-helpers';
import { PUBLIC_DIR } from '../paths';
import { photoMultipart } from '../submissions/photo-multipart';
import { PHOTO_MESSAGES, removePhoto, sniffPhotoFile, storePhotoFile } from '../submissions/upload';
import { guardUploads, incomingDir } from '../submissions/photo-multipart';
import { HttpError } from '../http/http-error';
import { CHANNEL_LABELS, KIND_LABELS, KINDS, type SubmissionKind } from '../submissions/types';
import { entrySchema, meetingSchema, MEETING_ROWS_MAX, readOpinionRows, rowCount, TEXT_MAX } from './forms';
import { templateCsv, templateXlsx } from './import/template';
import { compactRows, DATED_ROWS_SHOWN, ImportInterrupted, ImportRunning, INTAKE_CHANNELS, type IntakeChannel, type IntakeService } from './service';
import { DATE_MESSAGES, DateNeedsConfirmation } from './rules';

export const IMPORT_MAX_BYTES = 20 * 1024 * 1024;

const UPLOAD_MESSAGES = {
  badUpload: '上传的内容无法识别。请重新选择文件后再提交。',
  noFile: '请选择要导入的 .xlsx 或 .csv 文件。',
  fileTooBig: `文件太大了（最大 ${IMPORT_MAX_BYTES / 1024 / 1024} MB）。请分成几个文件分别导入。`,
  photoLost: '如需附照片，请重新选择。',
};

const str = (v: unknown, max = 4000): string => (typeof v === 'string' ? v.slice(0, max) : '');
const param = (v: unknown): string => (typeof v === 'string' ? v : '');
const isDay = (v: string) => /^\d{4}-\d{2}-\d{2}$/.test(v);

/**
 * The date the form's "日期核实无误" box confirms, if it is ticked for the date now in the field: a box ticked
 * for 2023-11-02 does not carry over to a date typed afterwards.
 */
const confirmedDateOf = (values: Record<string, string>, dateField: string): string | null =>
  isDay(values.confirmDate ?? '') && values.confirmDate === values[dateField] ? values.confirmDate : null;

/**
 * Offline intake for grid workers and staff: quick entry (also the target of the offline queue), residents'
 * meetings, spreadsheet import with preview. Every read and write goes through the intake service's scope checks.
 */
export interface IntakeRouteDeps {
  config: Readonly<Pick<Config, 'uploadsDir' | 'uploadMaxBytes'>>;
  intake: IntakeService;
  places: Pick<PlaceRepo, 'list'>;
  campaigns: Pick<CampaignService, 'findById'>;
  /** Aborted on SIGTERM: a running import commit stops after its current chunk. */
  shutdown?: AbortSignal;
}

export function intakeRoutes({ config, intake, places, campaigns, shutdown }: IntakeRouteDeps): Router {
  const router = Router();
  const enterers = requireRole('admin', 'staff', 'grid_worker');
  const photosDir = config.uploadsDir;

  const photoForm = photoMultipart({ fileSize: config.uploadMaxBytes, files: 1, fields: 40, fieldSize: 16 * 1024, parts: 50 }, { photosDir });
  const meetingBody = multer({
    storage: multer.memoryStorage(),
    limits: { files: 0, fields: 20 + MEETING_ROWS_MAX * 3, fieldSize: 16 * 1024, parts: 30 + MEETING_ROWS_MAX * 3 },
  }).none();
  // To disk as it arrives (a stalled 20 MB upload costs no memory), read once it is complete.
  const fileUpload = guardUploads(2)(multer({
    storage: multer.diskStorage({
      destination: (_req, _file, cb) => fs.mkdir(incomingDir(photosDir), { recursive: true, mode: 0o700 }, (err) => cb(err ?? null, incomingDir(photosDir))),
      filename: (_req, _file, cb) => cb(null, `${randomToken(18)}.part`),
    }),
    limits: { fileSize: IMPORT_MAX_BYTES, files: 1, fields: 10, fieldSize: 1024, parts: 12 },
  }).single('file'));

  /** Runs multer and hands its error (if any) to the route, which answers with the form rather than a bare error page. */
  const parseMultipart = (mw: RequestHandler, req: Request, res: Response) =>
    new Promise<unknown>((resolve) => mw(req, res, (err?: unknown) => resolve(err ?? null)));

  const uploadMessage = (err: unknown, tooBig: string): { status: number; message: string } => {
    const e = err as { name?: string; code?: string };
    if (err instanceof HttpError && err.status === 429) return { status: 429, message: err.message };
    if (e?.name === 'MulterError' && e.code === 'LIMIT_FILE_SIZE') return { status: 413, message: tooBig };
    if (e?.name === 'MulterError' && e.code === 'LIMIT_FIELD_VALUE') return { status: 413, message: '填写的内容太长了，请删减一些文字后再提交。' };
    return { status: 400, message: UPLOAD_MESSAGES.badUpload };
  };

  const channelOptions = INTAKE_CHANNELS.map((c) => ({ value: c, label: CHANNEL_LABELS[c] }));
  const kindOptions = KINDS.map((k) => ({ value: k, label: KIND_LABELS[k] }));

  /** The campaign a page works on: the one asked for if the user may enter data for it, else the newest open one. */
  async function pickCampaign(user: Viewer, wanted: unknown): Promise<Campaign | null> {
    const id = Number(wanted);
    if (Number.isSafeInteger(id) && id > 0) {
      try { return await intake.campaignFor(user, id, true); } catch { /* not theirs or a draft: fall back to the default */ }
    }
    return (await intake.openCampaigns(user))[0] ?? null;
  }

  /** Place and channel defaults: the worker's first grid and its community, or the only community in scope. */
  async function defaultPlace(user: Viewer, campaign: Campaign): Promise<{ community: string; grid: string }> {
    const options = await intake.placeOptions(user, campaign);
    if (user.role === 'grid_worker' && options.grids.length) return { community: String(options.grids[0].parentId), grid: String(options.grids[0].id) };
    if (options.communities.length === 1) return { community: String(options.communities[0].id), grid: '' };
    return { community: '', grid: '' };
  }

  /** What the entry and meeting forms both offer: the open campaigns, and the chosen one's places and categories. */
  const campaignOptions = async (user: Viewer, campaign: Campaign | null) => ({
    campaigns: await intake.openCampaigns(user),
    campaign,
    places: campaign ? await intake.placeOptions(user, campaign) : { communities: [], grids: [], compounds: [] },
    categories: campaign ? await intake.categoriesFor(campaign.id) : [],
  });

  /** The confirmation box under a date field: asked for by the service, or kept from a confirmation already given. */
  const dateConfirmation = (day: string | null) => (day ? { day, label: DATE_MESSAGES.checkbox(day) } : null);

  async function renderEntry(req: Request, res: Response, status: number, campaign: Campaign | null, values: Record<string, string>, errors: FieldErrors = {}, dateToConfirm: string | null = null) {
    const user = req.user!;
    const options = await campaignOptions(user, campaign);
    res.status(status).render('intake/entry', {
      dateConfirm: dateConfirmation(dateToConfirm ?? confirmedDateOf(values, 'collectedOn')),
      title: '快速录入',
      ...options,
      channels: channelOptions,
      kinds: kindOptions,
      values,
      errors,
      today: chinaToday(),
      textMax: TEXT_MAX,
      photoMaxMb: Math.floor(config.uploadMaxBytes / 1024 / 1024),
      idempotencyKey: values.idempotencyKey || randomToken(18),
    });
  }

  // ---- quick entry ------------------------------------------------------------------------------

  router.get('/intake', enterers, async (req, res) => {
    const user = req.user!;
    const q = req.query as Record<string, unknown>;
    const campaign = await pickCampaign(user, q.campaign);
    const values: Record<string, string> = { channel: 'door_to_door', collectedOn: chinaToday(), kind: 'suggestion' };
    if (campaign) { const d = await defaultPlace(user, campaign); values.communityId = d.community; values.gridId = d.grid; }
    // Kept from the previous save (post/redirect/get): place, channel and date, so the next household takes seconds.
    if (INTAKE_CHANNELS.includes(str(q.channel) as IntakeChannel)) values.channel = str(q.channel);
    if (/^\d{4}-\d{2}-\d{2}$/.test(str(q.date))) values.collectedOn = str(q.date);
    if (/^\d+$/.test(str(q.community))) { values.communityId = str(q.community); values.gridId = ''; }
    if (/^\d+$/.test(str(q.grid))) values.gridId = str(q.grid);
    if (/^\d+$/.test(str(q.compound))) values.compoundId = str(q.compound);
    if (q.building) values.building = str(q.building, 100);
    // A date confirmed for the previous household stays confirmed for the next one from the same stack of forms.
    if (isDay(str(q.confirmDate))) values.confirmDate = str(q.confirmDate);
    await renderEntry(req, res, 200, campaign, values);
  });

  type SaveOutcome =
    | { ok: true; id: number; created: boolean; count: number; next: string; message: string }
    | { ok: false; status: number; errors: FieldErrors; values: Record<string, string>; campaign: Campaign | null; dateToConfirm?: string };

  /** The one save path of quick entry: plain form post, the page script's fetch and the offline re-send. */
  async function saveEntry(req: Request, uploadErr: unknown): Promise<SaveOutcome> {
    const user = req.user!;
    const body = (req.body ?? {}) as Record<string, unknown>;
    const values: Record<string, string> = {};
    for (const k of ['campaignId', 'channel', 'collectedOn', 'communityId', 'gridId', 'compoundId', 'building', 'residentName', 'residentPhone', 'kind', 'categoryId', 'text', 'idempotencyKey', 'confirmDate']) {
      values[k] = str(body[k], k === 'text' ? TEXT_MAX * 2 : 200);
    }
    const campaign = await pickCampaign(user, values.campaignId);
    const fail = (status: number, errors: FieldErrors, dateToConfirm?: string): SaveOutcome => ({ ok: false, status, errors, values, campaign, dateToConfirm });
    if (uploadErr) {
      const m = uploadMessage(uploadErr, PHOTO_MESSAGES.tooBig(config.uploadMaxBytes));
      return fail(m.status, { photo: m.message });
    }
    const parsed = parseForm(entrySchema, body);
    const file = req.file && req.file.size > 0 ? req.file : undefined;
    const ext = file ? await sniffPhotoFile(file.path) : null;
    if (!parsed.ok) return fail(400, { ...parsed.errors, ...(file ? { photo: UPLOAD_MESSAGES.photoLost } : {}) });
    if (file && !ext) return fail(400, { photo: PHOTO_MESSAGES.badType });
    if (!file && photoForm.photoLost(req)) return fail(400, { photo: PHOTO_MESSAGES.notArrived });
    const v = parsed.value;
    const confirmedDate = confirmedDateOf(values, 'collectedOn');

    // A double submit or a re-sent offline entry: answer as the first time, store no second photo.
    const already = await intake.findEntryByKey(user, v.idempotencyKey);
    const photoFile = file && ext && !already ? await storePhotoFile(photosDir, file.path, ext) : null;
    let result;
    try {
      result = await intake.recordEntry(user, {
        campaignId: v.campaignId, channel: v.channel, collectedOn: v.collectedOn, communityId: v.communityId, gridId: v.gridId,
        compoundId: v.compoundId, building: v.building, residentName: v.residentName, residentPhone: v.residentPhone,
        kind: v.kind, categoryId: v.categoryId, text: v.text, photoFile, idempotencyKey: v.idempotencyKey, confirmedDate,
      });
    } catch (err) {
      if (photoFile) await removePhoto(photosDir, photoFile);
      if (err instanceof DateNeedsConfirmation) return fail(400, { _form: err.message, ...(file ? { photo: UPLOAD_MESSAGES.photoLost } : {}) }, err.day);
      if (err instanceof InvalidError) return fail(400, { _form: err.message });
      throw err;
    }
    if (!result.created && photoFile) await removePhoto(photosDir, photoFile);
    const next = '/intake' + helpers.qs({
      campaign: v.campaignId, channel: v.channel, date: v.collectedOn, community: v.communityId, grid: v.gridId,
      compound: v.compoundId, building: v.building, confirmDate: confirmedDate ?? undefined,
    });
    const message = result.created ? `已保存（第 ${result.count} 条）` : `这一条已经保存过了（第 ${result.count} 条），没有重复保存。`;
    return { ok: true, id: result.submission.id, created: result.created, count: result.count, next, message };
  }

  router.post('/intake', enterers, async (req, res) => {
    const err = await parseMultipart(photoForm.withPhoto, req, res);
    const out = await saveEntry(req, err);
    if (!out.ok) return renderEntry(req, res, out.status, out.campaign, out.values, out.errors, out.dateToConfirm ?? null);
    flash(res, out.message);
    res.redirect(303, out.next);
  });

  /**
   * The same save for the page script: a live save (then the page follows `next`) or a queued offline entry
   * (`_sync=1`, no flash). Errors come back as JSON; a 4xx other than 401/429 will not get better by retrying.
   */
  router.post('/intake/api/entries', enterers, async (req, res) => {
    const err = await parseMultipart(photoForm.withPhoto, req, res);
    const out = await saveEntry(req, err);
    if (!out.ok) {
      const first = out.errors._form ?? Object.values(out.errors)[0] ?? '内容有误';
      // confirmDate: the date to confirm, so the offline queue can offer "日期核实无误，照样上传".
      return res.status(out.status).json({ ok: false, error: first, errors: out.errors, ...(out.dateToConfirm ? { confirmDate: out.dateToConfirm } : {}) });
    }
    if (str((req.body as Record<string, unknown>)?._sync) !== '1') flash(res, out.message);
    res.status(out.created ? 201 : 200).json({ ok: true, id: out.id, created: out.created, count: out.count, next: out.next, message: out.message });
  });

  /** The offline entry page's service worker, scoped to /intake so it never touches other pages. */
  const swSource = () => fs.readFileSync(path.join(PUBLIC_DIR, 'js', 'intake-sw.js'));
  router.get('/intake/sw.js', enterers, (_req, res) => {
    res.set({
      'Content-Type': 'text/javascript; charset=utf-8',
      'Service-Worker-Allowed': '/intake',
      'Cache-Control': 'no-cache',
    });
    res.send(swSource());
  });

  router.get('/intake/entries', enterers, async (req, res) => {
    const user = req.user!;
    const q = req.query as Record<string, unknown>;
    const mine = str(q.mine) !== '0';
    const campaignId = /^\d+$/.test(str(q.campaign)) ? Number(q.campaign) : null;
    const entries = await intake.listEntries(user, { campaignId, mine, limit: 100 });
    const names = new Map((await places.list()).map((p) => [p.id, p.name]));
    res.render('intake/entries', {
      title: mine ? '我录入的记录' : '录入的记录', entries, mine, campaignId, placeNames: names,
      channelLabels: CHANNEL_LABELS, kindLabels: KIND_LABELS,
    });
  });

  // ---- meetings ---------------------------------------------------------------------------------

  async function renderMeeting(req: Request, res: Response, status: number, campaign: Campaign | null, values: Record<string, string>, rows: ReturnType<typeof readOpinionRows>, errors: FieldErrors = {}, dateToConfirm: string | null = null) {
    const user = req.user!;
    const options = await campaignOptions(user, campaign);
    res.status(status).render('intake/meeting-form', {
      dateConfirm: dateConfirmation(dateToConfirm ?? confirmedDateOf(values, 'heldOn')),
      title: '民情恳谈会录入',
      ...options,
      kinds: kindOptions,
      values,
      rows,
      errors,
      today: chinaToday(),
      idempotencyKey: values.idempotencyKey || randomToken(18),
      moreRows: Math.min(rows.length + 10, MEETING_ROWS_MAX),
      maxRows: MEETING_ROWS_MAX,
    });
  }

  router.get('/intake/meetings', enterers, async (req, res) => {
    const user = req.user!;
    const q = req.query as Record<string, unknown>;
    const campaignId = /^\d+$/.test(str(q.campaign)) ? Number(q.campaign) : null;
    const names = new Map((await places.list()).map((p) => [p.id, p.name]));
    res.render('intake/meetings', { title: '民情恳谈会', meetings: await intake.listMeetings(user, campaignId), campaignId, placeNames: names });
  });

  router.get('/intake/meetings/new', enterers, async (req, res) => {
    const user = req.user!;
    const q = req.query as Record<string, unknown>;
    const campaign = await pickCampaign(user, q.campaign);
    const values: Record<string, string> = { heldOn: chinaToday() };
    if (campaign) { const d = await defaultPlace(user, campaign); values.communityId = d.community; values.gridId = d.grid; }
    await renderMeeting(req, res, 200, campaign, values, readOpinionRows({}, rowCount(q.rows)));
  });

  router.post('/intake/meetings', enterers, async (req, res) => {
    const user = req.user!;
    const err = await parseMultipart(meetingBody, req, res);
    const body = (req.body ?? {}) as Record<string, unknown>;
    const values: Record<string, string> = {};
    for (const k of ['campaignId', 'heldOn', 'communityId', 'gridId', 'compoundId', 'location', 'attendance', 'topic', 'idempotencyKey', 'confirmDate']) values[k] = str(body[k], 400);
    const rows = readOpinionRows(body, rowCount(body.rows));
    const campaign = await pickCampaign(user, values.campaignId);
    if (err) return renderMeeting(req, res, uploadMessage(err, '').status, campaign, values, rows, { _form: uploadMessage(err, '').message });
    // "再加 10 行" re-renders with what was typed and more empty rows; nothing is saved.
    if (str(body.action) === 'more') {
      const more = Math.min(rows.length + 10, MEETING_ROWS_MAX);
      return renderMeeting(req, res, 200, campaign, values, [...rows, ...readOpinionRows({}, more - rows.length)]);
    }
    const parsed = parseForm(meetingSchema, body);
    const errors: FieldErrors = parsed.ok ? {} : { ...parsed.errors };
    const opinions: Array<{ kind: SubmissionKind; categoryId: number | null; text: string }> = [];
    rows.forEach((r, i) => {
      if (!r.text) return;
      if (r.text.length > TEXT_MAX) errors[`text_${i + 1}`] = `意见最多 ${TEXT_MAX} 个字`;
      const categoryId = /^\d+$/.test(r.categoryId) ? Number(r.categoryId) : null;
      opinions.push({ kind: r.kind === 'wish' ? 'wish' : 'suggestion', categoryId, text: r.text });
    });
    if (opinions.length === 0) errors.opinions = '请至少填写一条意见。';
    if (!parsed.ok || Object.keys(errors).length) return renderMeeting(req, res, 400, campaign, values, rows, errors);
    const v = parsed.value;
    try {
      const { meeting, created } = await intake.recordMeeting(user, {
        campaignId: v.campaignId, heldOn: v.heldOn, communityId: v.communityId, gridId: v.gridId, compoundId: v.compoundId,
        location: v.location, attendance: v.attendance, topic: v.topic, idempotencyKey: v.idempotencyKey, opinions,
        confirmedDate: confirmedDateOf(values, 'heldOn'),
      });
      flash(res, created ? `恳谈会已保存，共 ${opinions.length} 条意见。` : '这次恳谈会已经保存过了，没有重复保存。');
      res.redirect(303, `/intake/meetings/${meeting.id}`);
    } catch (e) {
      if (e instanceof DateNeedsConfirmation) return renderMeeting(req, res, 400, campaign, values, rows, { _form: e.message }, e.day);
      if (e instanceof InvalidError) return renderMeeting(req, res, 400, campaign, values, rows, { _form: e.message });
      throw e;
    }
  });

  router.get('/intake/meetings/:id', enterers, async (req, res) => {
    const user = req.user!;
    const { meeting, opinions } = await intake.getMeeting(user, idParam('会议记录').catch(0).parse(req.params.id));
    const names = new Map((await places.list()).map((p) => [p.id, p.name]));
    const categories = new Map((await intake.categoriesFor(meeting.campaignId)).map((c) => [c.id, c.name]));
    res.render('intake/meeting', {
      title: `恳谈会：${meeting.topic}`, meeting, opinions, placeNames: names, categoryNames: categories,
      campaign: await campaigns.findById(meeting.campaignId), kindLabels: KIND_LABELS,
    });
  });

  // ---- import -----------------------------------------------------------------------------------

  async function renderImportForm(req: Request, res: Response, status: number, campaignWanted: unknown, error?: string, channel = 'door_to_door') {
    const user = req.user!;
    const campaigns = await intake.usableCampaigns(user);
    const id = Number(campaignWanted);
    const campaign = campaigns.find((c) => c.id === id) ?? (await intake.openCampaigns(user))[0] ?? campaigns[0] ?? null;
    res.status(status).render('intake/import', {
      title: '表格导入', campaigns, campaign, channels: channelOptions, channel, error: error ?? null,
      maxMb: IMPORT_MAX_BYTES / 1024 / 1024,
    });
  }

  router.get('/intake/import', enterers, async (req, res) => renderImportForm(req, res, 200, (req.query as Record<string, unknown>).campaign));

  router.get('/intake/import/template.xlsx', enterers, async (_req, res) => {
    const buf = await templateXlsx();
    res.set({
      'Content-Type': 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
      'Content-Disposition': `attachment; filename="import-template.xlsx"; filename*=UTF-8''${encodeURIComponent('入户走访导入模板.xlsx')}`,
    });
    res.send(buf);
  });

  router.get('/intake/import/template.csv', enterers, (_req, res) => {
    res.set({
      'Content-Type': 'text/csv; charset=utf-8',
      'Content-Disposition': `attachment; filename="import-template.csv"; filename*=UTF-8''${encodeURIComponent('入户走访导入模板.csv')}`,
    });
    res.send(templateCsv());
  });

  router.post('/intake/import', enterers, async (req, res) => {
    const user = req.user!;
    const err = await parseMultipart(fileUpload, req, res);
    const body = (req.body ?? {}) as Record<string, unknown>;
    const channel = INTAKE_CHANNELS.includes(str(body.channel) as IntakeChannel) ? (str(body.channel) as IntakeChannel) : 'door_to_door';
    if (err) { const m = uploadMessage(err, UPLOAD_MESSAGES.fileTooBig); return renderImportForm(req, res, m.status, body.campaignId, m.message, channel); }
    const campaignId = Number(body.campaignId);
    // An empty file that was chosen is the reader's to refuse ("文件是空的"), as on the command line.
    if (!req.file) return renderImportForm(req, res, 400, campaignId, UPLOAD_MESSAGES.noFile, channel);
    // multer gives the name as latin1 bytes; browsers send UTF-8.
    const fileName = Buffer.from(req.file.originalname, 'latin1').toString('utf8').replace(/[\\/]/g, '_');
    let id;
    try {
      // Read and planned in a worker thread: the server keeps answering while a 50,000-row file is read.
      id = await intake.readUpload(user, campaignId, await fs.promises.readFile(req.file.path), channel, fileName);
    } catch (e) {
      if (e instanceof InvalidError) return renderImportForm(req, res, 400, campaignId, e.message, channel);
      throw e;
    }
    res.redirect(303, `/intake/import/${id}`);
  });

  const batchId = (req: Request) => {
    const id = param(req.params.id);
    if (!/^[\w-]{10,64}$/.test(id)) throw new NotFoundError('找不到这次导入（可能已过期）。请重新上传文件。');
    return id;
  };

  router.get('/intake/import/:id', enterers, async (req, res) => {
    const user = req.user!;
    const { batch, campaign, report, preview } = await intake.getBatch(user, batchId(req));
    const running = intake.commitProgress(batch);
    const categories = new Map((await intake.categoriesFor(campaign.id)).map((c) => [c.id, c.name]));
    const names = new Map((await places.list()).map((p) => [p.id, p.name]));
    if (report) {
      return res.render('intake/import-result', {
        title: '导入结果', batch, campaign, report, compactRows, channelLabels: CHANNEL_LABELS,
      });
    }
    // The preview was planned once, when the file was uploaded (src/intake/service.ts readUpload): viewing it
    // reads nothing but that stored summary.
    const p = preview!;
    res.render('intake/import-preview', {
      title: '导入预览', batch, campaign, plan: p, preview: p.preview, categoryNames: categories, placeNames: names,
      // Which sheet and header row were read, and which columns were not: so a wrong guess is visible before confirming.
      source: p.source,
      newCount: p.newCount, compactRows, channelLabels: CHANNEL_LABELS, kindLabels: KIND_LABELS,
      dated: p.datesToConfirm, datedShown: DATED_ROWS_SHOWN,
      // Who and what, so each row can be found in the paper records (masked in the view like the rest).
      datedSource: new Map(p.datedSource.map((r) => [r.row, r])),
      running,
      interrupted: batch.interruptedAt ? { done: batch.rowsDone, total: batch.rowsTotal } : null,
    });
  });

  router.post('/intake/import/:id', enterers, async (req, res) => {
    const id = batchId(req);
    await intake.ownBatch(req.user!, id);
    const acceptOldDates = str((req.body as Record<string, unknown> | undefined)?.acceptOldDates) === '1';
    try {
      const report = await intake.commitBatch(req.user!, id, { acceptOldDates, signal: shutdown });
      flash(res, `导入完成：新增 ${report.imported} 条。`);
    } catch (e) {
      // A second click while the first commit runs (here or on another app server): the page follows its progress.
      if (e instanceof ImportRunning) return res.redirect(303, `/intake/import/${id}`);
      // SIGTERM: the chunk being written was finished and the batch says how far it got; the page offers to resume.
      if (!(e instanceof ImportInterrupted)) throw e;
      flash(res, e.message);
    }
    res.redirect(303, `/intake/import/${id}`);
  });

  router.get('/intake/import/:id/status', enterers, async (req, res) => {
    const id = batchId(req);
    const b = await intake.ownBatch(req.user!, id);
    const p = intake.commitProgress(b);
    res.set('Cache-Control', 'no-store').json({ state: p ? 'committing' : b.status, done: p?.done ?? 0, total: p?.total ?? 0 });
  });

  return router;
}
