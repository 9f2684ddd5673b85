import os from 'node:os';
import { WORKER_NICE } from '../lib/worker';

/**
 * Commands that run long on a machine that may also run the live server: they give way to it (nice 10), which has
 * residents to answer. bin/linsheng.js does so before it loads the program, since loading alone is ~0.3 s of CPU
 * that would otherwise compete with the server at full priority.
 */
export const BATCH_COMMANDS: readonly string[] = ['import', 'group', 'demo'];

export const isBatchCommand = (name: string | undefined): boolean => name !== undefined && BATCH_COMMANDS.includes(name);

export function giveWay(): void {
  try {
    os.setPriority(WORKER_NICE);
  } catch {
    // Not permitted: run as started.
  }
}
