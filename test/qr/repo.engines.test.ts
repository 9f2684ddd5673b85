import type { Engine } from '../../src/db/engine';
import { createQrRepo } from '../../src/qr/repo';
import { createScanCounter } from '../../src/qr/scan-counter';
import { seedEngineFixture } from '../helpers/engine-fixtures';
import { describeOnEngines } from '../helpers/engines';

describeOnEngines('QR codes in the database', (current) => {
  test('found by token and id, listed with their submissions, renamed', async () => {
    const { engine, exec } = current();
    const f = await seedEngineFixture(exec);
    const qrCodes = createQrRepo(engine.queries);
    expect(await qrCodes.findByToken('tok-永安社区 公告栏')).toMatchObject({
      id: f.qrs.yongan, campaignId: f.spring, label: '永安社区 公告栏', placeId: f.yongan, scanCount: 40,
    });
    expect(await qrCodes.findByToken('nope')).toBeUndefined();
    expect(await qrCodes.findById(f.qrs.office)).toMatchObject({ placeId: null, scanCount: 5 });
    expect((await qrCodes.listByCampaign(f.spring)).map((q) => q.id)).toEqual([f.qrs.yongan, f.qrs.qingfeng, f.qrs.office]);
    // s1, s2 and s5 came from 永安's poster, s4 from the office's.
    expect((await qrCodes.listWithCounts(f.spring)).map((q) => [q.id, q.submissions])).toEqual([
      [f.qrs.yongan, 3], [f.qrs.qingfeng, 0], [f.qrs.office, 1],
    ]);
    expect(await qrCodes.listWithCounts(f.winter)).toEqual([]);
    await qrCodes.rename(f.qrs.qingfeng, '庆丰社区 菜市场');
    expect((await qrCodes.findById(f.qrs.qingfeng))?.label).toBe('庆丰社区 菜市场');
  });

  test('one code, and codes for the places that have none yet, in a unit of work', async () => {
    const { engine, exec } = current();
    const f = await seedEngineFixture(exec);
    const qrCodes = createQrRepo(engine.queries);
    const id = await qrCodes.create(f.winter, 'AAAAAAAAAAAA', '永安社区 3号楼', f.yongan);
    expect(await qrCodes.findById(id)).toMatchObject({ campaignId: f.winter, token: 'AAAAAAAAAAAA', scanCount: 0 });
    expect(await qrCodes.hasCodeForPlace(f.winter, f.yongan)).toBe(true);
    expect(await qrCodes.hasCodeForPlace(f.winter, f.qingfeng)).toBe(false);

    const ids = await engine.unitOfWork((tx) => createQrRepo(tx).createForFreePlaces(f.winter, [
      { token: 'BBBBBBBBBBBB', label: '永安社区', placeId: f.yongan }, // taken
      { token: 'CCCCCCCCCCCC', label: '庆丰社区', placeId: f.qingfeng },
      { token: 'DDDDDDDDDDDD', label: '第一网格', placeId: f.grid },
      { token: 'EEEEEEEEEEEE', label: '街道办', placeId: null }, // campaign-wide codes are never "taken"
    ]));
    expect(ids).toHaveLength(3);
    expect((await qrCodes.listByCampaign(f.winter)).map((q) => q.token)).toEqual(['AAAAAAAAAAAA', 'CCCCCCCCCCCC', 'DDDDDDDDDDDD', 'EEEEEEEEEEEE']);
    // A second click creates nothing.
    expect(await engine.unitOfWork((tx) => createQrRepo(tx).createForFreePlaces(f.winter, [
      { token: 'FFFFFFFFFFFF', label: '庆丰社区', placeId: f.qingfeng },
    ]))).toEqual([]);
  });

  test('scan counts of many codes at once, over several statements', async () => {
    const { engine, exec } = current();
    const f = await seedEngineFixture(exec);
    // Ids with no row around the fixture's codes: 永安's lands in the third statement of 500, the others in the fourth.
    const counts = new Map(Array.from({ length: 1200 }, (_, i) => [900_000 + i, 1]));
    counts.set(f.qrs.yongan, 2);
    for (let i = 0; i < 700; i++) counts.set(900_000 + 1200 + i, 1);
    counts.set(f.qrs.qingfeng, 7);
    counts.set(f.qrs.office, 1);
    await engine.unitOfWork((tx) => createQrRepo(tx).addScans(counts));
    expect((await createQrRepo(engine.queries).listByCampaign(f.spring)).map((q) => q.scanCount)).toEqual([42, 7, 6]);
  });

  test('the scan counter writes its buffered counts, keeps them through a failed flush, and writes the rest on stop', async () => {
    const { engine, exec } = current();
    const f = await seedEngineFixture(exec);
    let failNext = false;
    const flaky: Pick<Engine, 'unitOfWork'> = {
      unitOfWork: (work, opts) => {
        if (failNext) { failNext = false; return Promise.reject(Object.assign(new Error('database is locked'), { code: 'SQLITE_BUSY' })); }
        return engine.unitOfWork(work, opts);
      },
    };
    const errors: unknown[] = [];
    const counter = createScanCounter(flaky, 60_000, (err) => errors.push(err));
    const scans = async (id: number) => (await createQrRepo(engine.queries).findById(id))!.scanCount;
    for (let i = 0; i < 3; i++) counter.record(f.qrs.qingfeng);
    counter.record(f.qrs.office);
    expect(counter.pendingFor(f.qrs.qingfeng)).toBe(3);
    await counter.flush();
    expect([await scans(f.qrs.qingfeng), await scans(f.qrs.office), counter.pendingFor(f.qrs.qingfeng)]).toEqual([3, 6, 0]);

    counter.record(f.qrs.qingfeng);
    failNext = true;
    const failing = counter.flush();
    counter.record(f.qrs.qingfeng); // while the flush is under way
    await expect(failing).rejects.toThrow('database is locked');
    expect([await scans(f.qrs.qingfeng), counter.pendingFor(f.qrs.qingfeng)]).toEqual([3, 2]);

    counter.record(f.qrs.yongan);
    await counter.stop();
    expect([await scans(f.qrs.qingfeng), await scans(f.qrs.yongan), counter.pendingFor(f.qrs.qingfeng)]).toEqual([5, 41, 0]);
    expect(errors).toEqual([]);
  });

  test('a failed flush on stop is logged and its counts kept', async () => {
    const { engine, exec } = current();
    const f = await seedEngineFixture(exec);
    const broken: Pick<Engine, 'unitOfWork'> = { unitOfWork: () => Promise.reject(new Error('gone')) };
    const errors: unknown[] = [];
    const counter = createScanCounter(broken, 60_000, (err) => errors.push(err));
    counter.record(f.qrs.office);
    await counter.stop();
    expect(errors).toEqual([new Error('gone')]);
    expect(counter.pendingFor(f.qrs.office)).toBe(1);
    expect((await createQrRepo(engine.queries).findById(f.qrs.office))!.scanCount).toBe(5);
  });
});
