import { generatePassword, hashPassword } from '../../auth/password';
import { createUserRepo } from '../../auth/repo';
import { ROLES, ROLE_LABELS, type Role } from '../../auth/roles';
import { loadConfig } from '../../config';
import { dbFile, openDb } from '../../db/open-db';
import { createPlaceRepo, type Place } from '../../places/repo';
import { parseArgs, type Command } from '../main';

const USAGE = 'npx linsheng create-user --username NAME --role admin|staff|grid_worker|claimer [--display-name 姓名] '
  + '[--password P] [--scope <街道/社区 名称或编号>] [--grids <网格,…>] [--claimer-kind member|unit] [--personal-data]';

class UsageError extends Error {}

/** A sub-district or community, by id or by name. */
function resolveScope(places: ReturnType<typeof createPlaceRepo>, value: string): Place {
  const byId = /^\d+$/.test(value) ? places.findById(Number(value)) : undefined;
  const place = byId ?? places.findByName('community', value) ?? places.findByName('subdistrict', value);
  if (!place || (place.kind !== 'community' && place.kind !== 'subdistrict')) {
    throw new UsageError(`找不到街道或社区「${value}」。 No sub-district or community named or numbered "${value}".`);
  }
  return place;
}

/**
 * Grids by id, by "社区/网格" or by name; a bare name like 第一网格 exists in every community, so it is looked
 * up inside --scope when that is a community, and must otherwise be unique.
 */
function resolveGrids(places: ReturnType<typeof createPlaceRepo>, list: string, scope: Place | null): number[] {
  const grids = places.ofKind('grid');
  return list.split(/[,，]/).map((s) => s.trim()).filter(Boolean).map((item) => {
    if (/^\d+$/.test(item)) {
      const g = places.findById(Number(item));
      if (g?.kind === 'grid') return g.id;
      throw new UsageError(`编号 ${item} 不是网格。 Place ${item} is not a grid.`);
    }
    const [communityName, gridName] = item.includes('/') ? item.split('/', 2).map((s) => s.trim()) : [null, item];
    const communityId = communityName !== null
      ? places.findByName('community', communityName)?.id ?? -1
      : scope?.kind === 'community' ? scope.id : null;
    const found = grids.filter((g) => g.name === gridName && (communityId === null || g.parentId === communityId));
    if (found.length === 1) return found[0].id;
    if (found.length === 0) throw new UsageError(`找不到网格「${item}」。 No grid "${item}".`);
    throw new UsageError(`网格「${item}」有重名，请写成「社区/网格」或编号。 Grid "${item}" is ambiguous: write community/grid or its id.`);
  });
}

/** Creates an account from the command line; a generated password is printed once. */
export const createUserCommand: Command = {
  summary: 'Create a user account',
  usage: USAGE,
  async run(args, io) {
    const { flags } = parseArgs(args);
    const fail = (msg: string) => { io.err(msg); io.err('用法 Usage: ' + USAGE); return 2; };
    const username = flags.username?.trim();
    if (!username || username === 'true') return fail('请用 --username 指定用户名。 Missing --username.');
    if (!/^[\w.-]{1,64}$/.test(username)) return fail('用户名只能用字母、数字、下划线、点和短横线（最多 64 个）。 Username: letters, digits, _ . - only.');
    const role = flags.role as Role | undefined;
    if (!role || !ROLES.includes(role)) return fail(`请用 --role 指定角色：${ROLES.join(' / ')}。 Missing or unknown --role.`);
    const password = flags.password;
    if (password !== undefined && (password === 'true' || password.length < 8 || password.length > 200)) {
      return fail('密码至少 8 位。 --password must be 8 to 200 characters.');
    }
    const displayName = (flags['display-name'] && flags['display-name'] !== 'true' ? flags['display-name'] : username).trim().slice(0, 64);
    const claimerKind = flags['claimer-kind'] ?? (role === 'claimer' ? 'member' : undefined);
    if (claimerKind !== undefined && (role !== 'claimer' || !['member', 'unit'].includes(claimerKind))) {
      return fail('--claimer-kind 只用于认领人，取 member（在职党员）或 unit（共建单位）。 --claimer-kind is member|unit, for claimers only.');
    }
    if (flags.grids !== undefined && role !== 'grid_worker') return fail('--grids 只用于网格员。 --grids is for grid_worker only.');
    if (role === 'grid_worker' && (!flags.grids || flags.grids === 'true')) return fail('网格员需要 --grids 指定负责的网格。 A grid_worker needs --grids.');
    if (flags.scope === 'true') return fail('--scope 需要街道或社区的名称或编号。 --scope needs a name or id.');

    const config = loadConfig(io.env);
    const db = openDb({ file: dbFile(config.dataDir), synchronous: config.synchronous });
    try {
      const users = createUserRepo(db);
      const places = createPlaceRepo(db);
      if (users.findByUsername(username)) return fail(`用户名「${username}」已被使用。 Username "${username}" is taken.`);
      let scope: Place | null = null;
      let gridIds: number[] = [];
      try {
        scope = flags.scope ? resolveScope(places, flags.scope) : null;
        if (role === 'grid_worker') gridIds = resolveGrids(places, flags.grids, scope);
      } catch (err) {
        if (err instanceof UsageError) return fail(err.message);
        throw err;
      }
      const chosen = password ?? generatePassword();
      const id = db.transaction(() => {
        const newId = users.create({
          username, displayName, role, passwordHash: hashPassword(chosen),
          // Grid workers are scoped by their grids; staff (and claimers) by a sub-district or community.
          scopePlaceId: role === 'staff' || role === 'claimer' ? scope?.id ?? null : null,
          claimerKind: role === 'claimer' ? (claimerKind as 'member' | 'unit') : null,
          canSeePersonalData: role === 'admin' || flags['personal-data'] === 'true',
        });
        if (gridIds.length) users.setGrids(newId, gridIds);
        return newId;
      })();
      io.out(`已创建账号 Created user #${id}: ${username}（${ROLE_LABELS[role]}）${scope ? ` 范围 scope: ${scope.name}` : ''}`
        + (gridIds.length ? ` 网格 grids: ${gridIds.map((g) => places.findById(g)?.name).join('、')}` : ''));
      if (!password) io.out(`初始密码 Password (shown only once): ${chosen}`);
      return 0;
    } finally {
      db.close();
    }
  },
};
