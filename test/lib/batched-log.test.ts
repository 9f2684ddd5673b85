import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { batchedStdout, createLogger } from '../../src/lib/logger';
import { randomToken } from '../../src/lib/random';

describe('log lines batched per turn of the event loop', () => {
  let dir: string;
  let file: string;
  let fd: number;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'linsheng-log-'));
    file = path.join(dir, 'out.log');
    fd = fs.openSync(file, 'w');
  });
  afterEach(() => { fs.closeSync(fd); fs.rmSync(dir, { recursive: true, force: true }); });
  const written = () => fs.readFileSync(file, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as { msg: string; level: number });

  it('writes info lines together after the current turn, in order', async () => {
    const logger = createLogger({ level: 'info', destination: batchedStdout(fd) });
    logger.info('one');
    logger.info('two');
    expect(written()).toEqual([]);
    await new Promise((r) => setImmediate(r));
    expect(written().map((l) => l.msg)).toEqual(['one', 'two']);
  });

  it('writes a warning or an error at once, with every line before it', () => {
    const logger = createLogger({ level: 'info', destination: batchedStdout(fd) });
    logger.info('before');
    logger.error({ err: new Error('disk failed') }, 'request failed');
    expect(written().map((l) => l.msg)).toEqual(['before', 'request failed']);
    logger.warn('careful');
    expect(written().map((l) => l.msg)).toEqual(['before', 'request failed', 'careful']);
  });

  it('flush() writes what is pending (the process exit calls it)', () => {
    const out = batchedStdout(fd);
    const logger = createLogger({ level: 'info', destination: out });
    logger.info('last words');
    out.flush();
    expect(written().map((l) => l.msg)).toEqual(['last words']);
  });
});

describe('randomToken from the pooled CSPRNG', () => {
  it('gives URL-safe tokens of the asked entropy, never repeating', () => {
    const seen = new Set<string>();
    for (let i = 0; i < 2000; i++) {
      const t = randomToken(16);
      expect(t).toMatch(/^[A-Za-z0-9_-]{22}$/);
      seen.add(t);
    }
    expect(seen.size).toBe(2000);
    expect(randomToken(32)).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(randomToken(100)).toMatch(/^[A-Za-z0-9_-]{134}$/);
  });
});
