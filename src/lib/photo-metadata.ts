import type SharpModule from 'sharp';
import { invalid } from './errors';

/**
 * Photos lose their metadata before they are stored, on every channel (resident form, quick entry, claimers'
 * notes all store through storePhoto): EXIF carries the GPS position where the photo was taken (often the
 * resident's home), the phone model and the time; XMP and IPTC can carry more. sharp (libvips, maintained,
 * prebuilt per platform as npm packages) decodes the image, turns it upright by its EXIF orientation, and writes it
 * again without any metadata (sharp keeps none unless asked to).
 *
 * HEIC: the prebuilt libvips has no HEVC decoder (a patent matter), so an iPhone HEIC cannot be converted. Then
 * the original is kept only after its Exif and XMP items are blanked in place (blankHeifMetadata): same size, same
 * offsets, the picture untouched, and a HEIF's rotation lives in its `irot`/`imir` properties, not in EXIF, so it
 * stays upright. A HEIC whose structure is not the plain one this understands is refused with a message rather
 * than stored with its GPS. (iOS Safari and most Android browsers already send JPEG for an <input type=file>.)
 */
export type CleanExt = 'jpg' | 'png' | 'webp' | 'heic';

export const PHOTO_METADATA_MESSAGES = {
  unreadable: '照片无法读取（文件可能已损坏）。请重新拍照或换一张照片后再提交，或不附照片直接提交。',
  heic: '这张 HEIC 照片无法处理。请在 iPhone「设置 › 相机 › 格式」中选择「兼容性最佳」后重新拍照，或截图后上传，或不附照片直接提交。',
};

// Decoding a 48-megapixel photo takes memory; beyond this the photo is refused rather than risking the server.
const MAX_PIXELS = 100_000_000;

// Loaded on the first photo: libvips costs start-up time that a server, the CLI and most requests need not pay.
let loaded: typeof SharpModule | undefined;
function sharp(): typeof SharpModule {
  if (!loaded) {
    loaded = require('sharp') as typeof SharpModule;
    loaded.cache(false);
  }
  return loaded;
}

/** The photo without metadata, upright; the extension may change (a HEIC sharp can decode becomes a JPEG). */
export async function stripPhotoMetadata(data: Buffer, ext: CleanExt): Promise<{ data: Buffer; ext: CleanExt }> {
  try {
    // failOn 'none': a photo with a damaged tail (a phone's upload cut short) is kept as far as it decodes, and is
    // re-encoded all the same, so nothing of its metadata survives; one that does not decode at all is refused.
    const img = sharp()(data, { limitInputPixels: MAX_PIXELS, failOn: 'none' }).rotate();
    if (ext === 'png') return { data: await img.png().toBuffer(), ext };
    if (ext === 'webp') return { data: await img.webp({ quality: 85 }).toBuffer(), ext };
    return { data: await img.jpeg({ quality: 85, mozjpeg: true }).toBuffer(), ext: 'jpg' };
  } catch {
    if (ext !== 'heic') throw invalid(PHOTO_METADATA_MESSAGES.unreadable);
    const blanked = blankHeifMetadata(data);
    if (!blanked) throw invalid(PHOTO_METADATA_MESSAGES.heic);
    return { data: blanked, ext: 'heic' };
  }
}

interface Box { type: string; start: number; body: number; end: number }

/** The ISO-BMFF boxes between start and end; null when a size does not fit. */
function boxes(buf: Buffer, start: number, end: number): Box[] | null {
  const out: Box[] = [];
  let at = start;
  while (at + 8 <= end) {
    let size = buf.readUInt32BE(at);
    const type = buf.toString('latin1', at + 4, at + 8);
    let body = at + 8;
    if (size === 1) {
      if (at + 16 > end) return null;
      const big = buf.readBigUInt64BE(at + 8);
      if (big > BigInt(end - at)) return null;
      size = Number(big);
      body = at + 16;
    } else if (size === 0) {
      size = end - at;
    }
    if (size < body - at || at + size > end) return null;
    out.push({ type, start: at, body, end: at + size });
    at += size;
  }
  return at === end ? out : null;
}

