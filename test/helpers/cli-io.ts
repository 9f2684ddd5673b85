import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import type { CliIo } from '../../src/cli/main';

/** A CLI io that records what a command prints, with DATA_DIR set and optional stdin text. */
export function captureIo(env: NodeJS.ProcessEnv, input = '') {
  const out: string[] = [];
  const err: string[] = [];
  const io: CliIo = { out: (l) => out.push(l), err: (l) => err.push(l), stdin: Readable.from([Buffer.from(input)]), env };
  return { io, out, err, text: () => out.join('\n'), errors: () => err.join('\n') };
}

/** A fresh temporary data directory, removed by the returned cleanup. */
export function tempDataDir(prefix = 'linsheng-cli-'): { dir: string; cleanup: () => void } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  return { dir, cleanup: () => fs.rmSync(dir, { recursive: true, force: true }) };
}
