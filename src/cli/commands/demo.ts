import { loadConfig } from '../../config';
import { createContext } from '../../context';
import { dbFile, openDb } from '../../db/open-db';
import { DEMO_ACCOUNTS } from '../../demo/data';
import { runDemo } from '../../demo/seed';
import { CHANNEL_LABELS, CHANNELS } from '../../submissions/types';
import type { Command } from '../main';

/** Loads the demo case into the database at DATA_DIR; running it again adds nothing that is already there. */
export const demoCommand: Command = {
  summary: 'Load the demo case (二七区 建中街街道) into the database at DATA_DIR',
  usage: 'npx linsheng demo',
  async run(_args, io) {
    const config = loadConfig(io.env);
    const file = dbFile(config.dataDir);
    const db = openDb({ file, synchronous: config.synchronous });
    const ctx = createContext(config, db);
    try {
      io.out(`载入演示数据 Loading the demo into ${file}`);
      const admin = ctx.auth.ensureAdmin();
      const state = runDemo(ctx, io.out);
      const campaignId = state.campaignId!;
      const count = (f: Parameters<typeof ctx.submissions.count>[0]) => ctx.submissions.count({ campaignId, ...f });
      const total = count({});
      io.out('');
      io.out(`征求意见 Campaign #${campaignId}: ${total} 条 submissions — `
        + CHANNELS.map((c) => `${CHANNEL_LABELS[c]} ${count({ channel: c })}`).join('，'));
      io.out(`微心愿 small wishes: ${count({ kind: 'wish' })}；二维码 QR codes: ${ctx.qrCodes.listByCampaign(campaignId).length}；`
        + `待分类 waiting for triage: ${ctx.classify.triageCount(campaignId, 'all')}`);
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
      ctx.onShutdown.forEach((fn) => fn());
      db.close();
    }
  },
};
