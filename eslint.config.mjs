import nextCoreWebVitals from 'eslint-config-next/core-web-vitals';
import nextTypescript from 'eslint-config-next/typescript';

const config = [
  ...nextCoreWebVitals,
  ...nextTypescript,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrorsIgnorePattern: '^_' }],
      'no-restricted-imports': [
        'error',
        {
          paths: [
            { name: 'child_process', importNames: ['exec', 'execSync'], message: 'No shell strings: use server/lib/exec.ts (argument arrays).' },
            { name: 'node:child_process', importNames: ['exec', 'execSync'], message: 'No shell strings: use server/lib/exec.ts (argument arrays).' },
          ],
        },
      ],
    },
  },
  {
    ignores: ['node_modules/**', '.next/**', 'dist/**', 'native/build/**', 'bench/out/**', 'next-env.d.ts', 'test-results/**', 'playwright-report/**'],
  },
];

export default config;
