import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loginAs, makeTestApp, viewerOf } from '../helpers/app';
import { makeCampaign } from '../helpers/factories';
import { issueServices, makeSubmission } from '../helpers/issues-factories';
import { concretePath, routeTable } from '../helpers/route-table';
import { tinyPng } from '../submissions/photos';

// Logins (scrypt), page crawls and image encoding: slow on a loaded 2-core machine.
jest.setTimeout(180_000);

/** Routes that are not for a logged-in user, or that are no page or download of data. */
const EXEMPT = new Set([
  '/healthz', '/readyz', '/login', '/q/:token', '/r', '/r/:code',
  // The offline entry page's service worker script (our own code, no data): revalidated on every load instead.
  '/intake/sw.js',
  // The site icon: the same public picture for everyone, no data.
  '/favicon.ico',
]);

describe('Cache-Control: no-store', () => {
  it('on every authenticated page and every download (photos, exports, posters, QR codes, templates)', async () => {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'linsheng-nostore-'));
    try {
      const t = makeTestApp({ dataDir });
      const c = makeCampaign(t.db);
      const admin = await loginAs(t, 'admin');
      const { issueService } = issueServices(t.db);
      const issueId = await issueService.create((await viewerOf(t, admin.userId)), c.campaignId, [makeSubmission(t.db, c).id], { title: '路灯', categoryId: null, priority: 2 });
      const photo = 'abababababababababababab.png';
      fs.mkdirSync(path.join(dataDir, 'uploads'), { recursive: true });
      fs.writeFileSync(path.join(dataDir, 'uploads', photo), tinyPng());
      const subId = makeSubmission(t.db, c).id;
      t.db.prepare('UPDATE submissions SET photo_file = ? WHERE id = ?').run(photo, subId);

      const idFor = (p: string) => (p.startsWith('/issues') ? String(issueId) : p.startsWith('/submissions') ? String(subId)
        : p.startsWith('/qr') ? String(c.qrCodeId) : p.startsWith('/places') ? String(c.communityId)
        : p.startsWith('/subdistricts') ? String(c.subdistrictId) : p.startsWith('/admin/users') ? String(admin.userId) : String(c.campaignId));
      const missing: string[] = [];
      let downloads = 0;
      for (const r of routeTable(t.app)) {
        if (r.method !== 'GET' || EXEMPT.has(r.path)) continue;
        const url = concretePath(r.path, { id: idFor(r.path), name: photo });
        const res = await admin.get(url).redirects(0);
        if (res.headers['cache-control'] !== 'no-store') missing.push(`${r.path} → ${res.status} ${res.headers['cache-control']}`);
        if (res.status === 200 && /attachment|image|csv|spreadsheet/.test(`${res.headers['content-disposition']} ${res.headers['content-type']}`)) downloads++;
      }
      expect(missing).toEqual([]);
      // Photo, CSV and xlsx exports of submissions and issues, QR SVG, import templates.
      expect(downloads).toBeGreaterThanOrEqual(8);
    } finally {
      fs.rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
