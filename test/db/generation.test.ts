import { sqliteEngine } from '../../src/db/engine';
import { watchGeneration } from '../../src/db/generation';
import { openDb } from '../../src/db/open-db';
import { createCampaignRepo } from '../../src/campaigns/repo';
import { createQrRepo } from '../../src/qr/repo';
import { makeCampaign } from '../helpers/factories';

/**
 * Other app servers hear of a change by the generation's bump (PostgreSQL: a NOTIFY), and read again then. A single
 * write outside a unit of work commits when it returns, so it must bump after it too: a server that read again at
 * the first bump could otherwise keep the old row.
 */
describe('the generation around a write', () => {
  it('moves before and after a QR rename and a campaign status change, and the second time the new row is there', async () => {
    const db = openDb({ file: ':memory:' });
    const c = makeCampaign(db);
    const engine = sqliteEngine(db);
    const seen: string[] = [];
    // What another server reading at each bump would find.
    watchGeneration(engine.queries, () => {
      const row = db.prepare('SELECT q.label, c.status FROM qr_codes q JOIN campaigns c ON c.id = q.campaign_id WHERE q.id = ?').get(c.qrCodeId) as { label: string; status: string };
      seen.push(`${row.label}/${row.status}`);
    });
    const before = seen.length;
    await createQrRepo(engine.queries).rename(c.qrCodeId, '新标签');
    await createCampaignRepo(engine.queries).setStatus(c.campaignId, 'closed');
    const label = db.prepare('SELECT label FROM qr_codes WHERE id = ?').pluck().get(c.qrCodeId) as string;
    expect(label).toBe('新标签');
    expect(seen.slice(before)).toEqual([
      expect.not.stringMatching(/^新标签/), '新标签/open',
      '新标签/open', '新标签/closed',
    ]);
    db.close();
  });
});
