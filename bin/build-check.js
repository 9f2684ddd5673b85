'use strict';
// Whether dist/ holds a build of the current src/: `npm start` and the CLI run compiled JavaScript and never
// compile themselves (a production install has no TypeScript), so a missing or stale build is refused with a
// sentence saying how to build. Plain JavaScript, so it runs before anything is built.
const fs = require('node:fs');
const path = require('node:path');

const ROOT = path.join(__dirname, '..');

/** Returns undefined when dist/ is current, else the message for the operator. */
function buildProblem(entry) {
  const how = '请先运行 npm run build（npm install 会自动构建）。 Run `npm run build` first (npm install builds too).';
  if (!fs.existsSync(path.join(ROOT, entry))) {
    return `还没有构建：找不到 ${entry}。${how}\nNot built: ${entry} is missing.`;
  }
  const stale = firstStale(path.join(ROOT, 'src'), path.join(ROOT, 'dist', 'src'));
  if (stale) {
    return `构建已过期：${stale} 比 dist/ 里编译出的文件新（更新代码后需要重新构建）。${how}\n`
      + `The build is out of date: ${stale} is newer than its compiled file in dist/ (rebuild after updating the code).`;
  }
  return undefined;
}

/** The first src/**.ts (relative to the project) whose dist/**.js is missing or older; a few ms for the whole tree. */
function firstStale(srcDir, distDir) {
  for (const entry of fs.readdirSync(srcDir, { withFileTypes: true })) {
    const src = path.join(srcDir, entry.name);
    if (entry.isDirectory()) {
      const found = firstStale(src, path.join(distDir, entry.name));
      if (found) return found;
    } else if (entry.name.endsWith('.ts') && !entry.name.endsWith('.d.ts')) {
      const js = path.join(distDir, entry.name.slice(0, -3) + '.js');
      let built;
      try { built = fs.statSync(js).mtimeMs; } catch { return path.relative(ROOT, src); }
      if (fs.statSync(src).mtimeMs > built) return path.relative(ROOT, src);
    }
  }
  return undefined;
}

/** Exits 1 with the message when the build is missing or stale. */
function requireBuild(entry) {
  const problem = buildProblem(entry);
  if (problem) {
    process.stderr.write(problem + '\n');
    process.exit(1);
  }
}

module.exports = { buildProblem, requireBuild };
