/**
 * `npm run bench`: every figure as one JSON object per line, so a script can read them.
 * Each benchmark is bounded in time, loads only 127.0.0.1 and stops by itself.
 * Run a subset with `npm run bench -- <name> [<name>…]`.
 */
export interface Figure {
  name: string;
  value: number;
  unit: string;
  /** The bar from the issue, when there is one. */
  goal?: string;
  pass?: boolean;
  [extra: string]: unknown;
}

export interface Benchmark {
  name: string;
  run(): Promise<Figure[]>;
}

const BENCHMARKS: Array<() => Promise<Benchmark>> = [
  // Each benchmark module is added here, e.g. async () => (await import('./import.bench')).benchmark,
  async () => (await import('./submit.bench')).benchmark,
  async () => (await import('./form-bytes.bench')).benchmark,
  async () => (await import('./posters.bench')).benchmark,
  async () => (await import('./import.bench')).benchmark,
  async () => (await import('./classify.bench')).benchmark,
  async () => (await import('./dashboard.bench')).benchmark,
  async () => (await import('./grouping.bench')).benchmark,
  async () => (await import('./search.bench')).benchmark,
  async () => (await import('./start.bench')).benchmark,
  async () => (await import('./mixed.bench')).benchmark,
  async () => (await import('./pg-counts.bench')).benchmark,
];

async function main() {
  const only = process.argv.slice(2);
  let failed = false;
  let running = '';
  // A benchmark whose promise can never settle (a wait that nothing will end) lets the process exit with nothing
  // printed: say so and fail, rather than pass by silence.
  const stalled = () => {
    if (!running) return;
    console.log(JSON.stringify({ name: running, error: 'the benchmark stopped without finishing (a wait nothing ends)' }));
    process.exitCode = 1;
  };
  process.on('exit', stalled);
  for (const load of BENCHMARKS) {
    const b = await load();
    if (only.length && !only.includes(b.name)) continue;
    running = b.name;
    try {
      for (const f of await b.run()) console.log(JSON.stringify(f));
    } catch (err) {
      failed = true;
      console.log(JSON.stringify({ name: b.name, error: String(err instanceof Error ? err.stack : err) }));
    }
    running = '';
  }
  process.off('exit', stalled);
  process.exitCode = failed ? 1 : 0;
}

if (require.main === module) void main();
