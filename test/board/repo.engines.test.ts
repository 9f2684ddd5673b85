import { createBoardRepo } from '../../src/board/repo';
import { describeOnEngines } from '../helpers/engines';
import { FIXTURE_OWNER_KEY, seedEngineFixture, type EngineFixture } from '../helpers/engine-fixtures';

describeOnEngines('the public board in the database', (current) => {
  let f: EngineFixture;
  let repo: ReturnType<typeof createBoardRepo>;
  beforeEach(async () => {
    f = await seedEngineFixture(current().exec);
    repo = createBoardRepo(current().engine.queries);
  });

  test('lists a community\'s published issues, open ones first, with residents, supports and claimers', async () => {
    expect(await repo.board(f.yongan)).toEqual([
      { id: f.issues.liftAgain, community_id: f.yongan, title: '3号楼电梯经常坏', status: 'accepted', reply: null, resolved_at: null,
        category_name: null, residents: 2, supporters: 2, claimers: null },
      { id: f.issues.lift, community_id: f.yongan, title: '电梯维修', status: 'resolved', reply: null, resolved_at: '2026-03-10T02:00:00.000Z',
        category_name: null, residents: 1, supporters: 0, claimers: '在职党员' },
    ]);
    // A new issue is not published yet; the winter campaign shows no board.
    expect(await repo.board(f.qingfeng)).toEqual([]);
    expect(await repo.publicIssue(f.issues.winter)).toBeUndefined();
    expect(await repo.publicIssue(f.issues.parking)).toBeUndefined();
    expect(await repo.publicIssue(f.issues.lift)).toMatchObject({ id: f.issues.lift, claimers: '在职党员' });
  });

  test('counts a support once per phone and issue', async () => {
    expect(await repo.addSupport(f.issues.liftAgain, 'neighbour-3')).toBe(true);
    expect(await repo.addSupport(f.issues.liftAgain, 'neighbour-3')).toBe(false);
    expect((await repo.publicIssue(f.issues.liftAgain))?.supporters).toBe(3);
    expect(await repo.supportedBy('neighbour-3')).toEqual(new Set([f.issues.liftAgain]));
    expect(await repo.supportedBy('nobody')).toEqual(new Set());
    expect(await repo.owns(f.issues.liftAgain, FIXTURE_OWNER_KEY)).toBe(true);
    expect(await repo.owns(f.issues.lift, FIXTURE_OWNER_KEY)).toBe(false);
  });

  test('gives the open public issues with their first texts for matching', async () => {
    expect(await repo.openWithTexts(f.yongan)).toEqual([
      { id: f.issues.liftAgain, texts: ['3号楼电梯经常坏', '3号楼电梯坏了，困过人', '希望增加快递柜，电梯口太挤'] },
    ]);
    expect(await repo.openWithTexts(f.yongan, 1)).toEqual([{ id: f.issues.liftAgain, texts: ['3号楼电梯经常坏', '3号楼电梯坏了，困过人'] }]);
    expect(await repo.openWithTexts(f.qingfeng)).toEqual([]);
  });
});
