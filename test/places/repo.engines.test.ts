import { createCategoryRepo } from '../../src/categories/repo';
import { createPlaceRepo } from '../../src/places/repo';
import { describeOnEngines } from '../helpers/engines';

describeOnEngines('the place tree in the database', (current) => {
  test('places are created, found, listed by parent and kind, and their communities found under any level', async () => {
    const { engine } = current();
    const places = createPlaceRepo(engine.queries);
    const district = await places.create('district', null, '二七区');
    const jz = await places.create('subdistrict', district, '建中街街道');
    const hh = await places.create('subdistrict', district, '淮河路街道');
    const yongan = await places.create('community', jz, '永安社区');
    const qingfeng = await places.create('community', jz, '庆丰社区');
    const xingfu = await places.create('community', hh, '幸福社区');
    const grid = await places.create('grid', yongan, '第一网格');
    const compound = await places.create('compound', yongan, '铁路家属院', true);

    expect(await places.findById(compound)).toEqual({ id: compound, kind: 'compound', parentId: yongan, name: '铁路家属院', noPropertyCompany: true });
    expect(await places.findById(424242)).toBeUndefined();
    expect((await places.children(yongan)).map((p) => p.id)).toEqual([compound, grid]); // ORDER BY kind, id
    expect((await places.ofKind('community')).map((p) => p.id)).toEqual([yongan, qingfeng, xingfu]);
    expect((await places.findByName('subdistrict', '淮河路街道'))?.id).toBe(hh);
    expect((await places.findChild(yongan, 'grid', '第一网格'))?.id).toBe(grid);
    expect(await places.findChild(qingfeng, 'grid', '第一网格')).toBeUndefined();

    expect(await places.communityIdsUnder(district)).toEqual([yongan, qingfeng, xingfu]);
    expect(await places.communityIdsUnder(jz)).toEqual([yongan, qingfeng]);
    expect(await places.communityIdsUnder(yongan)).toEqual([yongan]);
    expect(await places.communityIdsUnder(grid)).toEqual([]);

    expect(await places.usage(yongan)).toEqual({ children: 2, campaigns: 0, qrCodes: 0, submissions: 0, users: 0 });
    await places.update(compound, '铁路家属院（北）', false);
    expect(await places.findById(compound)).toMatchObject({ name: '铁路家属院（北）', noPropertyCompany: false });
    await places.remove(compound);
    expect(await places.findById(compound)).toBeUndefined();
    expect((await places.list()).length).toBe(7);
  });

  test('many children are added in one unit of work, or none when it fails', async () => {
    const { engine } = current();
    const places = createPlaceRepo(engine.queries);
    const community = await places.create('community', null, '永安社区');
    const ids = await engine.unitOfWork((tx) => createPlaceRepo(tx).createMany('grid', community, ['第一网格', '第二网格']));
    expect((await places.children(community)).map((p) => p.id)).toEqual(ids);
    await expect(engine.unitOfWork(async (tx) => {
      await createPlaceRepo(tx).createMany('compound', community, ['甲院', '乙院']);
      throw new Error('refused');
    })).rejects.toThrow('refused');
    expect(await places.children(community)).toHaveLength(2);
  });
});

describeOnEngines('categories in the database', (current) => {
  test('a category is added at the end, renamed, moved, deactivated and counted', async () => {
    const { engine } = current();
    const categories = createCategoryRepo(engine.queries);
    const before = await categories.list();
    const id = await categories.create('新分类');
    const made = (await categories.findById(id))!;
    expect(made).toMatchObject({ name: '新分类', active: true, sortOrder: before[before.length - 1].sortOrder + 10 });
    await categories.rename(id, '改名');
    expect((await categories.findByName('改名'))?.id).toBe(id);
    const order = [id, ...before.map((c) => c.id)];
    await engine.unitOfWork((tx) => createCategoryRepo(tx).reorder(order));
    expect((await categories.list()).map((c) => c.id)).toEqual(order);
    await categories.setActive(id, false);
    expect((await categories.listActive()).map((c) => c.id)).not.toContain(id);
    expect(await categories.usage(id)).toEqual({ submissions: 0, campaigns: 0 });
    expect((await categories.usageById()).get(id)).toEqual({ submissions: 0, campaigns: 0 });
    await categories.remove(id);
    expect(await categories.findById(id)).toBeUndefined();
  });
});
