import type { IncomingHttpHeaders, IncomingMessage, ServerResponse } from 'node:http';
import accepts from 'accepts';
import busboy from 'busboy';
import proxyaddr from 'proxy-addr';
import type { Logger } from '../lib/logger';
import { bigTextHref, bigTextOn } from '../http/big-text';
import { clientKey, markCounted, rateLimitHeaders, type ClientCounts } from '../http/rate-limit';
import { logWhenDone, requestIdOf } from '../http/request-log';
import { parseForm } from '../http/validate';
import { FreshForms } from './fresh-forms';
import { SMALL_BODY_BYTES, boundaryOf, countDelimiters, handOverBody } from '../submissions/photo-multipart';
import { ensureResidentId, residentIdOf } from '../submissions/resident-cookie';
import type { Loaded, ResidentService } from './service';
import { residentFormSchema } from '../submissions/schemas';

/** The form's route, as the request log names it. */
const FORM_ROUTE = '/q/:token';
/** The form's URL with nothing after the token: a query string changes the page (the 大字 link), Express handles it. */
const FORM_PATH = /^\/q\/([A-Za-z0-9_-]{4,64})$/;
/** Field names the form sends; anything else (brackets, escapes, repeats) is for multer's rules to judge. */
const PLAIN_FIELD = /^[A-Za-z_]{1,30}$/;
/** Bodies being read here at once: past this, a POST goes to the route, which streams it (bounds held memory). */
const READING_MAX = 256;

/** A store that failed in the fast lane, for the route to answer as its own (src/resident/routes.ts). */
const storeFailures = new WeakMap<IncomingMessage, unknown>();
export const storeFailureOf = (req: IncomingMessage): { error: unknown } | undefined =>
  (storeFailures.has(req) ? { error: storeFailures.get(req) } : undefined);

export interface FastLaneDeps {
  residents: ResidentService;
  freshForms: FreshForms;
  /** The per-client counts of the form's Express route, and its limit per minute. */
  counts: ClientCounts;
  perMinute: number;
  /** The app's compiled `trust proxy`, so a client is counted under the address Express gives it. */
  trustProxy: () => (addr: string, i: number) => boolean;
  secureCookies: boolean;
  securityHeaders: ReadonlyArray<readonly [string, string]>;
  /** The multipart limits of the Express route (src/submissions/photo-multipart.ts). */
  limits: { fields: number; fieldSize: number; parts: number };
  logger: Logger;
}

/**
 * The resident form's fast lane: the two requests every submission makes (GET the form, POST it) answered from
 * plain Node messages, before Express. A submission through Express's router, body parsers and rate limiter cost
 * about five bare inserts (issue 10); most of it was per-request machinery that these two requests do not need.
 *
 * It answers only the ordinary case and hands everything else to the Express route, which stays the one place
 * for the rules of every other case:
 * - GET: an open campaign's form whose page is already rendered (src/resident/fresh-forms.ts);
 * - POST: a small multipart body (read whole, at most SMALL_BODY_BYTES) with plain fields and no photo (a
 *   browser sends an empty file part when none was chosen), a valid form token and valid values, stored at once.
 *   Anything else (a photo, an expired token, a mistake in the form) is handed over with the body already read:
 *   the route parses the same bytes with multer and answers as it always has. A store that failed (a busy or full
 *   database) is handed over with its error, and the route answers it as its own failure, without a second try.
 * Both lanes count a request once against the same per-client limit, log one line under the same route, and send
 * the same headers (test/submissions/fast-lane.test.ts compares them). Whatever throws here before an answer is
 * begun is left to Express, whose error handler answers it.
 */
