// Lets child processes in tests run the TypeScript sources directly (`node -r ./test/helpers/ts-register.js src/server.ts`)
// without a build step: each .ts file is transpiled on load with the project's own TypeScript.
//
// Transpiled files are cached on disk by their source's hash: every export thread, planning thread and test server
// used to load the TypeScript compiler (~10 MB of JavaScript) and transpile every file again, which made a thread's
// start cost seconds when the suite ran on two busy cores (an export test went past jest's 30 s that way).
'use strict';
const crypto = require('node:crypto');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

const compilerOptions = { module: 'CommonJS', target: 'ES2022', esModuleInterop: true, sourceMap: false };
let ts = null;
const typescript = () => (ts ??= require('typescript'));
const tsVersion = require('typescript/package.json').version;
const cacheDir = path.join(os.tmpdir(), `linsheng-ts-register-${tsVersion}`);

function transpile(source, filename) {
  const key = crypto.createHash('sha256').update(filename).update('\0').update(source).update(JSON.stringify(compilerOptions)).digest('hex');
  const cached = path.join(cacheDir, `${key}.js`);
  try {
    return fs.readFileSync(cached, 'utf8');
  } catch {
    // Not cached yet.
  }
  const t = typescript();
  const out = t.transpileModule(source, {
    fileName: filename,
    compilerOptions: { module: t.ModuleKind.CommonJS, target: t.ScriptTarget.ES2022, esModuleInterop: true, sourceMap: false },
  }).outputText;
  try {
    fs.mkdirSync(cacheDir, { recursive: true });
    // Written under a name of its own, then renamed: a thread reading at the same time sees all of it or nothing.
    const tmp = `${cached}.${process.pid}.${crypto.randomBytes(4).toString('hex')}`;
    fs.writeFileSync(tmp, out);
    fs.renameSync(tmp, cached);
  } catch {
    // A read-only or full temp directory: no cache, same result.
  }
  return out;
}

require.extensions['.ts'] = function register(module, filename) {
  module._compile(transpile(fs.readFileSync(filename, 'utf8'), filename), filename);
};
