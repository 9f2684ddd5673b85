import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import request from 'supertest';
import sharp from 'sharp';
import { loginAs, makeTestApp, viewerOf, type Agent, type TestApp } from '../helpers/app';
import { makeCampaign } from '../helpers/factories';
import { hiddenFields } from '../helpers/resident-client';
import { issueServices, makeSubmission } from '../helpers/issues-factories';
import { chinaToday } from '../../src/campaigns/rules';
import { blankHeifMetadata, stripPhotoMetadata } from '../../src/lib/photo-metadata';

// Logins (scrypt), page crawls and image encoding: slow on a loaded 2-core machine.
jest.setTimeout(180_000);

/**
 * A 40×20 JPEG whose EXIF says "rotate 90° clockwise to view" (orientation 6, so it is a 20×40 portrait when shown
 * upright), with the phone's make and a GPS position (tag 0x8825, the GPS IFD).
 */
async function phoneJpeg(): Promise<Buffer> {
  return sharp({ create: { width: 40, height: 20, channels: 3, background: { r: 200, g: 30, b: 30 } } })
    .jpeg().withMetadata({ orientation: 6 })
    .withExif({ IFD0: { Make: 'PhoneMaker' }, IFD3: { GPSLatitudeRef: 'N', GPSLatitude: '34/1 45/1 0/1', GPSLongitudeRef: 'E', GPSLongitude: '113/1 39/1 0/1' } })
    .toBuffer();
}
const hasGpsIfd = (b: Buffer) => b.includes(Buffer.from([0x88, 0x25])) || b.includes(Buffer.from([0x25, 0x88]));

async function expectClean(served: request.Response) {
  expect(served.status).toBe(200);
  expect(served.headers['cache-control']).toBe('no-store');
  const body = Buffer.from(served.body as Buffer);
  const m = await sharp(body).metadata();
  expect(m.format).toBe('jpeg');
  expect(m.exif).toBeUndefined();
  expect(m.xmp).toBeUndefined();
  expect(m.orientation ?? 1).toBe(1);
  // Upright: the pixels were turned, not just the flag dropped.
  expect([m.width, m.height]).toEqual([20, 40]);
  expect(body.includes(Buffer.from('PhoneMaker'))).toBe(false);
  expect(body.includes(Buffer.from('Exif\0\0'))).toBe(false);
}

const tmpDirs: string[] = [];
afterAll(() => { for (const d of tmpDirs) fs.rmSync(d, { recursive: true, force: true }); });
function app(): TestApp {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'linsheng-exif-'));
  tmpDirs.push(dataDir);
  return makeTestApp({ dataDir });
}
const binary = (res: request.Response, cb: (err: Error | null, body: Buffer) => void) => {
  const chunks: Buffer[] = [];
  (res as unknown as NodeJS.ReadableStream).on('data', (c: Buffer) => chunks.push(Buffer.from(c)));
  (res as unknown as NodeJS.ReadableStream).on('end', () => cb(null, Buffer.concat(chunks)));
};

describe('photo metadata is removed on every channel', () => {
  let original: Buffer;
  beforeAll(async () => {
    original = await phoneJpeg();
    const m = await sharp(original).metadata();
    expect(m.orientation).toBe(6);
    expect(hasGpsIfd(m.exif!)).toBe(true);
  });

  it('resident form → /uploads', async () => {
    const t = app();
    const c = makeCampaign(t.db);
    const ft = hiddenFields((await request(t.app).get(`/q/${c.qrToken}`).expect(200)).text).ft;
    const res = await request(t.app).post(`/q/${c.qrToken}`).field('ft', ft).field('kind', 'suggestion').field('text', '路灯坏了')
      .attach('photo', original, { filename: 'IMG_0001.JPG', contentType: 'image/jpeg' });
    expect(res.status).toBe(303);
    const photo = t.db.prepare('SELECT photo_file FROM submissions').pluck().get() as string;
    const stored = fs.readFileSync(path.join(t.config.dataDir, 'uploads', photo));
    expect(stored.includes(Buffer.from('PhoneMaker'))).toBe(false);
    const staff = await loginAs(t, 'staff', { scopePlaceId: c.communityId });
    await expectClean(await staff.get(`/uploads/${photo}`).buffer(true).parse(binary));
  });

  it('quick entry (offline queue endpoint) → /uploads', async () => {
    const t = app();
    const c = makeCampaign(t.db);
    const w = await loginAs(t, 'grid_worker', { gridIds: [c.gridId] });
    const res = await w.post('/intake/api/entries').set('X-CSRF-Token', w.csrf).set('Accept', 'application/json')
      .field('campaignId', String(c.campaignId)).field('idempotencyKey', 'offline-exif-0123456789ab').field('channel', 'door_to_door')
      .field('collectedOn', chinaToday()).field('communityId', String(c.communityId)).field('gridId', String(c.gridId))
      .field('text', '地下室漏水').field('_sync', '1').attach('photo', original, 'leak.jpg');
    expect(res.status).toBe(201);
    const photo = t.db.prepare('SELECT photo_file FROM submissions').pluck().get() as string;
    expect(photo).toMatch(/\.jpg$/);
    await expectClean(await w.get(`/uploads/${photo}`).buffer(true).parse(binary));
  });

  it("claimers' notes → /menu/photos", async () => {
    const t = app();
    const c = makeCampaign(t.db);
    const staff: Agent = await loginAs(t, 'staff', { scopePlaceId: c.subdistrictId });
    const { issueService } = issueServices(t.db);
    const user = await viewerOf(t, staff.userId);
    const issueId = await issueService.create(user, c.campaignId, [makeSubmission(t.db, c).id], { title: '3号楼电梯坏了', categoryId: null, priority: 2 });
    await issueService.changeStatus(user, issueId, 'accepted', null);
    await staff.post(`/issues/${issueId}/publish`).type('form').send({ _csrf: staff.csrf, title: '修好电梯', description: '联系物业' }).expect(303);
    const itemId = t.db.prepare('SELECT id FROM service_items WHERE issue_id = ?').pluck().get(issueId) as number;
    const claimer = await loginAs(t, 'claimer', { claimerKind: 'unit' });
    await claimer.post(`/menu/items/${itemId}/claim`).type('form').send({ _csrf: claimer.csrf }).expect(303);
    const note = await claimer.post(`/menu/items/${itemId}/notes?_csrf=${claimer.csrf}`)
      .field('text', '已到现场').attach('photo', original, { filename: 'a.jpg', contentType: 'image/jpeg' });
    expect(note.status).toBe(303);
    const photo = t.db.prepare('SELECT photo_file FROM claim_notes').pluck().get() as string;
    await expectClean(await staff.get(`/menu/photos/${photo}`).buffer(true).parse(binary));
  });

  it('PNG and WEBP lose their metadata too and keep their type', async () => {
    const png = await sharp({ create: { width: 8, height: 4, channels: 3, background: '#336699' } }).png()
      .withExif({ IFD0: { Make: 'PhoneMaker' } }).toBuffer();
    const webp = await sharp({ create: { width: 8, height: 4, channels: 3, background: '#336699' } }).webp()
      .withExif({ IFD0: { Make: 'PhoneMaker' } }).toBuffer();
    for (const [buf, ext] of [[png, 'png'], [webp, 'webp']] as const) {
      expect(buf.includes(Buffer.from('PhoneMaker'))).toBe(true);
      const out = await stripPhotoMetadata(buf, ext);
      expect(out.ext).toBe(ext);
      expect(out.data.includes(Buffer.from('PhoneMaker'))).toBe(false);
      expect((await sharp(out.data).metadata()).exif).toBeUndefined();
    }
  });

  it('refuses a photo it cannot read instead of storing it as it came', async () => {
    const broken = Buffer.concat([Buffer.from([0xff, 0xd8, 0xff, 0xe1]), Buffer.from('Exif\0\0PhoneMaker GPS'), Buffer.alloc(64, 7)]);
    await expect(stripPhotoMetadata(broken, 'jpg')).rejects.toThrow('照片无法读取');
  });
});