export function residentFastLane(deps: FastLaneDeps) {
  const { residents, freshForms, counts, perMinute, logger } = deps;
  /** Requests answered here, and taken but handed over to the route. */
  const stats = { answered: 0, handedOver: 0 };
  let reading = 0;

  /** Counts the request; false (and not counted) when the client is over its limit, for the route to refuse. */
  function count(req: IncomingMessage, res: ServerResponse): boolean {
    const key = clientKey(proxyaddr(req, deps.trustProxy()));
    const window = counts.hit(key);
    if (window.count > perMinute) {
      counts.decrement(key);
      return false;
    }
    markCounted(req);
    for (const [name, value] of rateLimitHeaders(perMinute, window)) res.setHeader(name, value);
    return true;
  }

  function commonHeaders(res: ServerResponse) {
    for (const [name, value] of deps.securityHeaders) res.setHeader(name, value);
    // The same URL looks different with the 大字 cookie (src/http/big-text.ts).
    res.setHeader('Vary', 'Cookie');
  }

  function sendForm(req: IncomingMessage, res: ServerResponse, started: bigint, path: string, token: string): boolean {
    // Counted first, as on the route: a client over its limit costs no database read.
    if (!count(req, res)) return false;
    const found = residents.peek(token);
    if (!found || residents.acceptance(found.campaign) !== 'open') return false;
    const on = bigTextOn(req);
    const page = freshForms.get(found, FreshForms.key(on, bigTextHref(path, on)));
    if (!page) return false;
    logWhenDone(logger, req, res, requestIdOf(req), () => FORM_ROUTE, started);
    residents.scanned(found.qr.id);
    commonHeaders(res);
    ensureResidentId(req, res, deps.secureCookies);
    const html = page[0] + residents.newFormToken(found.qr.id) + page[1];
    // Each load carries its own form token; a cached copy (back button) would send an old one again.
    stats.answered++;
    res.writeHead(200, { 'Cache-Control': 'no-store', 'Content-Type': 'text/html; charset=utf-8', 'Content-Length': Buffer.byteLength(html) });
    res.end(html);
    return true;
  }

  function takeSubmission(req: IncomingMessage, res: ServerResponse, started: bigint, token: string, toRoute: () => void): boolean {
    const boundary = /^multipart\/form-data\s*;/i.test(req.headers['content-type'] ?? '') ? boundaryOf(req.headers['content-type']) : null;
    const length = Number(req.headers['content-length']);
    if (!boundary || !(length > 0 && length <= SMALL_BODY_BYTES) || reading >= READING_MAX) return false;
    if (!count(req, res)) return false;
    const found = residents.peek(token);
    if (!found || residents.acceptance(found.campaign) !== 'open') return false;
    const id = requestIdOf(req);
    (req as { id?: string }).id = id;
    logWhenDone(logger, req, res, id, () => FORM_ROUTE, started);

    reading++;
    let read = false;
    const done = () => { if (!read) { read = true; reading--; } };
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    // A client that goes away mid-body gets no answer; the log line says it was aborted.
    req.on('error', done);
    req.on('close', done);
    req.on('end', () => {
      done();
      const body = Buffer.concat(chunks);
      const handOver = (failure?: { error: unknown }) => {
        stats.handedOver++;
        handOverBody(req, body);
        if (failure) storeFailures.set(req, failure.error);
        toRoute();
      };
      submit(req, res, body, boundary, found).then(
        (answered) => { if (!answered) handOver(); },
        (error: unknown) => handOver({ error }),
      );
    });
    return true;
  }

  /** Stores an ordinary submission and answers it: true; false for the route to judge it. Rejects if the store fails. */
  async function submit(req: IncomingMessage, res: ServerResponse, body: Buffer, boundary: string,
    found: Loaded): Promise<boolean> {
    const fields = await plainFields(body, req.headers, boundary, deps.limits);
    if (!fields || (fields.photo !== undefined && fields.photo !== '')) return false;
    const { qr, campaign, categories } = found;
    const token = residents.checkFormToken(fields.ft, qr.id);
    if (!token.ok) return false;
    const parsed = parseForm(residentFormSchema({ categoryIds: categories.map((c) => c.id), askContact: campaign.askContact }), fields);
    if (!parsed.ok) return false;
    const { receiptCode } = await residents.submit({
      loaded: found, form: parsed.value, formKey: token.idempotencyKey, residentId: residentIdOf(req), photo: null,
    });
    commonHeaders(res);
    stats.answered++;
    seeOther(req, res, `/r/${receiptCode}?new=1`);
    return true;
  }

  /**
   * Takes the request and returns true, or returns false at once for Express to handle it. A taken POST may still
   * be handed to Express later, through `toRoute`.
   */
  function take(req: IncomingMessage, res: ServerResponse, toRoute: () => void): boolean {
    const m = FORM_PATH.exec(req.url ?? '');
    if (!m) return false;
    const started = process.hrtime.bigint();
    try {
      if (req.method === 'GET') return sendForm(req, res, started, m[0], m[1]);
      if (req.method === 'POST') return takeSubmission(req, res, started, m[1], toRoute);
    } catch {
      // Nothing is sent before the last step that can throw: the route meets the same failure and answers it.
      if (!res.headersSent) return false;
      res.destroy();
      return true;
    }
    return false;
  }
  return Object.assign(take, { stats: stats as Readonly<typeof stats> });
}
export type ResidentFastLane = ReturnType<typeof residentFastLane>;

