import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { walSyncer } from '../../src/db/busy';
import { dbFile, openDb } from '../../src/db/open-db';
import { sqliteEngine } from '../../src/db/engine';
import { createSubmissionService } from '../../src/submissions/service';
import type { NewSubmission } from '../../src/submissions/types';
import { makeCampaign } from '../helpers/factories';

describe('group commit of resident submissions', () => {
  const setup = () => {
    const db = openDb({ file: ':memory:' });
    const seeded = makeCampaign(db);
    const service = createSubmissionService({ engine: sqliteEngine(db) });
    const input = (key: string, text = '楼道灯坏了'): NewSubmission =>
      ({ campaignId: seeded.campaignId, qrCodeId: seeded.qrCodeId, idempotencyKey: key, kind: 'suggestion', text });
    return { db, service, input };
  };

  it('commits submissions that arrive together in one transaction, each with its own receipt', async () => {
    const { db, service, input } = setup();
    const statements = jest.spyOn(db, 'exec');
    const results = await Promise.all(Array.from({ length: 50 }, (_, i) => service.recordDurably(input('k' + i))));
    expect(new Set(results.map((r) => r.submission.receiptCode)).size).toBe(50);
    expect(results.every((r) => r.created)).toBe(true);
    expect(db.prepare('SELECT COUNT(*) FROM submissions').pluck().get()).toBe(50);
    expect(statements.mock.calls.filter(([text]) => /^COMMIT/i.test(text))).toHaveLength(1);
  });

  it('gives a double tap inside one batch a single record and the same receipt', async () => {
    const { db, service, input } = setup();
    const [a, b] = await Promise.all([service.recordDurably(input('same')), service.recordDurably(input('same'))]);
    expect(a.submission.receiptCode).toBe(b.submission.receiptCode);
    expect([a.created, b.created].sort()).toEqual([false, true]);
    expect(db.prepare('SELECT COUNT(*) FROM submissions').pluck().get()).toBe(1);
  });

  it('does not let one failing row fail the others in its batch', async () => {
    const { db, service, input } = setup();
    const bad = { ...input('bad'), campaignId: 999_999 }; // violates the campaign foreign key
    const settled = await Promise.allSettled([
      service.recordDurably(input('ok1')), service.recordDurably(bad), service.recordDurably(input('ok2')),
    ]);
    expect(settled.map((s) => s.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    expect(db.prepare('SELECT idempotency_key FROM submissions ORDER BY id').pluck().all()).toEqual(['ok1', 'ok2']);
  });

  describe('on a database file at FULL: the WAL synced off the event loop', () => {
    let dir: string;
    beforeEach(() => { dir = fs.mkdtempSync(path.join(os.tmpdir(), 'linsheng-gc-')); });
    afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));
    const fileSetup = (syncWal: () => Promise<void>) => {
      const db = openDb({ file: dbFile(dir) });
      const seeded = makeCampaign(db);
      const service = createSubmissionService({ engine: sqliteEngine(db, { syncWal }) });
      const input = (key: string): NewSubmission =>
        ({ campaignId: seeded.campaignId, qrCodeId: seeded.qrCodeId, idempotencyKey: key, kind: 'suggestion', text: '楼道灯坏了' });
      return { db, service, input };
    };

    it('answers only after the WAL is synced, and the connection stays at FULL for other writes', async () => {
      const real = walSyncer(openDb({ file: dbFile(dir) }))!;
      expect(real).not.toBeNull();
      let release!: () => void;
      const syncs: string[] = [];
      const { db, service, input } = fileSetup(async () => {
        syncs.push('started');
        await new Promise<void>((r) => { release = r; });
        await real();
        syncs.push('done');
      });
      let answered = false;
      const pending = service.recordDurably(input('a')).then((r) => { answered = true; return r; });
      while (syncs.length === 0) await new Promise((r) => setImmediate(r));
      // Committed (another connection sees the row), not yet answered: the sync is still running.
      expect(openDb({ file: dbFile(dir), migrate: false }).prepare('SELECT COUNT(*) FROM submissions').pluck().get()).toBe(1);
      expect(answered).toBe(false);
      expect(db.pragma('synchronous', { simple: true })).toBe(2);
      // A retry that reads the row back (a photo form) is held until the same sync is done.
      let durable = false;
      const held = service.whenDurable().then(() => { durable = true; });
      await new Promise((r) => setTimeout(r, 20));
      expect(durable).toBe(false);
      release();
      expect((await pending).created).toBe(true);
      await held;
      expect(durable).toBe(true);
      await service.whenDurable(); // nothing pending: at once
      expect(syncs).toEqual(['started', 'done']);
      db.close();
    });

    it('a sync the disk fails fails the batch with the disk\'s error; the retry finds the row', async () => {
      let fail = true;
      const { db, service, input } = fileSetup(async () => { if (fail) throw Object.assign(new Error('i/o error'), { code: 'EIO' }); });
      await expect(service.recordDurably(input('x'))).rejects.toMatchObject({ code: 'EIO', committed: true });
      fail = false;
      const again = await service.recordDurably(input('x'));
      expect(again.created).toBe(false);
      expect(db.prepare('SELECT COUNT(*) FROM submissions').pluck().get()).toBe(1);
      db.close();
    });

    it('walSyncer has nothing to do in memory or at NORMAL', () => {
      expect(walSyncer(openDb({ file: ':memory:' }))).toBeNull();
      const normal = openDb({ file: dbFile(dir), synchronous: 'NORMAL' });
      expect(walSyncer(normal)).toBeNull();
      normal.close();
    });
  });
});
