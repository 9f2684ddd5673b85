import crypto from 'node:crypto';
import fs from 'node:fs';
import type { IncomingMessage } from 'node:http';
import path from 'node:path';
import type { Request, RequestHandler } from 'express';
import multer from 'multer';
import { HttpError } from '../http/http-error';

/** Uploads from one client (IP) being received at once; more are refused at once instead of being held open. */
export const UPLOADS_PER_CLIENT = 6;

export const TOO_MANY_UPLOADS = '同时上传的内容太多了。请等前面的上传完成后再提交。';

/**
 * Where uploads are written while they arrive: beside the photo directory (DATA_DIR/uploads-incoming by default;
 * LINSHENG_UPLOADS_DIR plus -incoming), so on the same file system and storing is a rename, also when several app
 * servers share the directory; never served.
 */
export const incomingDir = (photosDir: string) => `${photosDir.replace(/[\\/]+$/, '')}-incoming`;

/** An upload still arriving after this long has long been cut off (the server's request timeout is 2 minutes). */
export const ABANDONED_UPLOAD_MS = 10 * 60_000;

/**
 * Removes what uploads left in the incoming directory when their server stopped (or crashed) while receiving them. Only files
 * older than ABANDONED_UPLOAD_MS: another app server sharing the directory may be receiving the newer ones.
 */
export function removeAbandonedUploads(photosDir: string, now = Date.now()): number {
  const dir = incomingDir(photosDir);
  let removed = 0;
  let names: string[];
  try {
    names = fs.readdirSync(dir);
  } catch {
    return 0; // none yet
  }
  for (const name of names) {
    const file = path.join(dir, name);
    try {
      if (now - fs.statSync(file).mtimeMs < ABANDONED_UPLOAD_MS) continue;
      fs.rmSync(file, { force: true, recursive: true });
      removed++;
    } catch {
      // Gone meanwhile (its request finished on another server).
    }
  }
  return removed;
}

/**
 * Multer's disk storage into the incoming directory: a photo arriving slowly (or never finishing) costs a file,
 * not its size in memory. The route sniffs the type from the file and moves it into place (src/submissions/upload.ts).
 */
function diskStorage(photosDir: string): multer.StorageEngine {
  const dir = incomingDir(photosDir);
  return multer.diskStorage({
    destination: (_req, _file, cb) => fs.mkdir(dir, { recursive: true, mode: 0o700 }, (err) => cb(err ?? null, dir)),
    filename: (_req, _file, cb) => cb(null, `${crypto.randomBytes(12).toString('hex')}.part`),
  });
}

/** A body up to this size is read at once (and the resident form's fast lane reads it whole). */
export const SMALL_BODY_BYTES = 64 * 1024;

/**
 * Counts the multipart requests each client has in flight and removes what an upload left in the incoming directory when its
 * response is done (the route has moved a photo it keeps).
 */
export function guardUploads(perClient: number) {
  const active = new Map<string, number>();
  return (mw: RequestHandler): RequestHandler => (req, res, next) => {
    // Only bodies that can carry a file count (a form posted urlencoded has nothing to hold on to).
    if (!req.is('multipart/form-data')) return mw(req, res, next);
    // Nor do small bodies, though they are cleaned up after: the resident form posts multipart, and many
    // residents share one carrier address; a text-only submission is a few kilobytes, read at once. Stalled or
    // large uploads are what hold disk and connections.
    const length = Number(req.headers['content-length']);
    const counted = !(req.headers['content-length'] !== undefined && Number.isFinite(length) && length <= SMALL_BODY_BYTES);
    const key = req.ip ?? req.socket.remoteAddress ?? '';
    if (counted) {
      const n = active.get(key) ?? 0;
      if (n >= perClient) return next(new HttpError(429, TOO_MANY_UPLOADS));
      active.set(key, n + 1);
    }
    let done = false;
    res.once('close', () => {
      if (done) return;
      done = true;
      if (counted) {
        const left = (active.get(key) ?? 1) - 1;
        if (left <= 0) active.delete(key); else active.set(key, left);
      }
      const file = req.file as Express.Multer.File | undefined;
      if (file?.path) fs.rm(file.path, { force: true }, () => undefined);
    });
    mw(req, res, next);
  };
}

/**
 * Multipart parsing for every form that takes a photo (resident form, quick entry, claimers' notes), built so a
 * photo never vanishes without the user being told:
 * - the client's file name is never used (stored names are generated), but without `preservePath` busboy cuts
 *   a name like `C:\fakepath\` down to "" and multer then drops the file silently, size limit and all;
 * - busboy skips a part whose header it cannot parse (e.g. `filename="\"`) without any error, so parts are
 *   counted twice: delimiters in the raw body, and parts busboy handed on;
 * - a `photo` part without a file name arrives as a text field (some clients drop a name like "/" entirely).
 */
