import type { NextFunction, Response } from 'express';
import { NotFoundError } from '../lib/errors';
import crypto from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import { stripPhotoMetadata } from '../lib/photo-metadata';

/** Photo types residents' phones produce; the type is decided by the bytes, never by name or mimetype. */
export const PHOTO_TYPES = {
  jpg: 'image/jpeg',
  png: 'image/png',
  webp: 'image/webp',
  heic: 'image/heic',
} as const;
export type PhotoExt = keyof typeof PHOTO_TYPES;

/** Stored names are generated: 24 hex characters and the sniffed extension. Nothing else is ever served. */
export const PHOTO_NAME_RE = /^[0-9a-f]{24}\.(jpg|png|webp|heic)$/;

export const PHOTO_MESSAGES = {
  badType: '照片格式不正确，请上传 JPG、PNG、WEBP 或 HEIC 照片',
  notArrived: '照片没有上传成功（文件无法识别）。请重新选择照片后再提交，或不附照片直接提交。',
  tooBig: (maxBytes: number) => `照片太大了（最大 ${Math.floor(maxBytes / 1024 / 1024)} MB）。请选择小一些的照片，或截图后再上传。`,
};

const HEIC_BRANDS = new Set(['heic', 'heix', 'mif1', 'msf1', 'hevc']);

/** Reads the magic bytes: JPEG FF D8 FF; PNG's 8-byte signature; RIFF….WEBP; ISO-BMFF `ftyp` with a HEIF brand. */
export function sniffPhoto(buf: Buffer): PhotoExt | null {
  if (buf.length >= 3 && buf[0] === 0xff && buf[1] === 0xd8 && buf[2] === 0xff) return 'jpg';
  if (buf.length >= 8 && buf.subarray(0, 8).equals(PNG_SIGNATURE)) return 'png';
  if (buf.length >= 12 && buf.toString('latin1', 0, 4) === 'RIFF' && buf.toString('latin1', 8, 12) === 'WEBP') return 'webp';
  if (buf.length >= 12 && buf.toString('latin1', 4, 8) === 'ftyp' && HEIC_BRANDS.has(buf.toString('latin1', 8, 12))) return 'heic';
  return null;
}
const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

/**
 * Strips the photo's metadata (EXIF with GPS, XMP …) and turns it upright (src/lib/photo-metadata.ts), then
 * writes it under a new random name and fsyncs file and directory before returning, so the
 * submission row that names it (inserted next) never points at a file a power cut could lose.
 */
export async function storePhoto(dir: string, original: Buffer, originalExt: PhotoExt): Promise<string> {
  // Throws InvalidError (a 400 page saying what to do) for a photo that cannot be read or cleaned.
  const { data, ext } = await stripPhotoMetadata(original, originalExt);
  await fs.mkdir(dir, { recursive: true, mode: 0o700 });
  const name = `${crypto.randomBytes(12).toString('hex')}.${ext}`;
  const file = path.join(dir, name);
  const fh = await fs.open(file, 'wx', 0o600);
  try {
    await fh.writeFile(data);
    await fh.sync();
  } catch (err) {
    await fh.close().catch(() => undefined);
    await fs.rm(file, { force: true });
    throw err;
  }
  await fh.close();
  const dh = await fs.open(dir, 'r');
  try { await dh.sync(); } catch { /* some filesystems cannot fsync a directory; the file itself is synced */ } finally { await dh.close(); }
  return name;
}

/** The type of an uploaded file on disk, by its first bytes. */
export async function sniffPhotoFile(file: string): Promise<PhotoExt | null> {
  const fh = await fs.open(file, 'r');
  try {
    const buf = Buffer.alloc(16);
    const { bytesRead } = await fh.read(buf, 0, 16, 0);
    return sniffPhoto(buf.subarray(0, bytesRead));
  } finally {
    await fh.close();
  }
}

/**
 * Stores an upload received on disk (src/submissions/photo-multipart.ts) the way storePhoto does: cleaned of its
 * metadata, under a new random name, synced. The received file is removed either way. Only a complete upload
 * within the size limit gets here, so reading it whole is bounded; stalled uploads stay on disk meanwhile.
 */
export async function storePhotoFile(dir: string, received: string, ext: PhotoExt): Promise<string> {
  try {
    return await storePhoto(dir, await fs.readFile(received), ext);
  } finally {
    await fs.rm(received, { force: true });
  }
}

/** Removes a photo this request wrote but does not need (the double-tapped twin of a stored submission). */
export async function removePhoto(dir: string, name: string): Promise<void> {
  if (!PHOTO_NAME_RE.test(name)) return;
  await fs.rm(path.join(dir, name), { force: true });
}

/**
 * Sends a stored photo with headers that keep it an image: type from our own extension, no sniffing, and a
 * sandboxing CSP in case a browser is talked into rendering it as a document. A missing file is a 404.
 */
export function sendPhoto(res: Response, next: NextFunction, dir: string, name: string): void {
  const ext = name.slice(name.lastIndexOf('.') + 1) as PhotoExt;
  res.set({
    'Content-Type': PHOTO_TYPES[ext],
    'X-Content-Type-Options': 'nosniff',
    'Content-Disposition': 'inline',
    'Content-Security-Policy': "default-src 'none'; sandbox",
    // Residents' photos: never kept by a browser or proxy cache (a shared office computer, a logged-out session).
    'Cache-Control': 'no-store',
  });
  res.sendFile(path.join(dir, name), { dotfiles: 'deny', cacheControl: false, lastModified: true }, (err) => {
    if (err && !res.headersSent) next(new NotFoundError('找不到这张照片。'));
  });
}
