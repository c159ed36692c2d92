// ESLint (flat config) with typescript-eslint; Prettier owns the layout, so its conflicting rules are off.
import js from '@eslint/js';
import prettier from 'eslint-config-prettier';
import globals from 'globals';
import tseslint from 'typescript-eslint';

/** The data-layer decision (docs/ARCHITECTURE.md): services do not reach the ORM's unit of work. */
const NO_ENTITY_MANAGER_QUERIES = {
  selector:
    "CallExpression[callee.object.name='em'][callee.property.name=/^(find|findOne|findOneOrFail|findAll|findAndCount|count|persist|persistAndFlush|remove|removeAndFlush|flush)$/], CallExpression[callee.object.property.name='em'][callee.property.name=/^(find|findOne|findOneOrFail|findAll|findAndCount|count|persist|persistAndFlush|remove|removeAndFlush|flush)$/]",
  message:
    'Reach the database through SQL in a data-layer module (sql(em), RawSql), not the shared EntityManager: its identity map would leak entities between requests.',
};

export default tseslint.config(
  { ignores: ['dist/', 'node_modules/', 'test-artifacts/', 'coverage/', 'data/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { ...globals.node } },
    rules: {
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' },
      ],
      eqeqeq: ['error', 'always'],
      // Input rules match control characters on purpose (they would corrupt CSV rows and chat replies).
      'no-control-regex': 'off',
      'no-restricted-syntax': ['error', NO_ENTITY_MANAGER_QUERIES],
    },
  },
  {
    // Tests and benches talk to fakes and raw JSON: `any` is the honest type there.
    files: ['test/**/*.ts', 'bench/**/*.ts'],
    rules: { '@typescript-eslint/no-explicit-any': 'off', 'no-restricted-syntax': 'off' },
  },
  {
    files: ['src/web/public/**/*.js'],
    languageOptions: { sourceType: 'module', globals: { ...globals.browser } },
  },
  {
    files: ['src/web/public/sw.js'],
    languageOptions: { sourceType: 'script', globals: { ...globals.serviceworker } },
  },
  {
    files: ['bench/**/*.js', 'scripts/**/*.js', 'test/**/*.js', '*.js'],
    languageOptions: { sourceType: 'commonjs', globals: { ...globals.node } },
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
  prettier,
);