export interface PhotoMultipart {
  /** Parses a body with at most one file, in the field `photo`. */
  withPhoto: RequestHandler;
  /** Parses a body that must carry no file. */
  withoutPhoto: RequestHandler;
  /** After parsing: the client sent something as the photo that did not arrive as a file. */
  photoLost(req: Request): boolean;
}

export function photoMultipart(limits: NonNullable<multer.Options['limits']>, opts: { photosDir: string; perClient?: number }): PhotoMultipart {
  // multer 2's streamHandler option is newer than its type definitions.
  const options: multer.Options & { streamHandler: (req: Request, busboy: NodeJS.WritableStream) => void } = {
    storage: diskStorage(opts.photosDir),
    preservePath: true,
    streamHandler: (req: Request, busboy: NodeJS.WritableStream) => {
      const count = countParts(req, busboy);
      // A small body the resident form's fast lane read and handed over (src/resident/fast-lane.ts).
      const body = preReadBodies.get(req);
      if (body) {
        count?.(body);
        busboy.end(body);
        return;
      }
      if (count) req.on('data', count);
      req.pipe(busboy);
    },
    limits: { fieldNameSize: 50, fieldNestingDepth: 1, fieldArrayIndexLimit: 10, ...limits },
  };
  const parser = multer(options);
  const guard = guardUploads(opts.perClient ?? UPLOADS_PER_CLIENT);
  return {
    withPhoto: guard(parser.single('photo')),
    withoutPhoto: parser.none(),
    photoLost: (req) => {
      if (req.file) return false;
      const photo = (req.body as Record<string, unknown> | undefined)?.photo;
      return droppedParts(req) || (photo !== undefined && photo !== '');
    },
  };
}

interface PartCount { delimiters: number; parsed: number }
const partCounts = new WeakMap<IncomingMessage, PartCount>();

/** A request body already read whole, for the parser to take instead of the (ended) stream. */
const preReadBodies = new WeakMap<IncomingMessage, Buffer>();
export const handOverBody = (req: IncomingMessage, body: Buffer) => { preReadBodies.set(req, body); };

/** The multipart boundary of a content type, or null (busboy refuses such a body itself). */
export function boundaryOf(contentType: string | undefined): string | null {
  const m = /boundary=(?:"([^"]{1,70})"|([^;\s]{1,70}))/i.exec(contentType ?? '');
  return m ? (m[1] ?? m[2]) : null;
}

/** How many times a multipart delimiter occurs in a whole body. */
export function countDelimiters(body: Buffer, boundary: string): number {
  const needle = Buffer.from('--' + boundary);
  let n = 0;
  for (let i = body.indexOf(needle); i !== -1; i = body.indexOf(needle, i + needle.length)) n++;
  return n;
}

/** Counts the body's delimiters and the parts busboy hands on; returns what to feed each chunk of the body to. */
export function countParts(req: IncomingMessage, busboy: NodeJS.WritableStream): ((chunk: Buffer) => void) | undefined {
  const boundary = boundaryOf(req.headers['content-type']);
  if (!boundary) return undefined;
  const needle = Buffer.from('--' + boundary);
  const count: PartCount = { delimiters: 0, parsed: 0 };
  partCounts.set(req, count);
  // The last needle.length - 1 bytes seen, copied: a delimiter may straddle two chunks. A view into the chunk would
  // keep each stalled upload's last 64 KB chunk alive, and concatenating every chunk doubled what an upload
  // allocates (40 stalled photo uploads, measured in RSS).
  const keep = needle.length - 1;
  let tail: Buffer = Buffer.alloc(0);
  const parsed = () => { count.parsed++; };
  busboy.on('field', parsed);
  busboy.on('file', parsed);
  return (chunk: Buffer) => {
    if (tail.length) {
      // Delimiters that start in the tail (none fits in it whole) and end in this chunk.
      const joint = Buffer.concat([tail, chunk.subarray(0, keep)]);
      for (let i = joint.indexOf(needle); i !== -1 && i < tail.length; i = joint.indexOf(needle, i + 1)) count.delimiters++;
    }
    for (let i = chunk.indexOf(needle); i !== -1; i = chunk.indexOf(needle, i + needle.length)) count.delimiters++;
    tail = Buffer.from(chunk.length >= keep ? chunk.subarray(chunk.length - keep) : Buffer.concat([tail, chunk]).subarray(-keep));
  };
}

/** Parts in the body (delimiters minus the closing one) that busboy did not hand to multer. */
export function droppedParts(req: Request): boolean {
  const count = partCounts.get(req);
  return !!count && count.delimiters - 1 > count.parsed;
}
