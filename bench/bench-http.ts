// The page benchmarks (dashboard, posters) time real HTTP requests: the app on an ephemeral port over a prepared
// database, with a staff session cookie so no login (and its deliberately slow hashing) is timed.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { createApp } from '../src/app';
import { loadConfig } from '../src/config';
import type { Db } from '../src/db/open-db';
import type { AppDatabase } from '../src/db/database';
import { SESSION_COOKIE } from '../src/auth/middleware';
import type { AppContext } from '../src/context';

export interface BenchServer {
  base: string;
  ctx: AppContext;
  /** Cookie header of a new staff session scoped to the place (a sub-district for the figures of all its communities). */
  staffCookie(scopePlaceId: number): Promise<string>;
  close(): Promise<void>;
}

/** Listens first so BASE_URL names the real port; rate limits are lifted, the benchmark is the only client. */
export async function serveBenchApp(db: Db | AppDatabase, dataDir: string): Promise<BenchServer> {
  const server = http.createServer();
  const close = () => new Promise<void>((resolve) => { server.closeAllConnections(); server.close(() => resolve()); });
  try {
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const config = Object.freeze({ ...loadConfig({ DATA_DIR: dataDir, BASE_URL: base }), publicRateLimit: 1e6 });
    const app = createApp({ config, db });
    server.on('request', app);
    const { ctx } = app;
    return {
      base, ctx, close,
      async staffCookie(scopePlaceId: number) {
        const userId = await ctx.users.create({ username: `bench-staff-${Date.now()}`, displayName: 'bench', passwordHash: 'unused', role: 'staff', scopePlaceId });
        return `${SESSION_COOKIE}=${(await ctx.auth.startSession(userId)).sessionId}`;
      },
    };
  } catch (err) {
    await close();
    throw err;
  }
}

export const round = (x: number) => Math.round(x * 10) / 10;
