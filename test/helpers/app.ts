import request from 'supertest';
import type { Config } from '../../src/config';
import { testConfig } from '../../src/config';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Db } from '../../src/db/open-db';
import { openTestDatabase } from './test-database';
import { createApp, type LinshengApp } from '../../src/app';
import type { Role } from '../../src/auth/roles';
import type { Viewer } from '../../src/access/rules';

export interface TestApp {
  app: LinshengApp;
  db: Db;
  config: Readonly<Config>;
}

/**
 * A fresh app on a migrated in-memory database, or with `onDisk` on a database file in a temporary directory (what
 * a worker thread with a connection of its own needs, e.g. the submissions export).
 */
export function makeTestApp(overrides: Partial<Config> = {}, opts: { onDisk?: boolean } = {}): TestApp {
  const dataDir = opts.onDisk ? fs.mkdtempSync(path.join(os.tmpdir(), 'linsheng-app-')) : undefined;
  const config = testConfig(dataDir ? { dataDir, ...overrides } : overrides);
  const { db, appDatabase, beforeClose } = openTestDatabase({ dataDir });
  const app = createApp({ config, db: appDatabase });
  beforeClose(() => app.ctx.stopAll());
  return { app, db, config };
}

export const TEST_PASSWORD = 'correct-horse-battery';
/**
 * scrypt of TEST_PASSWORD, made once with hashPassword's parameters: hashing is deliberately slow (and asynchronous),
 * so the synchronous factory below stores this instead of hashing; test/auth/auth.test.ts checks it still verifies.
 */
export const TEST_PASSWORD_HASH = 'scrypt$32768$8$1$WA1L/+S1x/a5fg41eesRbw==$bzWpBS84KtVAyK4Hwt8qTRFHJQrc2TlhUI8HuyCBiWo=';

export function createUser(
  db: Db,
  opts: { username?: string; role?: Role; scopePlaceId?: number | null; canSeePersonalData?: boolean; gridIds?: number[]; claimerKind?: 'member' | 'unit' } = {},
): { id: number; username: string } {
  const username = opts.username ?? `user${Math.random().toString(36).slice(2, 8)}`;
  const role = opts.role ?? 'staff';
  const info = db.prepare(`INSERT INTO users (username, display_name, password_hash, role, scope_place_id, claimer_kind, can_see_personal_data)
    VALUES (?, ?, ?, ?, ?, ?, ?)`).run(username, username, TEST_PASSWORD_HASH, role, opts.scopePlaceId ?? null,
    opts.claimerKind ?? (role === 'claimer' ? 'member' : null), opts.canSeePersonalData ?? role === 'admin' ? 1 : 0);
  const id = Number(info.lastInsertRowid);
  for (const g of opts.gridIds ?? []) db.prepare('INSERT INTO user_grids (user_id, grid_id) VALUES (?, ?)').run(id, g);
  return { id, username };
}

/** A stored user with their reach, as the routes hand them to services. */
export async function viewerOf(t: { app: LinshengApp }, userId: number): Promise<Viewer> {
  return t.app.ctx.access.viewerOf((await t.app.ctx.users.findById(userId))!);
}

/** Pulls the CSRF token out of a rendered form. */
export function csrfFrom(html: string): string {
  const m = /name="_csrf" value="([^"]+)"/.exec(html);
  if (!m) throw new Error('no CSRF token in page');
  return m[1];
}

export type Agent = ReturnType<typeof request.agent> & { csrf: string; userId: number };

/** A supertest agent logged in as a new user of the given role, carrying its CSRF token. */
export async function loginAs(
  t: TestApp,
  role: Role = 'admin',
  opts: Parameters<typeof createUser>[1] = {},
): Promise<Agent> {
  const user = createUser(t.db, { ...opts, role });
  const agent = request.agent(t.app);
  const page = await agent.get('/login');
  const res = await agent.post('/login').type('form').send({ _csrf: csrfFrom(page.text), username: user.username, password: TEST_PASSWORD });
  if (res.status !== 303) throw new Error(`login failed: ${res.status}`);
  const row = t.db.prepare('SELECT csrf_token FROM sessions WHERE user_id = ? ORDER BY created_at DESC LIMIT 1').get(user.id) as { csrf_token: string };
  return Object.assign(agent, { csrf: row.csrf_token, userId: user.id });
}

/** supertest parser that keeps the body as bytes (an .xlsx is a zip; a CSV's BOM must be seen as sent). */
export const binaryBody = (res: import('supertest').Response, cb: (err: Error | null, body: Buffer) => void) => {
  const stream = res as unknown as NodeJS.ReadableStream;
  const chunks: Buffer[] = [];
  stream.on('data', (c: Buffer) => chunks.push(Buffer.from(c)));
  stream.on('end', () => cb(null, Buffer.concat(chunks)));
};
