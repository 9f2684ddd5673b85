import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { PHOTO_NAME_RE, removePhoto, sniffPhoto, storePhoto } from '../../src/submissions/upload';
import { loadConfig } from '../../src/config';
import { ABANDONED_UPLOAD_MS, incomingDir, removeAbandonedUploads } from '../../src/submissions/photo-multipart';
import { tinyPng, tinyJpeg, pixelsOf } from './photos';

describe('photo sniffing', () => {
  it('recognises JPEG, PNG, WEBP and HEIC by their bytes', () => {
    expect(sniffPhoto(tinyJpeg())).toBe('jpg');
    expect(sniffPhoto(tinyPng())).toBe('png');
    const webp = Buffer.concat([Buffer.from('RIFF'), Buffer.from([0x24, 0, 0, 0]), Buffer.from('WEBPVP8 '), Buffer.alloc(8)]);
    expect(sniffPhoto(webp)).toBe('webp');
    for (const brand of ['heic', 'heix', 'mif1', 'msf1', 'hevc']) {
      const heic = Buffer.concat([Buffer.from([0, 0, 0, 0x18]), Buffer.from('ftyp' + brand), Buffer.alloc(12)]);
      expect(sniffPhoto(heic)).toBe('heic');
    }
  });

  it('refuses scripts, HTML, SVG, PDFs, other ISO-BMFF files and truncated headers', () => {
    const bad = [
      Buffer.from('<script>alert(1)</script>'),
      Buffer.from('<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'),
      Buffer.from('%PDF-1.7'),
      Buffer.from('GIF89a......'),
      Buffer.concat([Buffer.from([0, 0, 0, 0x18]), Buffer.from('ftypmp42'), Buffer.alloc(12)]),
      Buffer.from('RIFF\0\0\0\0WAVE'),
      Buffer.from([0xff, 0xd8]),
      tinyPng().subarray(0, 7),
      Buffer.alloc(0),
    ];
    for (const b of bad) expect(sniffPhoto(b)).toBeNull();
  });
});

describe('photo storage', () => {
  it('stores under a generated name with the sniffed extension and removes it again', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'linsheng-upl-'));
    try {
      const name = await storePhoto(path.join(dir, 'uploads'), tinyPng(), 'png');
      expect(name).toMatch(PHOTO_NAME_RE);
      expect(name.endsWith('.png')).toBe(true);
      expect(await pixelsOf(fs.readFileSync(path.join(dir, 'uploads', name)))).toEqual(await pixelsOf(tinyPng()));
      await removePhoto(path.join(dir, 'uploads'), name);
      expect(fs.existsSync(path.join(dir, 'uploads', name))).toBe(false);
      // Only generated names are ever removed.
      fs.writeFileSync(path.join(dir, 'keep.txt'), 'x');
      await removePhoto(path.join(dir, 'uploads'), '../keep.txt');
      expect(fs.existsSync(path.join(dir, 'keep.txt'))).toBe(true);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('accepts only generated names for serving', () => {
    expect(PHOTO_NAME_RE.test('0123456789abcdef01234567.jpg')).toBe(true);
    for (const n of ['../linsheng.db', '0123456789abcdef01234567.svg', '0123456789abcdef01234567.jpg/..', '0123456789ABCDEF01234567.jpg', 'x.jpg']) {
      expect(PHOTO_NAME_RE.test(n)).toBe(false);
    }
  });
});

describe('where photos go', () => {
  it('DATA_DIR/uploads unless LINSHENG_UPLOADS_DIR names a directory every app server reaches', () => {
    expect(loadConfig({ DATA_DIR: '/srv/linsheng' }).uploadsDir).toBe('/srv/linsheng/uploads');
    expect(loadConfig({ DATA_DIR: '/srv/linsheng', LINSHENG_UPLOADS_DIR: '/mnt/shared/photos/' }).uploadsDir).toBe('/mnt/shared/photos');
    expect(incomingDir('/mnt/shared/photos')).toBe('/mnt/shared/photos-incoming');
  });

  it('at start, removes only uploads abandoned long ago: another server may be receiving the newer ones', () => {
    const photos = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'linsheng-incoming-')), 'uploads');
    fs.mkdirSync(incomingDir(photos), { recursive: true });
    const old = path.join(incomingDir(photos), 'old.part');
    const fresh = path.join(incomingDir(photos), 'fresh.part');
    fs.writeFileSync(old, 'x');
    fs.writeFileSync(fresh, 'y');
    const longAgo = new Date(Date.now() - ABANDONED_UPLOAD_MS - 60_000);
    fs.utimesSync(old, longAgo, longAgo);
    expect(removeAbandonedUploads(photos)).toBe(1);
    expect(fs.readdirSync(incomingDir(photos))).toEqual(['fresh.part']);
    expect(removeAbandonedUploads(path.join(photos, 'never-made'))).toBe(0);
    fs.rmSync(path.dirname(photos), { recursive: true, force: true });
  });
});
