// ESLint over every TypeScript file tsconfig.json includes (src, test, bench, dashboards, deploy, the vitest
// configs) with typescript-eslint's type-aware presets, strict and stylistic. Formatting is Prettier's
// (prettier.config.js), so no formatting rule is on here: neither preset has any since typescript-eslint 8.
import js from '@eslint/js';
import { defineConfig, globalIgnores } from 'eslint/config';
import globals from 'globals';
import tseslint from 'typescript-eslint';

export default defineConfig(
  globalIgnores(['dist/', 'coverage/', 'native/build/', 'test/fixtures/**/*.json']),
  js.configs.recommended,
  tseslint.configs.strictTypeChecked,
  tseslint.configs.stylisticTypeChecked,
  {
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    // An eslint-disable comment that no longer suppresses anything is an error, so none goes stale.
    linterOptions: { reportUnusedDisableDirectives: 'error' },
    rules: {
      // Numbers, regexps and possibly-missing values print as meant in messages and labels; under
      // noUncheckedIndexedAccess every bounded `fields[i]` is `T | undefined`. Objects, arrays and any stay errors.
      '@typescript-eslint/restrict-template-expressions': ['error', { allowNumber: true, allowRegExp: true, allowNullish: true }],
      // It rewrites `x as T` into `x!`, which no-non-null-assertion (strict) forbids: the two contradict.
      '@typescript-eslint/non-nullable-type-assertion-style': 'off',
      // It trusts declared types over the running program: cleanup of a `let` that beforeAll may not have set,
      // flags a callback flips inside a loop, defensive checks on values from JSON, the addon or a caught error.
      '@typescript-eslint/no-unnecessary-condition': 'off',
      // The same trust in declared types: `stdout?.readableEnded === false` and `String(error.message)` guard
      // values declared present but not guaranteed (a stream execa did not open, a message of a non-Error throw).
      '@typescript-eslint/no-unnecessary-boolean-literal-compare': 'off',
      '@typescript-eslint/no-unnecessary-type-conversion': 'off',
      // `() => resolve()` and `(line) => lines.push(line)` callbacks are the idiom; a void value assigned or
      // placed inside another expression is still reported.
      '@typescript-eslint/no-confusing-void-expression': ['error', { ignoreArrowShorthand: true }],
      // An async function without await implements a Promise-returning interface (close, cleanup, read) and
      // turns a throw into a rejection; dropping `async` would change that.
      '@typescript-eslint/require-await': 'off',
      // Collector contexts are plain objects of closures (`intern`, `family`, `read`/`parse`), declared with
      // method syntax and destructured in each collect(); none uses `this`.
      '@typescript-eslint/unbound-method': 'off',
      // Passing on a caught `unknown` as it is: wrapping it in an Error would hide what was thrown.
      '@typescript-eslint/prefer-promise-reject-errors': ['error', { allowThrowingUnknown: true }],
      // Matching control bytes is the point where it appears: iproute2's raw bytes in names, header values.
      'no-control-regex': 'off',
      // A leading underscore marks a parameter a signature needs (express's four-argument error handler) or
      // a property destructured away from the rest.
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrorsIgnorePattern: '^_', ignoreRestSiblings: true },
      ],
    },
  },
  {
    // Code that runs under a test or a person, never on a host: tests, benches, the dashboard generators.
    files: ['test/**', 'bench/**', 'dashboards/**'],
    rules: {
      // A lookup the test has just asserted, then dereferenced: a wrong `!` fails the test with a TypeError.
      '@typescript-eslint/no-non-null-assertion': 'off',
      // Grafana's SDK types `type` as a string enum; the boards these read are parsed JSON holding the string.
      '@typescript-eslint/no-unsafe-enum-comparison': 'off',
    },
  },
  {
    files: ['test/**'],
    rules: {
      // Tests walk parsed YAML and JSON documents (manifests, dashboards, `ip -j` output) whose shape is what
      // they assert; a wrong path fails the assertion. The source keeps these rules.
      '@typescript-eslint/no-unsafe-argument': 'off',
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-call': 'off',
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-return': 'off',
      // `delete process.env[name]` is how a test unsets the variable it set.
      '@typescript-eslint/no-dynamic-delete': 'off',
    },
  },
  {
    // Plain JavaScript (these configs, the addon build script, the fixture capture script) is in no tsconfig.
    files: ['**/*.js', '**/*.mjs'],
    extends: [tseslint.configs.disableTypeChecked],
    languageOptions: { globals: globals.node },
  },
);
