import fs from 'node:fs';
import path from 'node:path';
import ts from 'typescript';

/**
 * The structure the README promises, read from the tree itself: folders under src/ that do not import each other in
 * a circle, a lib/ that needs no domain, entry points nobody imports, and SQL only in the data layer. A failure
 * names the files and imports to look at.
 */

const SRC = path.join(__dirname, '../../src');

function sourceFiles(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) return sourceFiles(p);
    return e.name.endsWith('.ts') ? [p] : [];
  });
}
const FILES = sourceFiles(SRC);
const rel = (file: string) => path.relative(SRC, file).split(path.sep).join('/');

/** The unit of the graph: the folder directly under src/ (`issues`), or a top-level file's name (`config`). */
function unitOf(file: string): string {
  const parts = rel(file).split('/');
  return parts.length === 1 ? parts[0].replace(/\.ts$/, '') : parts[0];
}

interface Import { from: string; spec: string; target: string }

/** Every relative import, `import type` and re-export included (a cycle of types is still a cycle), and require(). */
const IMPORTS: Import[] = FILES.flatMap((file) => {
  const info = ts.preProcessFile(fs.readFileSync(file, 'utf8'), true, true);
  return info.importedFiles
    .filter((f) => f.fileName.startsWith('.'))
    .map((f) => ({ from: file, spec: f.fileName, target: path.resolve(path.dirname(file), f.fileName) }))
    .filter((i) => i.target.startsWith(SRC + path.sep));
});

/** unit → unit → the imports behind that edge. */
const GRAPH = new Map<string, Map<string, Import[]>>();
for (const i of IMPORTS) {
  const a = unitOf(i.from);
  const b = unitOf(i.target);
  if (a === b) continue;
  if (!GRAPH.has(a)) GRAPH.set(a, new Map());
  const edges = GRAPH.get(a)!;
  if (!edges.has(b)) edges.set(b, []);
  edges.get(b)!.push(i);
}
const UNITS = [...new Set([...FILES.map(unitOf), ...[...GRAPH.values()].flatMap((m) => [...m.keys()])])].sort();
const targetsOf = (u: string) => [...(GRAPH.get(u)?.keys() ?? [])].sort();
const evidence = (a: string, b: string) => (GRAPH.get(a)?.get(b) ?? []).map((i) => `src/${rel(i.from)} imports '${i.spec}'`);

