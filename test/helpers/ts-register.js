// Lets child processes in tests run the TypeScript sources directly (`node -r ./test/helpers/ts-register.js src/server.ts`)
// without a build step: each .ts file is transpiled on load with the project's own TypeScript.
'use strict';
const fs = require('node:fs');
const ts = require('typescript');

require.extensions['.ts'] = function register(module, filename) {
  const source = fs.readFileSync(filename, 'utf8');
  const out = ts.transpileModule(source, {
    fileName: filename,
    compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022, esModuleInterop: true, sourceMap: false },
  });
  module._compile(out.outputText, filename);
};
