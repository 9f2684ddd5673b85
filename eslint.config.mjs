// Only the checks that the move to an asynchronous data layer needs (src/db/engine.ts): a promise that nobody
// awaits, or one used where a value was meant (`if (repo.exists(id))` is always true), is a bug the compiler lets
// through. Style is left to the code's own habits.
import tseslint from 'typescript-eslint';

export default tseslint.config({ ignores: ['dist/', 'data/', 'coverage/', 'test/artifacts/'] }, {
  files: ['src/**/*.ts', 'test/**/*.ts', 'bench/**/*.ts'],
  languageOptions: {
    parser: tseslint.parser,
    parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
  },
  plugins: { '@typescript-eslint': tseslint.plugin },
  // The code's disable comments name rules of a wider style check, not run here.
  linterOptions: { reportUnusedDisableDirectives: 'off' },
  rules: {
    '@typescript-eslint/no-floating-promises': 'error',
    '@typescript-eslint/no-misused-promises': 'error',
    '@typescript-eslint/await-thenable': 'error',
    // `{ ...formLocals() }` of an async function spreads nothing. (Spreading a string into characters is meant.)
    // `${repo.count()}` of an async function prints "[object Promise]".
    '@typescript-eslint/restrict-template-expressions': ['error', {
      allowAny: true, allowBoolean: true, allowNullish: true, allowNumber: true, allowRegExp: true, allowNever: true, allowArray: true,
    }],
    '@typescript-eslint/no-misused-spread': ['error', { allow: [{ from: 'lib', name: 'string' }] }],
  },
});
