import { createCampaignRepo, type CampaignInput } from '../../src/campaigns/repo';
import { seedEngineFixture } from '../helpers/engine-fixtures';
import { describeOnEngines } from '../helpers/engines';

describeOnEngines('campaigns in the database', (current) => {
  test('the list with covered communities and counts, and one campaign\'s figures, from the fixture', async () => {
    const { engine, exec } = current();
    const f = await seedEngineFixture(exec);
    const campaigns = createCampaignRepo(engine.queries);
    const summaries = await campaigns.listSummaries();
    expect(summaries.map((c) => c.id)).toEqual([f.winter, f.spring]);
    const [winter, spring] = summaries;
    expect({ ...spring, communityIds: [...spring.communityIds].sort((a, b) => a - b) }).toMatchObject({
      title: '春季民生征求意见', status: 'open', startsOn: '2026-03-01', publicBoard: true, subdistrictId: f.subdistrict,
      communityIds: [f.yongan, f.qingfeng].sort((a, b) => a - b), qrCount: 3, submissionCount: 5,
    });
    expect(winter).toMatchObject({ publicBoard: false, communityIds: [], qrCount: 0, submissionCount: 0 });
    // s1, s2, s4, s5 online; s3 door to door. Scans: 40 + 0 + 5.
    expect(await campaigns.figures(f.spring)).toEqual({ qrCodes: 3, scans: 45, online: 4, offline: 1 });
    expect(await campaigns.figures(f.winter)).toEqual({ qrCodes: 0, scans: 0, online: 0, offline: 0 });
    expect((await campaigns.qrCodeIds(f.spring)).sort((a, b) => a - b)).toEqual(Object.values(f.qrs).sort((a, b) => a - b));
    expect((await campaigns.list()).map((c) => c.title)).toEqual(['冬季走访', '春季民生征求意见']);
    expect(await campaigns.findById(424242)).toBeUndefined();
  });

  test('created and rewritten in a unit of work with communities, categories and contacts', async () => {
    const { engine, exec } = current();
    const f = await seedEngineFixture(exec);
    const input: CampaignInput = {
      subdistrictId: f.subdistrict, title: '夏季走访', description: '说说身边的事', startsOn: '2026-06-01', endsOn: '2026-08-31',
      askPhoto: false, askContact: true, communityIds: [f.yongan, f.qingfeng, f.yongan], categoryIds: [f.cats.repairs, f.cats.environment],
      organizerName: '建中街街道办事处', organizerPhone: '0371-66880000',
      communityContacts: [
        { communityId: f.yongan, name: '王主任', phone: '' },
        { communityId: f.yongan, name: '李主任', phone: '13812345678' }, // the last one given wins
        { communityId: f.grid, name: '不在覆盖范围', phone: '12345' }, // not a covered community: dropped
      ],
    };
    const id = await engine.unitOfWork((tx) => createCampaignRepo(tx).create(input, null));
    const campaigns = createCampaignRepo(engine.queries);
    expect(await campaigns.findById(id)).toMatchObject({
      id, title: '夏季走访', status: 'draft', askPhoto: false, askContact: true, publicBoard: true,
      organizerName: '建中街街道办事处', organizerPhone: '0371-66880000', createdBy: null,
    });
    expect(await campaigns.communityIds(id)).toEqual([f.yongan, f.qingfeng].sort((a, b) => a - b));
    const categoryNames = (await exec('SELECT name FROM categories WHERE id IN (?, ?) ORDER BY sort_order, id', [f.cats.repairs, f.cats.environment]))
      .map((r) => r.name);
    expect((await campaigns.categories(id)).map((c) => c.name)).toEqual(categoryNames);
    expect(await campaigns.communityContacts(id)).toEqual([{ communityId: f.yongan, name: '李主任', phone: '13812345678' }]);
    const campaign = (await campaigns.findById(id))!;
    expect(await campaigns.organizerFor(campaign, f.yongan)).toEqual({ name: '李主任', phone: '13812345678' });
    expect(await campaigns.organizerFor(campaign, f.qingfeng)).toEqual({ name: '建中街街道办事处', phone: '0371-66880000' });
    expect(await campaigns.organizerFor(campaign, null)).toEqual({ name: '建中街街道办事处', phone: '0371-66880000' });

    await engine.unitOfWork((tx) => createCampaignRepo(tx).update(id, {
      ...input, title: '夏季走访（延长）', publicBoard: false, communityIds: [f.qingfeng], categoryIds: [f.cats.repairs],
      communityContacts: [{ communityId: f.yongan, name: '李主任', phone: '13812345678' }, { communityId: f.qingfeng, name: '', phone: '0371-1234567' }],
    }));
    expect(await campaigns.findById(id)).toMatchObject({ title: '夏季走访（延长）', publicBoard: false });
    expect(await campaigns.communityIds(id)).toEqual([f.qingfeng]);
    expect((await campaigns.categories(id)).map((c) => c.id)).toEqual([f.cats.repairs]);
    expect(await campaigns.communityContacts(id)).toEqual([{ communityId: f.qingfeng, name: '', phone: '0371-1234567' }]);
    expect(await campaigns.organizerFor(campaign, f.qingfeng)).toEqual({ name: '建中街街道办事处', phone: '0371-1234567' });

    await campaigns.setStatus(id, 'open');
    expect((await campaigns.findById(id))?.status).toBe('open');
  });

  test('a unit of work that fails leaves no campaign and no links behind', async () => {
    const { engine, exec } = current();
    const f = await seedEngineFixture(exec);
    await expect(engine.unitOfWork(async (tx) => {
      await createCampaignRepo(tx).create({
        subdistrictId: f.subdistrict, title: '半途而废', description: '', startsOn: '2026-06-01', endsOn: '2026-06-30',
        askPhoto: true, askContact: true, communityIds: [f.yongan], categoryIds: [f.cats.repairs],
      }, null);
      throw new Error('refused');
    })).rejects.toThrow('refused');
    expect((await createCampaignRepo(engine.queries).list()).map((c) => c.title)).not.toContain('半途而废');
    expect(await exec('SELECT COUNT(*) AS n FROM campaign_communities')).toEqual([{ n: 2 }]);
  });
});
