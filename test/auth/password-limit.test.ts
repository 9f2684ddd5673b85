import crypto from 'node:crypto';
import { HASHES_AT_ONCE, hashPassword, verifyPassword } from '../../src/auth/password';

describe('password hashing shares the thread pool', () => {
  it(`runs at most ${HASHES_AT_ONCE} hashes at once and answers every one`, async () => {
    const original = crypto.scrypt;
    let now = 0;
    let most = 0;
    const spy = jest.spyOn(crypto, 'scrypt').mockImplementation(((...args: unknown[]) => {
      now++;
      most = Math.max(most, now);
      const cb = args[args.length - 1] as (err: Error | null, key: Buffer) => void;
      (original as unknown as (...a: unknown[]) => void)(...args.slice(0, -1), (err: Error | null, key: Buffer) => { now--; cb(err, key); });
    }) as unknown as typeof crypto.scrypt);
    try {
      const hash = await hashPassword('correct-horse-battery');
      const results = await Promise.all(Array.from({ length: 8 }, (_, i) => verifyPassword(i % 2 ? 'correct-horse-battery' : 'wrong', hash)));
      expect(results).toEqual([false, true, false, true, false, true, false, true]);
      expect(most).toBe(HASHES_AT_ONCE);
    } finally {
      spy.mockRestore();
    }
  }, 60_000);
});