/**
 * The fields of a small multipart body, or null if it is anything but plain: a file part, a limit reached, a
 * truncated or repeated or bracketed name, a part busboy skipped, a malformed body.
 */
function plainFields(body: Buffer, headers: IncomingHttpHeaders, boundary: string,
  limits: { fields: number; fieldSize: number; parts: number }): Promise<Record<string, string> | null> {
  return new Promise((resolve) => {
    let parser: busboy.Busboy;
    try {
      parser = busboy({ headers, preservePath: true, limits: { fields: limits.fields, fieldSize: limits.fieldSize, parts: limits.parts, files: 1, fileSize: 0, fieldNameSize: 30 } });
    } catch {
      return resolve(null);
    }
    const fields: Record<string, string> = Object.create(null) as Record<string, string>;
    let plain = true;
    let parts = 0;
    parser.on('field', (name, value, info) => {
      parts++;
      if (info.nameTruncated || info.valueTruncated || !PLAIN_FIELD.test(name) || name in fields) plain = false;
      else fields[name] = value;
    });
    const notPlain = () => { plain = false; };
    // A browser sends the photo input as an empty file part with no name when no photo was chosen (multer skips
    // it too); any other file is the route's.
    parser.on('file', (name, stream, info) => {
      parts++;
      if (name !== 'photo' || info.filename) plain = false;
      stream.on('limit', notPlain); // a byte of content (fileSize: 0)
      stream.resume();
    });
    parser.on('partsLimit', notPlain);
    parser.on('filesLimit', notPlain);
    parser.on('fieldsLimit', notPlain);
    parser.on('error', () => resolve(null));
    parser.on('close', () => resolve(plain && countDelimiters(body, boundary) - 1 === parts ? fields : null));
    parser.end(body);
  });
}

/**
 * The 303 after a stored submission, as Express's res.redirect writes it: a short text or HTML body by the client's
 * Accept header, or none. The location is `/r/` with a receipt code and `?new=1`: nothing in it needs escaping.
 */
function seeOther(req: IncomingMessage, res: ServerResponse, location: string) {
  const type = accepts(req).types(['text', 'html']);
  const body = type === 'html'
    ? `<!DOCTYPE html><head><title>See Other</title></head><body><p>See Other. Redirecting to ${location}</p></body>`
    : type === 'text' ? `See Other. Redirecting to ${location}` : '';
  res.setHeader('Vary', 'Cookie, Accept');
  if (type) res.setHeader('Content-Type', `text/${type === 'html' ? 'html' : 'plain'}; charset=utf-8`);
  res.writeHead(303, { Location: location, 'Content-Length': Buffer.byteLength(body) });
  res.end(body);
}
