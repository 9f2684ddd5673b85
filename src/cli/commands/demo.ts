import type { Queries } from '../../db/engine';
import { createUserRepo } from '../../auth/repo';
import { createCampaignRepo } from '../../campaigns/repo';
import { createContext } from '../../context';
import { DEMO_ACCOUNTS } from '../../demo/data';
import { runDemo } from '../../demo/seed';
import { createPlaceRepo } from '../../places/repo';
import { createSubmissionRepo } from '../../submissions/repo';
import { CHANNEL_LABELS, CHANNELS } from '../../submissions/types';
import { CliError, type Command } from '../args';
import { openCliDatabase } from '../cli-db';

/**
 * Loads the demo case into the database at DATA_DIR. It holds made-up places, accounts with printed passwords
 * and fake submissions, so a database that already holds real work is refused unless --force; running it again
 * with --force adds nothing that is already there (and completes a load that was interrupted).
 */
export const demoCommand: Command = {
  summaryZh: '载入演示数据（二七区 建中街街道）',
  summary: 'Load the demo case (二七区 建中街街道) into the database at DATA_DIR (or DATABASE_URL)',
  usage: 'npx linsheng demo [--force]',
  options: [{
    name: 'force', zh: '数据库里已有数据也载入（例如补全上次没载完的演示）',
    en: 'load even into a database that already holds data (e.g. to finish an interrupted demo load)',
  }],
  positional: { min: 0, max: 0 },
  notes: [
    '演示数据包括 122 个地点、5 个演示账号（密码会显示出来）和 275 条虚构的意见，只应载入一个新的数据库，例如：',
    'The demo adds 122 places, 5 accounts (passwords printed) and 275 made-up submissions; load it into a fresh database:',
    '  DATA_DIR=./demo-data npx linsheng demo',
    '数据库里已有活动、意见、地点或管理员以外的账号时会拒绝，除非加 --force。',
    'A database that holds campaigns, submissions, places or users other than the first admin is refused without --force.',
  ],
  async run(args, io) {
    const { config, database, describe: file, close } = await openCliDatabase(io, { create: true });
    let stopAll = async (): Promise<void> => undefined;
    try {
      const held = await existingData(database.engine.queries);
      if (held.length && !args.switches.has('force')) {
        const fresh = FRESH_DATABASE[database.kind];
        throw new CliError(`数据库 ${file} 里已有数据（${held.map((h) => h.zh).join('、')}），没有载入演示数据，以免虚构的数据混进去。`
          + `${fresh.zh}；确需载入到这个数据库请加 --force。\n`
          + `The database ${file} already holds data (${held.map((h) => h.en).join(', ')}): the demo was not loaded, so that `
          + `made-up data does not mix in. ${fresh.en}, or add --force to load it here anyway.`, 2);
      }
      const ctx = createContext(config, database);
      stopAll = ctx.stopAll;
      io.out(`载入演示数据 Loading the demo into ${file}`);
      const admin = await ctx.auth.ensureAdmin();
      const state = await runDemo(ctx, io.out);
      const campaignId = state.campaignId!;
      const count = (f: Parameters<typeof ctx.submissions.count>[0]) => ctx.submissions.count({ campaignId, ...f });
      const total = await count({});
      io.out('');
      io.out(`征求意见 Campaign #${campaignId}: ${total} 条 submissions — `
        + (await Promise.all(CHANNELS.map(async (c) => `${CHANNEL_LABELS[c]} ${await count({ channel: c })}`))).join('，'));
      io.out(`微心愿 small wishes: ${await count({ kind: 'wish' })}；二维码 QR codes: ${(await ctx.qrCodes.listByCampaign(campaignId)).length}；`
        + `待分类 waiting for triage: ${await ctx.classify.triageCount(campaignId, 'all')}`);
      if (state.newPasswords.length === 0 && total > 0) io.out('演示数据已存在，本次没有重复添加。 The demo was already loaded: nothing was duplicated.');
      io.out('');
      io.out(`登录 Log in at ${config.baseUrl}/login (start the server with: npm start)`);
      if (admin.created) {
        io.out(admin.generatedPassword
          ? `  admin  ${admin.generatedPassword}  管理员 administrator (password shown only once)`
          : '  admin  (password from LINSHENG_ADMIN_PASSWORD)  管理员 administrator');
      }
      for (const p of state.newPasswords) io.out(`  ${p.username.padEnd(13)} ${p.password}  ${p.what}`);
      const old = DEMO_ACCOUNTS.filter((a) => !state.newPasswords.some((p) => p.username === a.username));
      if (old.length) io.out(`  已有账号（密码不变，只在第一次显示）existing accounts, passwords unchanged: ${old.map((a) => a.username).join(', ')}`);
      io.out(`待分类 Triage inbox: ${config.baseUrl}/campaigns/${campaignId}/triage`);
      return 0;
    } finally {
      await stopAll();
      await close();
    }
  },
};

/** Where else to load the demo: a fresh data directory, or on PostgreSQL a database of its own. */
const FRESH_DATABASE = {
  sqlite: { zh: '请用一个新的 DATA_DIR，例如 DATA_DIR=./demo-data npx linsheng demo', en: 'Use a fresh DATA_DIR, e.g. DATA_DIR=./demo-data npx linsheng demo' },
  postgres: {
    zh: '请新建一个 PostgreSQL 数据库（例如 createdb linsheng_demo），把 DATABASE_URL 指向它再运行',
    en: 'Create a fresh PostgreSQL database (e.g. createdb linsheng_demo) and point DATABASE_URL at it',
  },
} as const;

/** What the database holds beyond a fresh start (the first admin, created by the server's first start). */
async function existingData(queries: Queries): Promise<Array<{ zh: string; en: string }>> {
  const held: Array<{ zh: string; en: string }> = [];
  const campaigns = (await createCampaignRepo(queries).list()).length;
  if (campaigns) held.push({ zh: `${campaigns} 个征求意见活动`, en: `${campaigns} campaign(s)` });
  const submissions = await createSubmissionRepo(queries).count({});
  if (submissions) held.push({ zh: `${submissions} 条意见`, en: `${submissions} submission(s)` });
  const places = (await createPlaceRepo(queries).list()).length;
  if (places) held.push({ zh: `${places} 个地点`, en: `${places} place(s)` });
  const users = await createUserRepo(queries).list();
  const firstAdmin = Math.min(...users.filter((u) => u.role === 'admin').map((u) => u.id));
  const others = users.filter((u) => u.id !== firstAdmin).length;
  if (others) held.push({ zh: `管理员以外的 ${others} 个账号`, en: `${others} user(s) besides the first admin` });
  return held;
}
