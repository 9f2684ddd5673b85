import { openDb } from '../../src/db/open-db';
import { createSubmissionRepo } from '../../src/submissions/repo';
import { createSubmissionService } from '../../src/submissions/service';
import type { NewSubmission } from '../../src/submissions/types';
import { makeCampaign } from '../helpers/factories';

describe('group commit of resident submissions', () => {
  const setup = () => {
    const db = openDb({ file: ':memory:' });
    const seeded = makeCampaign(db);
    const service = createSubmissionService({ repo: createSubmissionRepo(db), db });
    const input = (key: string, text = '楼道灯坏了'): NewSubmission =>
      ({ campaignId: seeded.campaignId, qrCodeId: seeded.qrCodeId, idempotencyKey: key, kind: 'suggestion', text });
    return { db, service, input };
  };

  it('commits submissions that arrive together in one transaction, each with its own receipt', async () => {
    const { db, service, input } = setup();
    const transactions = jest.spyOn(db, 'transaction');
    const results = await Promise.all(Array.from({ length: 50 }, (_, i) => service.recordDurably(input('k' + i))));
    expect(new Set(results.map((r) => r.submission.receiptCode)).size).toBe(50);
    expect(results.every((r) => r.created)).toBe(true);
    expect(db.prepare('SELECT COUNT(*) FROM submissions').pluck().get()).toBe(50);
    expect(transactions).toHaveBeenCalledTimes(1);
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
});
