import { generatePassword, hashPassword } from '../../auth/password';
import { passwordProblem } from '../../lib/password-policy';
import { createUserRepo } from '../../auth/repo';
import { ROLES, ROLE_LABELS, type Role } from '../../auth/roles';
import { createPlaceRepo, type Place } from '../../places/repo';
import { UsageError, type Command } from '../args';
import { openCliDatabase } from '../cli-db';

const USAGE = 'npx linsheng create-user --username NAME --role admin|staff|grid_worker|claimer [--display-name 姓名] '
  + '[--password P] [--scope <街道/社区 名称或编号>] [--grids <网格,…>] [--claimer-kind member|unit] [--personal-data]';

/** A sub-district or community, by id or by name. */
async function resolveScope(places: ReturnType<typeof createPlaceRepo>, value: string): Promise<Place> {
  const byId = /^\d+$/.test(value) ? (await places.findById(Number(value))) : undefined;
  const place = byId ?? (await places.findByName('community', value)) ?? (await places.findByName('subdistrict', value));
  if (!place || (place.kind !== 'community' && place.kind !== 'subdistrict')) {
    throw new UsageError(`找不到街道或社区「${value}」。 No sub-district or community named or numbered "${value}".`);
  }
  return place;
}

/**
 * Grids by id, by "社区/网格" or by name; a bare name like 第一网格 exists in every community, so it is looked
 * up inside --scope when that is a community, and must otherwise be unique.
 */
async function resolveGrids(places: ReturnType<typeof createPlaceRepo>, list: string, scope: Place | null): Promise<number[]> {
  const grids = await places.ofKind('grid');
  const ids: number[] = [];
  for (const item of list.split(/[,，]/).map((s) => s.trim()).filter(Boolean)) ids.push(await resolveGrid(places, grids, item, scope));
  return ids;
}

async function resolveGrid(places: ReturnType<typeof createPlaceRepo>, grids: Place[], item: string, scope: Place | null): Promise<number> {
  if (/^\d+$/.test(item)) {
    const g = await places.findById(Number(item));
    if (g?.kind === 'grid') return g.id;
    throw new UsageError(`编号 ${item} 不是网格。 Place ${item} is not a grid.`);
  }
  const [communityName, gridName] = item.includes('/') ? item.split('/', 2).map((s) => s.trim()) : [null, item];
  const communityId = communityName !== null
    ? (await places.findByName('community', communityName))?.id ?? -1
    : scope?.kind === 'community' ? scope.id : null;
  const found = grids.filter((g) => g.name === gridName && (communityId === null || g.parentId === communityId));
  if (found.length === 1) return found[0].id;
  if (found.length === 0) throw new UsageError(`找不到网格「${item}」。 No grid "${item}".`);
  throw new UsageError(`网格「${item}」有重名，请写成「社区/网格」或编号。 Grid "${item}" is ambiguous: write community/grid or its id.`);
}

/**
 * Creates an account from the command line; a generated password is printed once. It may create the database
 * (the first set-up of a server), and always says which database it wrote to.
 */