/** A minimal HEIF: ftyp, meta (hdlr, iinf with an hvc1 image item and an Exif item, iloc), mdat. */
function heif(exif: Buffer, image: Buffer): Buffer {
  const box = (type: string, ...parts: Buffer[]) => {
    const body = Buffer.concat(parts);
    const head = Buffer.alloc(8); head.writeUInt32BE(8 + body.length); head.write(type, 4, 'latin1');
    return Buffer.concat([head, body]);
  };
  const full = (type: string, version: number, ...parts: Buffer[]) => box(type, Buffer.from([version, 0, 0, 0]), ...parts);
  const u16 = (n: number) => { const b = Buffer.alloc(2); b.writeUInt16BE(n); return b; };
  const u32 = (n: number) => { const b = Buffer.alloc(4); b.writeUInt32BE(n); return b; };
  const infe = (id: number, type: string) => full('infe', 2, u16(id), u16(0), Buffer.from(type, 'latin1'), Buffer.from([0]));
  const ftyp = box('ftyp', Buffer.from('heic', 'latin1'), u32(0), Buffer.from('mif1heic', 'latin1'));
  const build = (imageAt: number, exifAt: number) => full('meta', 0,
    full('hdlr', 0, u32(0), Buffer.from('pict', 'latin1'), Buffer.alloc(12), Buffer.from([0])),
    full('iinf', 0, u16(2), infe(1, 'hvc1'), infe(2, 'Exif')),
    full('iloc', 0, Buffer.from([0x44, 0x00]), u16(2),
      u16(1), u16(0), u16(1), u32(imageAt), u32(image.length),
      u16(2), u16(0), u16(1), u32(exifAt), u32(exif.length)));
  const metaLen = build(0, 0).length;
  const dataStart = ftyp.length + metaLen + 8;
  return Buffer.concat([ftyp, build(dataStart, dataStart + image.length), box('mdat', image, exif)]);
}

describe('HEIC that sharp cannot decode', () => {
  it('is kept only with its Exif item blanked in place; the picture bytes are untouched', async () => {
    const image = Buffer.from('HEVC-PICTURE-DATA-'.repeat(4));
    const exif = Buffer.concat([Buffer.from([0, 0, 0, 6]), Buffer.from('Exif\0\0MM\0*PhoneMaker GPS 34.75 113.65')]);
    const file = heif(exif, image);
    const out = await stripPhotoMetadata(file, 'heic');
    expect(out.ext).toBe('heic');
    expect(out.data.length).toBe(file.length);
    expect(out.data.includes(Buffer.from('PhoneMaker'))).toBe(false);
    expect(out.data.includes(image)).toBe(true);
  });

  it('is refused with a message when its layout is not understood', async () => {
    const odd = Buffer.concat([Buffer.from([0, 0, 0, 16]), Buffer.from('ftypheic', 'latin1'), Buffer.alloc(4), Buffer.from('PhoneMaker GPS')]);
    expect(blankHeifMetadata(odd)).toBeNull();
    await expect(stripPhotoMetadata(odd, 'heic')).rejects.toThrow('兼容性最佳');
  });
});
