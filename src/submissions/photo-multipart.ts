import type { Request, RequestHandler } from 'express';
import multer from 'multer';

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

export function photoMultipart(limits: NonNullable<multer.Options['limits']>): PhotoMultipart {
  // multer 2's streamHandler option is newer than its type definitions.
  const options: multer.Options & { streamHandler: (req: Request, busboy: NodeJS.WritableStream) => void } = {
    storage: multer.memoryStorage(),
    preservePath: true,
    streamHandler: (req: Request, busboy: NodeJS.WritableStream) => {
      countParts(req, busboy);
      req.pipe(busboy);
    },
    limits: { fieldNameSize: 50, fieldNestingDepth: 1, fieldArrayIndexLimit: 10, ...limits },
  };
  const parser = multer(options);
  return {
    withPhoto: parser.single('photo'),
    withoutPhoto: parser.none(),
    photoLost: (req) => {
      if (req.file) return false;
      const photo = (req.body as Record<string, unknown> | undefined)?.photo;
      return droppedParts(req) || (photo !== undefined && photo !== '');
    },
  };
}

interface PartCount { delimiters: number; parsed: number }
const partCounts = new WeakMap<Request, PartCount>();

function countParts(req: Request, busboy: NodeJS.WritableStream): void {
  const m = /boundary=(?:"([^"]{1,70})"|([^;\s]{1,70}))/i.exec(req.headers['content-type'] ?? '');
  if (!m) return; // busboy refuses the body itself
  const needle = Buffer.from('--' + (m[1] ?? m[2]));
  const count: PartCount = { delimiters: 0, parsed: 0 };
  partCounts.set(req, count);
  let tail: Buffer = Buffer.alloc(0);
  req.on('data', (chunk: Buffer) => {
    // A delimiter may straddle two chunks; the kept tail is shorter than the needle, so nothing counts twice.
    const hay = tail.length ? Buffer.concat([tail, chunk]) : chunk;
    for (let i = hay.indexOf(needle); i !== -1; i = hay.indexOf(needle, i + needle.length)) count.delimiters++;
    tail = hay.subarray(Math.max(0, hay.length - needle.length + 1));
  });
  const parsed = () => { count.parsed++; };
  busboy.on('field', parsed);
  busboy.on('file', parsed);
}

/** Parts in the body (delimiters minus the closing one) that busboy did not hand to multer. */
function droppedParts(req: Request): boolean {
  const count = partCounts.get(req);
  return !!count && count.delimiters - 1 > count.parsed;
}