export const createUserCommand: Command = {
  summaryZh: '新建账号',
  summary: 'Create a user account',
  usage: USAGE,
  options: [
    { name: 'username', value: 'NAME', zh: '登录名：字母、数字、_ . -', en: 'login name: letters, digits, _ . -' },
    { name: 'role', value: 'ROLE', zh: 'admin 管理员 / staff 工作人员 / grid_worker 网格员 / claimer 认领人', en: 'the role' },
    { name: 'display-name', value: '姓名', zh: '显示的姓名（默认同登录名）', en: 'name shown (default: the username)' },
    { name: 'password', value: 'P', zh: '密码，10–200 位，不能是常见密码；不给则随机生成并显示一次', en: '10 to 200 characters, not a common password; generated and shown once if omitted' },
    { name: 'scope', value: '<名称或编号>', zh: '工作人员或认领人的街道/社区范围', en: 'sub-district or community scope of staff or a claimer' },
    { name: 'grids', value: '<网格,…>', zh: '网格员负责的网格：编号、「社区/网格」或网格名', en: "a grid worker's grids: ids, community/grid or names" },
    { name: 'claimer-kind', value: 'member|unit', zh: '认领人类型：在职党员或共建单位', en: 'claimer kind: party member or partner unit' },
    { name: 'personal-data', zh: '可查看居民完整姓名和电话', en: "may see residents' full names and phones" },
  ],
  positional: { min: 0, max: 0 },
  notes: [
    '写入 DATA_DIR/linsheng.db；数据库不存在时新建（DATA_DIR 的上级目录必须存在）。设置了 DATABASE_URL 时写入那个 PostgreSQL 数据库。',
    'Writes to DATA_DIR/linsheng.db, creating it if needed (the parent directory of DATA_DIR must exist);',
    'with DATABASE_URL set, to that PostgreSQL database.',
  ],
  async run(args, io) {
    const flags = args.values;
    const username = flags.username?.trim();
    if (!username) throw new UsageError('请用 --username 指定用户名。 Missing --username.');
    if (!/^[\w.-]{1,64}$/.test(username)) throw new UsageError('用户名只能用字母、数字、下划线、点和短横线（最多 64 个）。 Username: letters, digits, _ . - only.');
    const role = flags.role as Role | undefined;
    if (!role || !ROLES.includes(role)) throw new UsageError(`请用 --role 指定角色：${ROLES.join(' / ')}。 Missing or unknown --role.`);
    const password = flags.password;
    const displayName = (flags['display-name']?.trim() || username).slice(0, 64);
    const problem = password === undefined ? null : passwordProblem(password, [username, displayName]);
    if (problem) {
      throw new UsageError(`--password 不合格：${problem} The --password was refused: 10 to 200 characters, and not a common or easily guessed password.`);
    }
    const claimerKind = flags['claimer-kind'] ?? (role === 'claimer' ? 'member' : undefined);
    if (claimerKind !== undefined && (role !== 'claimer' || !['member', 'unit'].includes(claimerKind))) {
      throw new UsageError('--claimer-kind 只用于认领人，取 member（在职党员）或 unit（共建单位）。 --claimer-kind is member|unit, for claimers only.');
    }
    if (flags.grids !== undefined && role !== 'grid_worker') throw new UsageError('--grids 只用于网格员。 --grids is for grid_worker only.');
    if (role === 'grid_worker' && !flags.grids?.trim()) throw new UsageError('网格员需要 --grids 指定负责的网格。 A grid_worker needs --grids.');
    if (flags.scope !== undefined && !flags.scope.trim()) throw new UsageError('--scope 需要街道或社区的名称或编号。 --scope needs a name or id.');

    const { engine, describe: file, created, close, discard } = await openCliDatabase(io, { create: true });
    const where = `数据库 Database: ${file}${created ? '（新建 new）' : ''}`;
    let keep = false;
    try {
      const users = createUserRepo(engine.queries);
      const places = createPlaceRepo(engine.queries);
      let scope: Place | null = null;
      let gridIds: number[] = [];
      try {
        if (await users.findByUsername(username)) throw new UsageError(`用户名「${username}」已被使用。 Username "${username}" is taken.`);
        scope = flags.scope ? await resolveScope(places, flags.scope.trim()) : null;
        if (role === 'grid_worker') gridIds = await resolveGrids(places, flags.grids!, scope);
      } catch (err) {
        // Names that are not found may mean the wrong database: say which one was read. A database created just
        // now for this refused account is removed again, so a mistyped DATA_DIR leaves nothing behind (on PostgreSQL
        // nothing was created).
        if (err instanceof UsageError) {
          throw new UsageError(`${err.message}\n数据库 Database: ${file}${created ? '（刚新建，已删除 just created, removed again）' : ''}`);
        }
        throw err;
      }
      const chosen = password ?? generatePassword();
      const passwordHash = await hashPassword(chosen);
      const id = await engine.unitOfWork(async (tx) => {
        const inTx = createUserRepo(tx);
        const newId = await inTx.create({
          username, displayName, role, passwordHash,
          // Grid workers are scoped by their grids; staff (and claimers) by a sub-district or community.
          scopePlaceId: role === 'staff' || role === 'claimer' ? scope?.id ?? null : null,
          claimerKind: role === 'claimer' ? (claimerKind as 'member' | 'unit') : null,
          canSeePersonalData: role === 'admin' || args.switches.has('personal-data'),
        });
        if (gridIds.length) await inTx.setGrids(newId, gridIds);
        return newId;
      });
      keep = true;
      const gridNames: Array<string | undefined> = [];
      for (const g of gridIds) gridNames.push((await places.findById(g))?.name);
      io.out(`已创建账号 Created user #${id}: ${username}（${ROLE_LABELS[role]}）${scope ? ` 范围 scope: ${scope.name}` : ''}`
        + (gridIds.length ? ` 网格 grids: ${gridNames.join('、')}` : ''));
      io.out(where);
      if (!password) io.out(`初始密码 Password (shown only once): ${chosen}`);
      return 0;
    } finally {
      if (keep) await close();
      else await discard();
    }
  },
};