function readN(buf: Buffer, at: number, n: number): number {
  if (n === 0) return 0;
  if (n === 2) return buf.readUInt16BE(at);
  if (n === 4) return buf.readUInt32BE(at);
  if (n === 8) return Number(buf.readBigUInt64BE(at));
  throw new Error('bad field size');
}

/**
 * A copy of a HEIF file whose Exif and XMP items are overwritten with zeros, or null when the file is not the
 * plain layout handled here (items stored in the file by offset: iloc construction method 0). Exported for tests.
 */
export function blankHeifMetadata(input: Buffer): Buffer | null {
  try {
    const buf = Buffer.from(input);
    const top = boxes(buf, 0, buf.length);
    const meta = top?.find((b) => b.type === 'meta');
    if (!top || !meta || top[0]?.type !== 'ftyp') return null;
    const children = boxes(buf, meta.body + 4, meta.end); // meta is a FullBox: 4 bytes of version and flags
    const iinf = children?.find((b) => b.type === 'iinf');
    const iloc = children?.find((b) => b.type === 'iloc');
    if (!children || !iinf) return null;

    // Items holding metadata: item_type 'Exif', or 'mime' (XMP is stored as application/rdf+xml).
    const metadataItems = new Set<number>();
    const iinfVersion = buf[iinf.body];
    const entriesAt = iinf.body + 4 + (iinfVersion === 0 ? 2 : 4);
    for (const infe of boxes(buf, entriesAt, iinf.end) ?? []) {
      if (infe.type !== 'infe') continue;
      const v = buf[infe.body];
      if (v < 2) return null;
      const idSize = v === 2 ? 2 : 4;
      const id = readN(buf, infe.body + 4, idSize);
      const itemType = buf.toString('latin1', infe.body + 4 + idSize + 2, infe.body + 4 + idSize + 6);
      if (itemType === 'Exif' || itemType === 'mime') metadataItems.add(id);
    }
    if (metadataItems.size === 0) return buf;
    if (!iloc) return null;

    const v = buf[iloc.body];
    if (v > 2) return null;
    let at = iloc.body + 4;
    const offsetSize = buf[at] >> 4;
    const lengthSize = buf[at] & 0x0f;
    const baseOffsetSize = buf[at + 1] >> 4;
    const indexSize = v === 0 ? 0 : buf[at + 1] & 0x0f;
    at += 2;
    const count = v < 2 ? buf.readUInt16BE(at) : buf.readUInt32BE(at);
    at += v < 2 ? 2 : 4;
    const blanked = new Set<number>();
    for (let i = 0; i < count; i++) {
      const id = v < 2 ? buf.readUInt16BE(at) : buf.readUInt32BE(at);
      at += v < 2 ? 2 : 4;
      let method = 0;
      if (v > 0) { method = buf.readUInt16BE(at) & 0x0f; at += 2; }
      at += 2; // data_reference_index
      const base = readN(buf, at, baseOffsetSize);
      at += baseOffsetSize;
      const extents = buf.readUInt16BE(at);
      at += 2;
      for (let e = 0; e < extents; e++) {
        at += indexSize;
        const offset = readN(buf, at, offsetSize);
        at += offsetSize;
        const length = readN(buf, at, lengthSize);
        at += lengthSize;
        if (!metadataItems.has(id)) continue;
        // Only plain file offsets are understood; an item built another way (idat, another item) is not blanked.
        if (method !== 0 || length === 0) return null;
        const from = base + offset;
        if (from + length > buf.length) return null;
        buf.fill(0, from, from + length);
        blanked.add(id);
      }
      if (at > iloc.end) return null;
    }
    // Every metadata item must have been found and blanked, or the file is not stored.
    return blanked.size === metadataItems.size ? buf : null;
  } catch {
    return null;
  }
}