/** Tarjan's strongly connected components: the groups of units that reach each other. */
function components(): string[][] {
  let next = 0;
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const out: string[][] = [];
  const visit = (v: string) => {
    index.set(v, next);
    low.set(v, next);
    next++;
    stack.push(v);
    onStack.add(v);
    for (const w of targetsOf(v)) {
      if (!index.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (onStack.has(w)) {
        low.set(v, Math.min(low.get(v)!, index.get(w)!));
      }
    }
    if (low.get(v) === index.get(v)) {
      const scc: string[] = [];
      let w: string;
      do {
        w = stack.pop()!;
        onStack.delete(w);
        scc.push(w);
      } while (w !== v);
      out.push(scc.sort());
    }
  };
  for (const u of UNITS) if (!index.has(u)) visit(u);
  return out;
}

/** One shortest way round, from `start` back to it, inside the component. */
function shortestCycle(start: string, within: Set<string>): string[] {
  const prev = new Map<string, string>();
  const queue = [start];
  while (queue.length) {
    const v = queue.shift()!;
    for (const w of targetsOf(v)) {
      if (!within.has(w)) continue;
      if (w === start) {
        const pathBack = [v];
        while (pathBack[0] !== start) pathBack.unshift(prev.get(pathBack[0])!);
        return [...pathBack, start];
      }
      if (!prev.has(w)) {
        prev.set(w, v);
        queue.push(w);
      }
    }
  }
  return [start];
}

/** A group of folders that reach each other, as its shortest cycles (one through each member) with their imports. */
function describeCycle(scc: string[]): string {
  const within = new Set(scc);
  const seen = new Set<string>();
  const lines = [`${scc.join(', ')} import each other:`];
  for (const start of scc) {
    const round = shortestCycle(start, within);
    // The same cycle found from another of its members is said once.
    const ring = round.slice(0, -1);
    const first = ring.indexOf([...ring].sort()[0]);
    const key = [...ring.slice(first), ...ring.slice(0, first)].join(' → ');
    if (seen.has(key)) continue;
    seen.add(key);
    lines.push(`  ${round.join(' → ')}`);
    for (let k = 0; k + 1 < round.length; k++) lines.push(...evidence(round[k], round[k + 1]).map((e) => `      ${e}`));
  }
  return lines.join('\n');
}

/** Entry points and composition roots: they wire everything, so they may import anything and nothing imports them. */
const ROOTS = ['app', 'context', 'server', 'cli', 'demo'];

describe('folders under src/', () => {
  it('are read correctly (the graph has the edges it must have)', () => {
    expect(targetsOf('app')).toContain('context');
    expect(targetsOf('issues')).toContain('submissions');
    // import type counts: access/service.ts names auth's UserRepo only as a type.
    expect(evidence('access', 'auth').some((e) => e.startsWith('src/access/service.ts'))).toBe(true);
  });

  it('do not import each other in a circle', () => {
    const cycles = components().filter((c) => c.length > 1);
    expect(cycles.map(describeCycle).join('\n\n')).toBe('');
  });

  it('lib/ imports no domain: only lib/ itself and paths.ts, which imports nothing from src/', () => {
    const wrong = targetsOf('lib').filter((u) => u !== 'paths').flatMap((u) => evidence('lib', u));
    expect(wrong).toEqual([]);
    expect(targetsOf('paths')).toEqual([]);
  });

  it('entry points and composition roots (app, context, server, cli, demo) are imported by none of the others', () => {
    const wrong = UNITS.filter((a) => !ROOTS.includes(a))
      .flatMap((a) => targetsOf(a).filter((b) => ROOTS.includes(b)).flatMap((b) => evidence(a, b)));
    expect(wrong).toEqual([]);
  });
});

// ---- SQL only in the data layer ----

/** The data layer: src/db/ (connections, migrations, backups, the search index's tokens) and each domain's repo. */
const isDataLayer = (file: string) => rel(file).startsWith('db/') || /(^|\/|-)repo\.ts$/.test(rel(file));

/**
 * Files outside the data layer that may still hold SQL, each with its reason. Empty: every statement has a repo or
 * lives in db/. An entry whose file no longer holds SQL fails the test, so the list only shrinks.
 */
const SQL_ALLOWED: Record<string, string> = {};

/** SQL as this codebase writes it (keywords in capitals), in a string or template literal. */
const SQL_PATTERNS = [
  /\bSELECT\b[\s\S]*\bFROM\b/,
  /\bINSERT\s+(?:OR\s+\w+\s+)?INTO\b/,
  /\bUPDATE\s+\w+\s+SET\b/,
  /\bDELETE\s+FROM\b/,
  /\b(?:CREATE|DROP|ALTER)\s+(?:TEMP\s+|VIRTUAL\s+|UNIQUE\s+)?(?:TABLE|INDEX|TRIGGER|VIEW)\b/,
  /\bPRAGMA\b/,
  /\bVACUUM\b/,
  /\bBEGIN\s+(?:IMMEDIATE|EXCLUSIVE|DEFERRED)\b/,
];

/** Where a file runs SQL: better-sqlite3's prepare() and pragma(), exec() of a literal, and SQL in literals. */
function sqlIn(file: string): string[] {
  const text = fs.readFileSync(file, 'utf8');
  const source = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true);
  const found: string[] = [];
  const at = (node: ts.Node, what: string) => {
    const line = source.getLineAndCharacterOfPosition(node.getStart(source)).line + 1;
    found.push(`src/${rel(file)}:${line} ${what}`);
  };
  const literalText = (node: ts.Node): string | null => {
    if (ts.isStringLiteral(node) || ts.isNoSubstitutionTemplateLiteral(node)) return node.text;
    if (ts.isTemplateExpression(node)) return [node.head.text, ...node.templateSpans.map((s) => s.literal.text)].join(' ? ');
    return null;
  };
  const visit = (node: ts.Node) => {
    if (ts.isCallExpression(node) && ts.isPropertyAccessExpression(node.expression)) {
      const method = node.expression.name.text;
      const first = node.arguments[0];
      // RegExp#exec takes the text to match, never a literal; Database#exec takes SQL.
      if (method === 'prepare' || method === 'pragma' || (method === 'exec' && first && literalText(first) !== null)) {
        at(node, `.${method}(…)`);
      }
    }
    const literal = literalText(node);
    if (literal !== null) {
      const pattern = SQL_PATTERNS.find((p) => p.test(literal));
      if (pattern) at(node, `SQL in a literal: ${JSON.stringify(literal.slice(0, 60))}`);
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return found;
}

describe('SQL', () => {
  it('is found where it is (the detector sees the repos\' statements)', () => {
    expect(sqlIn(path.join(SRC, 'submissions/repo.ts')).length).toBeGreaterThan(0);
    expect(sqlIn(path.join(SRC, 'db/migrate.ts')).length).toBeGreaterThan(0);
    // A regular expression's exec() is not SQL.
    expect(sqlIn(path.join(SRC, 'submissions/form-token.ts'))).toEqual([]);
  });

  it('lives only in the data layer (src/db/ and repo.ts files)', () => {
    const outside = FILES.filter((f) => !isDataLayer(f) && !(rel(f) in SQL_ALLOWED)).flatMap(sqlIn);
    expect(outside).toEqual([]);
  });

  it('allow-list entries still hold SQL and give a reason', () => {
    const stale = Object.entries(SQL_ALLOWED)
      .filter(([file, reason]) => !reason.trim() || !fs.existsSync(path.join(SRC, file)) || sqlIn(path.join(SRC, file)).length === 0)
      .map(([file]) => file);
    expect(stale).toEqual([]);
  });
});
