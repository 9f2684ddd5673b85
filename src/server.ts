import type { AddressInfo } from 'node:net';
import { createApp } from './app';
import { loadConfig } from './config';
import { dbFile, openDb } from './db/open-db';
import { answerClientErrors } from './http/client-errors';

/** Starts the app on the configured port; SIGTERM finishes in-flight requests, then closes the database. */
export function start() {
  const config = loadConfig();
  const db = openDb({ file: dbFile(config.dataDir), synchronous: config.synchronous });
  const app = createApp({ config, db });
  const admin = app.ctx.auth.ensureAdmin();
  // Build the categorization model now, not on the first resident's submission.
  app.ctx.classify.warmUp();

  const server = app.listen(config.port, config.host, () => {
    const port = (server.address() as AddressInfo).port;
    console.log(`邻声 Linsheng listening on port ${port} (data: ${config.dataDir})`);
    // With PORT=0 (tests) the real port is only known now.
    const loginBase = config.port === 0 ? `http://localhost:${port}` : config.baseUrl;
    console.log(`登录 Log in: ${loginBase}/login`);
    if (admin.created && admin.generatedPassword) {
      console.log(`首次启动，已创建管理员 First start, admin created — username: ${admin.username}  password: ${admin.generatedPassword}`);
      console.log('请登录后立即修改密码。This password is shown only once.');
    } else if (admin.created) {
      console.log(`首次启动，已创建管理员 admin (password from LINSHENG_ADMIN_PASSWORD).`);
    }
  });
  server.keepAliveTimeout = 5000;
  answerClientErrors(server);

  let closing = false;
  const shutdown = (signal: string) => {
    if (closing) return;
    closing = true;
    console.log(`${signal}: finishing requests in flight, then closing the database`);
    app.ctx.onShutdown.forEach((fn) => fn());
    server.close(() => {
      db.close();
      process.exit(0);
    });
    server.closeIdleConnections();
    setTimeout(() => { db.close(); process.exit(1); }, 10_000).unref();
  };
  process.on('SIGTERM', () => shutdown('SIGTERM'));
  process.on('SIGINT', () => shutdown('SIGINT'));
  return server;
}

if (require.main === module) start();
