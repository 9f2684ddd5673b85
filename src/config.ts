import net from 'node:net';
import path from 'node:path';
import { z } from 'zod';
import { PROJECT_ROOT } from './paths';
import { LOG_LEVELS, type LogLevel } from './lib/logger';
import { passwordProblem } from './lib/password-policy';

/** The names Express's `trust proxy` knows (proxy-addr): each stands for a set of address ranges. */
const TRUST_PROXY_NAMES = ['loopback', 'linklocal', 'uniquelocal'];

/**
 * LINSHENG_TRUST_PROXY as Express documents `trust proxy`: `true`/`false`, a hop count (`1` = the one proxy in
 * front), or a comma-separated list of names (loopback, linklocal, uniquelocal), addresses and CIDR ranges. Given to
 * Express as a string, `1` would be read as the address 0.0.0.1 and trust nothing, so it is parsed here, and any
 * other value stops start-up instead of quietly putting every client behind the proxy into one rate-limit bucket.
 */
export function parseTrustProxy(raw: string): boolean | number | string | Error {
  const v = raw.trim();
  if (/^(true|false)$/i.test(v)) return v.toLowerCase() === 'true';
  if (/^\d+$/.test(v)) {
    const n = Number(v);
    return n <= 100 ? n : new Error(`a hop count of ${v} is not plausible (0–100)`);
  }
  const items = v.split(',').map((s) => s.trim());
  for (const item of items) {
    if (TRUST_PROXY_NAMES.includes(item)) continue;
    const [addr, bits, extra] = item.split('/');
    const family = net.isIP(addr ?? '');
    const bitsOk = bits === undefined
      || (/^\d{1,3}$/.test(bits) && Number(bits) <= (family === 6 ? 128 : 32))
      || (family === 4 && net.isIPv4(bits));
    if (!family || extra !== undefined || !bitsOk) {
      return new Error(`"${item}" is neither a hop count, true/false, one of ${TRUST_PROXY_NAMES.join('/')}, an IP address nor a CIDR range`);
    }
  }
  return items.join(',');
}

/** Every setting the README documents, read from the environment here and nowhere else. */
const envSchema = z.object({
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  HOST: z.string().default('0.0.0.0'),
  DATA_DIR: z.string().default(path.join(PROJECT_ROOT, 'data')),
  BASE_URL: z.string().url().optional(),
  // The same password rule as every other path (src/lib/password-policy.ts).
  LINSHENG_ADMIN_PASSWORD: z.string().superRefine((v, ctx) => {
    if (passwordProblem(v, ['admin'])) {
      ctx.addIssue({ code: 'custom', message: 'must be at least 10 characters and not a common or easily guessed password (管理员密码至少 10 位，不能是常见密码)' });
    }
  }).optional(),
  // FULL survives a power cut as well as a process crash; NORMAL (WAL) survives a process crash only.
  LINSHENG_SYNCHRONOUS: z.enum(['FULL', 'NORMAL', 'EXTRA', 'OFF']).default('FULL'),
  LINSHENG_SESSION_HOURS: z.coerce.number().positive().default(12),
  // Requests per minute per client on the public resident endpoints and on login.
  LINSHENG_PUBLIC_RATE_LIMIT: z.coerce.number().int().positive().default(120),
  LINSHENG_LOGIN_RATE_LIMIT: z.coerce.number().int().positive().default(10),
  // Longest wait per login attempt once a username has had 5 wrong passwords (src/auth/login-throttle.ts); 0 = off.
  LINSHENG_LOGIN_DELAY_MAX_S: z.coerce.number().min(0).max(60).default(8),
  LINSHENG_UPLOAD_MAX_MB: z.coerce.number().positive().max(50).default(8),
  // Residents' and staff's photos; with more than one app server, a directory every server reaches (README).
  LINSHENG_UPLOADS_DIR: z.string().optional(),
  LINSHENG_TRUST_PROXY: z.string().transform((v, ctx) => {
    const parsed = parseTrustProxy(v);
    if (!(parsed instanceof Error)) return parsed;
    ctx.addIssue({ code: 'custom', message: `${parsed.message}. Examples: 1 (one proxy in front), loopback, 10.0.0.0/8,127.0.0.1, true, false `
      + '(反向代理设置不正确：可写跳数如 1、loopback、地址或网段列表、true/false)' });
    return z.NEVER;
  }).optional(),
  LINSHENG_SECRET: z.string().min(16).optional(),
  NODE_ENV: z.string().default('development'),
  LINSHENG_LOG_LEVEL: z.enum(LOG_LEVELS).default('info'),
  // JSON for a log collector; pretty for a person at a terminal. Default: json when NODE_ENV=production.
  LINSHENG_LOG_FORMAT: z.enum(['json', 'pretty']).optional(),
  // /readyz answers 503 below this much free space where DATA_DIR lives.
  LINSHENG_MIN_FREE_MB: z.coerce.number().min(0).default(200),
  // Nightly online backups: off unless a directory is given.
  LINSHENG_BACKUP_DIR: z.string().optional(),
  LINSHENG_BACKUP_KEEP: z.coerce.number().int().min(1).max(1000).default(7),
  LINSHENG_BACKUP_HOUR: z.coerce.number().int().min(0).max(23).default(2),
  // PostgreSQL instead of the SQLite file in DATA_DIR (postgres://user:password@host:5432/database).
  DATABASE_URL: z.string().refine((v) => /^postgres(ql)?:\/\/[^/]/.test(v), {
    message: 'must be a PostgreSQL URL, postgres://user:password@host:5432/database (数据库地址应为 postgres:// 开头的 PostgreSQL 地址)',
  }).optional(),
  // Benchmarks only: GET /internal/metrics (from 127.0.0.1) reports the event loop's delay and the memory in use.
  LINSHENG_INTERNAL_METRICS: z.enum(['0', '1']).default('0'),
});

