import { makeTestApp, loginAs, type TestApp, type Agent } from '../helpers/app';
import { ensurePlace, makeCampaign, type MadeCampaign } from '../helpers/factories';
import { makeSubmission } from '../helpers/issues-factories';
import { matchQuery, searchTokens } from '../../src/db/search-tokens';
import { formatReceiptCode } from '../../src/lib/receipt-code';

describe('search tokens', () => {
  it('indexes Chinese as bigrams so two-character words are found, and letters and digits as words', () => {
    expect(searchTokens('2号楼电梯坏了')).toBe('2 号楼 楼电 电梯 梯坏 坏了');
    expect(searchTokens('ＡＢＣ 灯')).toBe('abc 灯');
    expect(matchQuery('电梯')).toBe('"电梯"');
    expect(matchQuery('2号楼电梯 坏了')).toBe('"2 号楼 楼电 电梯" AND "坏了"');
    expect(matchQuery('灯')).toBeNull();
    expect(matchQuery('"*)(')).toBeNull();
  });
});

describe('GET /search', () => {
  let t: TestApp;
  let c: MadeCampaign;
  let b: number;
  let admin: Agent;
  const find = async (agent: Agent, q: string) => {
    const res = await agent.get(`/search?q=${encodeURIComponent(q)}`);
    expect(res.status).toBe(200);
    return res.text;
  };

  beforeEach(async () => {
    t = makeTestApp();
    c = makeCampaign(t.db);
    b = ensurePlace(t.db, 'community', c.subdistrictId, '庆丰社区');
    t.db.prepare('INSERT INTO campaign_communities (campaign_id, community_id) VALUES (?, ?)').run(c.campaignId, b);
    admin = await loginAs(t, 'admin');
  });

  it('finds a receipt code in any case, with or without the dash, full-width or half-width, shown as XXXX-XXXX', async () => {
    const s = makeSubmission(t.db, c, { text: '3号楼电梯坏了' });
    const code = s.receiptCode;
    const fullWidth = Array.from(code.toLowerCase()).map((ch) => String.fromCharCode(ch.charCodeAt(0) + 0xfee0)).join('');
    for (const q of [code, code.toLowerCase(), formatReceiptCode(code), ` ${code.slice(0, 4)} ${code.slice(4)} `, fullWidth]) {
      const html = await find(admin, q);
      expect([q, html.includes(`href="/submissions/${s.id}"`)]).toEqual([q, true]);
      expect(html).toContain(formatReceiptCode(code));
    }
  });

  it('finds words, two-character ones included, in suggestions, issue titles and replies', async () => {
    const lift = makeSubmission(t.db, c, { text: '三号楼的电梯又坏了' });
    const other = makeSubmission(t.db, c, { text: '楼下垃圾没人清运' });
    t.db.prepare("INSERT INTO issues (campaign_id, title, community_id, reply) VALUES (?, '楼道照明改造', ?, '已更换感应灯')").run(c.campaignId, c.communityId);
    const html = await find(admin, '电梯');
    expect(html).toContain(`/submissions/${lift.id}`);
    expect(html).not.toContain(`/submissions/${other.id}`);
    expect(await find(admin, '照明')).toContain('楼道照明改造');
    expect(await find(admin, '感应灯')).toContain('楼道照明改造');
    expect(await find(admin, '电梯 垃圾')).not.toContain('/submissions/');
    expect(await find(admin, '灯')).toContain('请至少输入两个字');
  });

  it('finds a phone number for everyone who may search, masked for roles without personal data', async () => {
    const s = makeSubmission(t.db, c, { text: '路灯坏了', residentPhone: '13912345678' });
    expect(await find(admin, '139 1234 5678')).toContain('13912345678');
    const masked = await loginAs(t, 'staff', { scopePlaceId: c.subdistrictId });
    const html = await find(masked, '+86 13912345678');
    // The results (not the search box, which shows what they typed) carry the number masked.
    const results = html.slice(html.indexOf('<h2>意见</h2>'));
    expect(results).toContain(`/submissions/${s.id}`);
    expect(results).toContain('139****5678');
    expect(results).not.toContain('13912345678');
  });

  it('keeps results within the user’s reach: community A’s staff never see B’s suggestions or issues', async () => {
    const mine = makeSubmission(t.db, c, { text: '2号楼电梯坏了', residentPhone: '13700000001' });
    const theirs = makeSubmission(t.db, c, { text: '2号楼电梯坏了', residentPhone: '13700000002', communityId: b, gridId: null, compoundId: null });
    t.db.prepare("INSERT INTO issues (campaign_id, title, community_id) VALUES (?, '庆丰电梯维修', ?)").run(c.campaignId, b);
    const a = await loginAs(t, 'staff', { scopePlaceId: c.communityId });
    const html = await find(a, '电梯');
    expect(html).toContain(`/submissions/${mine.id}`);
    expect(html).not.toContain(`/submissions/${theirs.id}`);
    expect(html).not.toContain('庆丰电梯维修');
    expect(await find(a, theirs.receiptCode)).not.toContain(`/submissions/${theirs.id}`);
    expect(await find(a, '13700000002')).not.toContain(`/submissions/${theirs.id}`);
    // A grid worker finds only their grids'.
    const worker = await loginAs(t, 'grid_worker', { gridIds: [c.gridId] });
    expect(await find(worker, '电梯')).toContain(`/submissions/${mine.id}`);
    const elsewhere = await loginAs(t, 'grid_worker', { gridIds: [ensurePlace(t.db, 'grid', c.communityId, '第九网格')] });
    expect(await find(elsewhere, '电梯')).not.toContain('/submissions/');
    // Claimers have no search.
    const claimer = await loginAs(t, 'claimer');
    expect((await claimer.get('/search?q=电梯')).status).toBe(403);
  });

  it('puts the search box on every staff page and answers odd input plainly', async () => {
    expect((await admin.get('/campaigns')).text).toContain('action="/search"');
    for (const q of ['', '"', 'x'.repeat(500), '%', 'a OR b', 'NEAR(电梯 坏了)']) {
      const res = await admin.get(`/search?q=${encodeURIComponent(q)}`);
      expect([q.slice(0, 10), res.status]).toEqual([q.slice(0, 10), 200]);
    }
    expect((await admin.get('/search?q=a&q=b')).status).toBe(200);
  });
});
