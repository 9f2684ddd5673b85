import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import http, { type Server } from 'node:http';
import { createApp, type LinshengApp } from '../../src/app';
import { testConfig, type Config } from '../../src/config';
import type { Db } from '../../src/db/open-db';
import { openTestDatabase } from './test-database';
import { answerClientErrors } from '../../src/http/client-errors';

export interface RunningApp {
  app: LinshengApp;
  db: Db;
  config: Readonly<Config>;
  baseUrl: string;
  dataDir: string;
  close(): Promise<void>;
}

/** The real app on an ephemeral port with a file database in a temporary data dir (for browser tests). */
export async function startTestServer(overrides: Partial<Config> = {}): Promise<RunningApp> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'linsheng-test-'));
  const { db, appDatabase, beforeClose } = openTestDatabase({ dataDir });
  const partial = testConfig({ dataDir, ...overrides });
  // BASE_URL must point at the real port so QR codes and links work; listen first, then build the app.
  let handler: http.RequestListener = () => undefined;
  const server: Server = http.createServer((req, res) => handler(req, res));
  answerClientErrors(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  const baseUrl = `http://127.0.0.1:${port}`;
  const config = Object.freeze({ ...partial, port, baseUrl });
  const app = createApp({ config, db: appDatabase });
  beforeClose(() => app.ctx.stopAll());
  handler = app;
  return {
    app, db, config, baseUrl, dataDir,
    async close() {
      await new Promise<void>((resolve) => { server.closeAllConnections(); server.close(() => resolve()); });
      await app.ctx.stopAll();
      db.close();
      fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
