/**
 * What every CLI command shares: the shape of a command, a strict argument parser and the two kinds of
 * refusal. The parser knows each command's options, so a typo (`--chanel`) or a forgotten value is refused with
 * its name instead of being ignored, and a shell glob that expands to several files is never half-used.
 */

export interface CliIo {
  out: (line: string) => void;
  err: (line: string) => void;
  stdin: NodeJS.ReadableStream;
  env: NodeJS.ProcessEnv;
  /** What a long batch job (an import) does first: the real CLI lowers its priority; tests running commands in-process do not. */
  startBatchJob?: () => void;
}

/** One `--name` a command accepts: with a `value` placeholder it takes a value, without one it is a switch. */
export interface OptionSpec {
  name: string;
  value?: string;
  /** Help text, Chinese then English. */
  zh: string;
  en: string;
}

export interface Args {
  positional: string[];
  /** Options that take a value, by name (without the dashes). */
  values: Partial<Record<string, string>>;
  /** Switches that were given. */
  switches: Set<string>;
}

/** A CLI command: gets its parsed arguments, returns the process exit code (0 ok, 1 failure, 2 bad usage). */
export interface Command {
  /** One line each, Chinese and English. */
  summaryZh: string;
  summary: string;
  usage: string;
  options: OptionSpec[];
  /** Positional arguments: how many, and what to say when they are missing or too many. */
  positional: { min: number; max: number; name?: string; missingZh?: string; missingEn?: string; extraHint?: string };
  /** Extra help lines shown by `<command> --help`. */
  notes?: string[];
  run(args: Args, io: CliIo): Promise<number>;
}

/** Bad usage: main prints the message, the command's usage line and exits 2. */
export class UsageError extends Error {}

/** A refusal or failure with a message that says it all: main prints it and exits with `exitCode`. */
export class CliError extends Error {
  constructor(message: string, public readonly exitCode: 1 | 2 = 1) {
    super(message);
  }
}

export const EXIT_CODES_LINE = '退出码 Exit codes: 0 成功 ok，1 失败 failure，2 用法错误 bad usage';

/** `--help` or `-h` before any `--` end-of-options marker. */
export function wantsHelp(args: string[]): boolean {
  for (const a of args) {
    if (a === '--') return false;
    if (a === '--help' || a === '-h') return true;
  }
  return false;
}

/**
 * Reads `--name value`, `--name=value`, switches and positional arguments against the command's options.
 * A value may not start with `--` (`--campaign --user x` forgot the id); write `--name=--odd` for such a value.
 * Everything after `--` is positional.
 */
export function parseArgs(args: string[], command: Pick<Command, 'options' | 'positional'>): Args {
  const byName = new Map(command.options.map((o) => [o.name, o]));
  const result: Args = { positional: [], values: {}, switches: new Set() };
  const unknown: string[] = [];
  const seen = new Set<string>();
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    if (a === '--') { result.positional.push(...args.slice(i + 1)); break; }
    if (!a.startsWith('-') || a === '-') { result.positional.push(a); continue; }
    const eq = a.startsWith('--') ? a.indexOf('=') : -1;
    const name = a.startsWith('--') ? a.slice(2, eq > 0 ? eq : undefined) : a;
    const spec = a.startsWith('--') ? byName.get(name) : undefined;
    if (!spec) { unknown.push(eq > 0 ? a.slice(0, eq) : a); continue; }
    if (seen.has(name)) {
      throw new UsageError(`选项 --${name} 给了不止一次。 Option --${name} was given more than once.`);
    }
    seen.add(name);
    if (spec.value === undefined) {
      if (eq > 0) throw new UsageError(`选项 --${name} 不带值。 Option --${name} takes no value.`);
      result.switches.add(name);
    } else if (eq > 0) {
      result.values[name] = a.slice(eq + 1);
    } else if (i + 1 < args.length && !args[i + 1].startsWith('--')) {
      result.values[name] = args[++i];
    } else {
      throw new UsageError(`选项 --${name} 后面缺少 ${spec.value}。 Option --${name} needs a value: --${name} ${spec.value}.`);
    }
  }
  if (unknown.length) throw new UsageError(unknownOptionsMessage(unknown, command.options.map((o) => `--${o.name}`)));

  const { min, max } = command.positional;
  if (result.positional.length < min) {
    const p = command.positional;
    throw new UsageError(p.missingZh && p.missingEn ? `${p.missingZh} ${p.missingEn}` : `缺少参数 ${p.name}。 Missing ${p.name}.`);
  }
  if (result.positional.length > max) {
    const extra = result.positional.slice(max).map((s) => JSON.stringify(s)).join(' ');
    throw new UsageError(`多余的参数 Unexpected argument(s): ${extra}${command.positional.extraHint ? `\n${command.positional.extraHint}` : ''}`);
  }
  return result;
}

function unknownOptionsMessage(unknown: string[], known: string[]): string {
  const hints = unknown.map((u) => {
    const near = closest(u, known);
    return near ? `${u}（是不是 did you mean ${near}？）` : u;
  });
  return `未知选项 Unknown option${unknown.length > 1 ? 's' : ''}: ${hints.join('，')}`
    + `\n可用的选项 Options: ${known.length ? known.join(' ') : '无 none'}`;
}

/** The known word within two edits of `word`, if there is exactly one best. */
export function closest(word: string, known: string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = 3;
  for (const k of known) {
    const d = editDistance(word.toLowerCase(), k.toLowerCase());
    if (d < bestDistance) { best = k; bestDistance = d; }
  }
  return best;
}

function editDistance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    for (let j = 1; j <= b.length; j++) {
      row[j] = Math.min(prev[j] + 1, row[j - 1] + 1, prev[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    prev = row;
  }
  return prev[b.length];
}

/** A positive decimal id from `--name`, or a UsageError that says what was wrong with it. */
export function parseId(name: string, raw: string): number {
  if (!/^\d{1,15}$/.test(raw) || Number(raw) < 1) {
    throw new UsageError(`--${name} 的值「${raw}」不是编号，应为正整数，例如 --${name} 1。 `
      + `--${name} "${raw}" is not an id: give a positive whole number, e.g. --${name} 1.`);
  }
  return Number(raw);
}

/** The help text of one command, for `npx linsheng <command> --help`. */
export function commandHelp(name: string, c: Command): string[] {
  const lines = [`npx linsheng ${name} — ${c.summaryZh} ${c.summary}`, '', `用法 Usage: ${c.usage}`];
  if (c.options.length) {
    lines.push('', '选项 Options:');
    const label = (o: OptionSpec) => `--${o.name}${o.value ? ` ${o.value}` : ''}`;
    const width = Math.max(...c.options.map((o) => label(o).length)) + 2;
    for (const o of c.options) lines.push(`  ${label(o).padEnd(width)}${o.zh} ${o.en}`);
  }
  if (c.notes?.length) lines.push('', ...c.notes);
  lines.push('', EXIT_CODES_LINE);
  return lines;
}
