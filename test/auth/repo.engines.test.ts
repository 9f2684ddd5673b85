import { createLoginFailureRepo, createSessionRepo, createUserRepo } from '../../src/auth/repo';
import { describeOnEngines } from '../helpers/engines';

describeOnEngines('accounts, sessions and login failures in the database', (current) => {
  const newUser = (username: string, role: 'admin' | 'staff' | 'grid_worker' = 'staff') =>
    ({ username, displayName: `名字${username}`, passwordHash: 'scrypt$x', role });

  test('an account with its grids, found by name and id, changed and counted', async () => {
    const { engine, exec } = current();
    await exec("INSERT INTO places (id, kind, parent_id, name) VALUES (1, 'community', NULL, '永安社区')");
    await exec("INSERT INTO places (id, kind, parent_id, name) VALUES (2, 'grid', 1, '第一网格'), (3, 'grid', 1, '第二网格')");
    const users = createUserRepo(engine.queries);
    const id = await engine.unitOfWork(async (tx) => {
      const inTx = createUserRepo(tx);
      const made = await inTx.create(newUser('lina', 'grid_worker'));
      await inTx.setGrids(made, [3, 2, 3]);
      return made;
    });
    expect(typeof id).toBe('number');
    expect(await users.gridIds(id)).toEqual([2, 3]);
    expect((await users.findByUsername('lina'))).toMatchObject({ user: { id, role: 'grid_worker', disabled: false }, passwordHash: 'scrypt$x' });
    expect(await users.findByUsername('nobody')).toBeUndefined();
    expect(await users.activeAdminCount()).toBe(0);
    const admin = await users.create(newUser('boss', 'admin'));
    expect(await users.activeAdminCount()).toBe(1);
    const boss = (await users.findById(admin))!;
    await users.update({ ...boss, disabled: true, canSeePersonalData: true });
    expect(await users.findById(admin)).toMatchObject({ disabled: true, canSeePersonalData: true });
    expect(await users.activeAdminCount()).toBe(0);
    await users.setPasswordHash(admin, 'scrypt$new');
    expect((await users.findByUsername('boss'))?.passwordHash).toBe('scrypt$new');
    expect((await users.list()).map((u) => u.username)).toEqual(['boss', 'lina']);
  });

  test('a unit of work that fails leaves no account behind', async () => {
    const { engine } = current();
    await expect(engine.unitOfWork(async (tx) => {
      await createUserRepo(tx).create(newUser('half'));
      throw new Error('refused');
    })).rejects.toThrow('refused');
    expect(await createUserRepo(engine.queries).findByUsername('half')).toBeUndefined();
  });

  test('sessions live until they expire, and end one by one or all but one', async () => {
    const { engine } = current();
    const userId = await createUserRepo(engine.queries).create(newUser('wang'));
    const sessions = createSessionRepo(engine.queries);
    await sessions.create('a', userId, 'csrf-a', 1000, 5000);
    await sessions.create('b', userId, 'csrf-b', 1000, 9000);
    await sessions.create('c', userId, 'csrf-c', 1000, 9000);
    expect(await sessions.findLive('a', 4999)).toEqual({ id_hash: 'a', user_id: userId, csrf_token: 'csrf-a', expires_at: 5000 });
    expect(await sessions.findLive('a', 5000)).toBeUndefined();
    expect(await sessions.purgeExpired(5000)).toBe(1);
    await sessions.removeOthersForUser(userId, 'b');
    expect(await sessions.findLive('c', 6000)).toBeUndefined();
    expect(await sessions.findLive('b', 6000)).toBeDefined();
    await sessions.remove('b');
    expect(await sessions.findLive('b', 6000)).toBeUndefined();
  });

  test('wrong passwords are counted in one statement each, and start again after the window', async () => {
    const { engine } = current();
    const failures = createLoginFailureRepo(engine.queries);
    await Promise.all([failures.add('li', 1000, 0), failures.add('li', 1001, 0), failures.add('li', 1002, 0)]);
    expect(await failures.get('li')).toEqual({ failures: 3, lastAt: 1002 });
    // The last failure is older than the window: counting starts again at 1.
    await failures.add('li', 90_000, 50_000);
    expect(await failures.get('li')).toEqual({ failures: 1, lastAt: 90_000 });
    await failures.delete('li');
    expect(await failures.get('li')).toBeUndefined();
  });
});
