import crypto from 'node:crypto';
import { atMost } from '../lib/at-most';

// scrypt is memory-hard and built into Node: no native dependency, slow enough to resist offline guessing.
// Always the asynchronous form: it runs on libuv's thread pool, so a login (0.1–0.3 s of KDF) never blocks the
// event loop and the other requests in flight.
const N = 1 << 15;
const R = 8;
const P = 1;
const KEYLEN = 32;
const MAXMEM = 64 * 1024 * 1024;

const scryptOnPool = (password: crypto.BinaryLike, salt: crypto.BinaryLike, keylen: number, options: crypto.ScryptOptions) =>
  new Promise<Buffer>((resolve, reject) => {
    crypto.scrypt(password, salt, keylen, options, (err, key) => (err ? reject(err) : resolve(key)));
  });

/**
 * At most this many hashes at once. libuv's thread pool has four threads by default and also does the file work
 * residents wait for (syncing the submissions' WAL, photos): 24 logins at once would hold all four for a second.
 * The others wait their turn in memory, which costs a login a little time and a resident nothing.
 */
export const HASHES_AT_ONCE = 2;
const inTurn = atMost(HASHES_AT_ONCE);
const scrypt = (...args: Parameters<typeof scryptOnPool>): Promise<Buffer> => inTurn(() => scryptOnPool(...args));

export async function hashPassword(password: string): Promise<string> {
  const salt = crypto.randomBytes(16);
  const key = await scrypt(password, salt, KEYLEN, { N, r: R, p: P, maxmem: MAXMEM });
  return `scrypt$${N}$${R}$${P}$${salt.toString('base64')}$${key.toString('base64')}`;
}

/** Checks a password against a stored `scrypt$N$r$p$salt$key` hash (the parameters come from the hash, so older hashes keep verifying). */
export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const parts = stored.split('$');
  if (parts.length !== 6 || parts[0] !== 'scrypt') return false;
  const [, n, r, p, salt, key] = parts;
  const expected = Buffer.from(key, 'base64');
  if (expected.length === 0) return false;
  try {
    const actual = await scrypt(password, Buffer.from(salt, 'base64'), expected.length, {
      N: Number(n), r: Number(r), p: Number(p), maxmem: MAXMEM,
    });
    return crypto.timingSafeEqual(actual, expected);
  } catch {
    return false;
  }
}

/** A readable random password for the first admin: no look-alike characters. */
export function generatePassword(): string {
  const alphabet = 'abcdefghjkmnpqrstuvwxyzABCDEFGHJKMNPQRSTUVWXYZ23456789';
  const bytes = crypto.randomBytes(16);
  return Array.from(bytes, (b) => alphabet[b % alphabet.length]).join('');
}