export interface Config {
  port: number;
  host: string;
  dataDir: string;
  /** Absolute URL prefix printed in QR codes, without a trailing slash. */
  baseUrl: string;
  adminPassword?: string;
  synchronous: 'FULL' | 'NORMAL' | 'EXTRA' | 'OFF';
  sessionHours: number;
  publicRateLimit: number;
  loginRateLimit: number;
  /** Cap of the per-account login slowdown, in ms (0 turns it off). */
  loginDelayMaxMs: number;
  uploadMaxBytes: number;
  /** Photos (absolute): DATA_DIR/uploads unless LINSHENG_UPLOADS_DIR says otherwise. */
  uploadsDir: string;
  /** Express's `trust proxy`: true/false, a hop count, or a comma-separated list of names, addresses and CIDR ranges. */
  trustProxy?: boolean | number | string;
  /** Secret for signing public form tokens; when unset, one is generated and kept in the database. */
  secret?: string;
  /** Cookies get the Secure flag when BASE_URL is https. */
  secureCookies: boolean;
  logLevel: LogLevel;
  /** Readable one-line log entries instead of JSON. */
  logPretty: boolean;
  /** Below this many free bytes on DATA_DIR's file system, /readyz answers 503. */
  minFreeBytes: number;
  /** Nightly backups go here (absolute); none when unset. */
  backupDir?: string;
  backupKeep: number;
  /** Local hour (0–23) of the nightly backup. */
  backupHour: number;
  /** GET /internal/metrics for benchmarks (LINSHENG_INTERNAL_METRICS=1). */
  internalMetrics: boolean;
  /** PostgreSQL (DATABASE_URL) instead of DATA_DIR/linsheng.db; unset: SQLite. */
  databaseUrl?: string;
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Readonly<Config> {
  // An empty variable (`FOO= npm start`) means "not set", as in most shells' eyes.
  const present = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ''));
  const parsed = envSchema.safeParse(present);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${i.path.join('.')}: ${i.message}`);
    throw new Error('Invalid settings in the environment:\n' + lines.join('\n'));
  }
  const e = parsed.data;
  const baseUrl = (e.BASE_URL ?? `http://localhost:${e.PORT}`).replace(/\/+$/, '');
  const dataDir = path.resolve(e.DATA_DIR);
  return Object.freeze({
    port: e.PORT,
    host: e.HOST,
    dataDir,
    baseUrl,
    adminPassword: e.LINSHENG_ADMIN_PASSWORD,
    synchronous: e.LINSHENG_SYNCHRONOUS,
    sessionHours: e.LINSHENG_SESSION_HOURS,
    publicRateLimit: e.LINSHENG_PUBLIC_RATE_LIMIT,
    loginRateLimit: e.LINSHENG_LOGIN_RATE_LIMIT,
    loginDelayMaxMs: Math.round(e.LINSHENG_LOGIN_DELAY_MAX_S * 1000),
    uploadMaxBytes: Math.round(e.LINSHENG_UPLOAD_MAX_MB * 1024 * 1024),
    uploadsDir: e.LINSHENG_UPLOADS_DIR === undefined ? path.join(dataDir, 'uploads') : path.resolve(e.LINSHENG_UPLOADS_DIR),
    trustProxy: e.LINSHENG_TRUST_PROXY,
    secret: e.LINSHENG_SECRET,
    secureCookies: baseUrl.startsWith('https://'),
    logLevel: e.LINSHENG_LOG_LEVEL,
    logPretty: (e.LINSHENG_LOG_FORMAT ?? (e.NODE_ENV === 'production' ? 'json' : 'pretty')) === 'pretty',
    minFreeBytes: Math.round(e.LINSHENG_MIN_FREE_MB * 1024 * 1024),
    backupDir: e.LINSHENG_BACKUP_DIR === undefined ? undefined : path.resolve(e.LINSHENG_BACKUP_DIR),
    backupKeep: e.LINSHENG_BACKUP_KEEP,
    backupHour: e.LINSHENG_BACKUP_HOUR,
    internalMetrics: e.LINSHENG_INTERNAL_METRICS === '1',
    databaseUrl: e.DATABASE_URL,
  });
}

/** A config for tests: in-memory friendly, generous rate limits, overridable per test. */
export function testConfig(overrides: Partial<Config> = {}): Readonly<Config> {
  const base = loadConfig({ NODE_ENV: 'test', DATA_DIR: overrides.dataDir ?? path.join(PROJECT_ROOT, 'data', 'test-tmp') });
  return Object.freeze({
    ...base,
    publicRateLimit: 100000,
    loginRateLimit: 100000,
    // Failures only: a test that expects a 500 still shows its stack, and request lines stay out of the output.
    logLevel: 'error',
    logPretty: true,
    ...overrides,
  });
}
