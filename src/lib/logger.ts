import fs from 'node:fs';
import pino, { type DestinationStream, type Logger } from 'pino';
import { errorMessage, errorStack } from './errors';

export type { Logger };

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

/**
 * What may be logged, for whoever adds a log line: ids, counts, durations, route patterns ('/q/:token', never
 * the path itself), status codes, error types and stacks. What may not: residents' names, phones and texts,
 * receipt codes, QR and form tokens, session ids, passwords, request bodies and raw URLs. The request line
 * (src/http/request-log.ts) and the error serializer below keep to this; test/ops/logging.test.ts greps a run's
 * log for the demo residents' names, phones and receipt codes.
 */
export interface LoggerOptions {
  level: LogLevel;
  /** One readable line per entry (development) instead of JSON (production). */
  pretty?: boolean;
  /** Where lines go; stdout by default. Tests pass a stream that keeps them. */
  destination?: DestinationStream;
}

/** Only these fields of an error are logged: other properties may carry input (body-parser puts the body on its errors). */
function errSerializer(err: unknown): Record<string, unknown> {
  if (typeof err !== 'object' || err === null) return { message: String(err) };
  const e = err as { name?: unknown; code?: unknown; status?: unknown };
  const out: Record<string, unknown> = { type: typeof e.name === 'string' ? e.name : 'Error', message: errorMessage(err), stack: errorStack(err) };
  if (typeof e.code === 'string' || typeof e.code === 'number') out.code = e.code;
  if (typeof e.status === 'number') out.status = e.status;
  return out;
}

export function createLogger(opts: LoggerOptions): Logger {
  const destination = opts.destination ?? (opts.pretty ? prettyStdout() : sharedStdout());
  return pino({
    level: opts.level,
    base: { pid: process.pid },
    timestamp: pino.stdTimeFunctions.isoTime,
    serializers: { err: errSerializer, error: errSerializer },
  }, destination);
}

/** A logger that writes nothing (scripts and tests that do not look at logs). */
export const silentLogger = (): Logger => pino({ level: 'silent' });

const LEVEL_NAMES: Record<number, string> = { 10: 'TRACE', 20: 'DEBUG', 30: 'INFO', 40: 'WARN', 50: 'ERROR', 60: 'FATAL' };

/**
 * Development output, one short line per entry: `12:03:04 INFO  GET /q/:token 200 3.1ms  id=…`. Built in rather
 * than pino-pretty so that a production install (dev dependencies pruned) never needs it.
 */
export function formatPretty(line: string): string {
  let entry: Record<string, unknown>;
  try {
    entry = JSON.parse(line) as Record<string, unknown>;
  } catch {
    return line.endsWith('\n') ? line : line + '\n';
  }
  const { level, time, msg, pid: _pid, err, ...rest } = entry;
  const clock = typeof time === 'string' ? time.slice(11, 19) : '';
  const fields = Object.entries(rest).map(([k, v]) => `${k}=${typeof v === 'string' ? v : JSON.stringify(v)}`).join(' ');
  let out = `${clock} ${(LEVEL_NAMES[level as number] ?? String(level)).padEnd(5)} ${String(msg ?? '')}${fields ? '  ' + fields : ''}\n`;
  const e = err as { stack?: string; message?: string } | undefined;
  if (e) out += (e.stack ?? e.message ?? '') + '\n';
  return out;
}

/**
 * Lines written to stdout once per turn of the event loop instead of one system call each (a write per request was
 * ~2% of the residents' submit path). Warnings and errors, and everything before them, go out at once, synchronously:
 * the lines just before a crash are the ones an operator needs. So does whatever is pending when the process exits.
 * A kill -9 can lose the info lines of the current turn only.
 */
/** One batcher for stdout, however many loggers the process builds (tests build an app per file). */
let stdoutBatcher: ReturnType<typeof batchedStdout> | undefined;
const sharedStdout = () => (stdoutBatcher ??= batchedStdout(1));

const PAUSE = new Int32Array(new SharedArrayBuffer(4));

export function batchedStdout(fd = 1): DestinationStream & { flush(): void } {
  let pending: string[] = [];
  let scheduled = false;
  const flush = () => {
    scheduled = false;
    if (pending.length === 0) return;
    const text = pending.join('');
    pending = [];
    const buf = Buffer.from(text);
    // A pipe that is full answers EAGAIN on a non-blocking descriptor: wait it out rather than drop lines.
    for (let at = 0; at < buf.length;) {
      try {
        at += fs.writeSync(fd, buf, at, buf.length - at);
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'EAGAIN') return;
        Atomics.wait(PAUSE, 0, 0, 1);
      }
    }
  };
  process.once('exit', flush);
  return {
    flush,
    write(line: string) {
      pending.push(line);
      // pino writes '{"level":NN,…': 40 and above (warn, error, fatal) go out now.
      if (line.charCodeAt(9) >= 52 /* '4' */) return flush();
      if (!scheduled) {
        scheduled = true;
        setImmediate(flush);
      }
    },
  };
}

function prettyStdout(): DestinationStream {
  return { write: (line: string) => { process.stdout.write(formatPretty(line)); } };
}
