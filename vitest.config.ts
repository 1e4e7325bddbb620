import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  // Examples import the package by its name, as users do; in the specs that is the sources.
  resolve: {
    alias: [
      { find: /^ssmjit$/, replacement: fileURLToPath(new URL('./src/index.ts', import.meta.url)) },
      { find: /^ssmjit\/(nn|optim|train|data)$/, replacement: fileURLToPath(new URL('./src/api/$1.ts', import.meta.url)) },
    ],
  },
  test: {
    include: ['spec/**/*.test.ts'],
    testTimeout: 120_000,
    hookTimeout: 120_000,
    pool: 'forks',
    typecheck: { enabled: true, include: ['spec/**/*.test-d.ts'], tsconfig: './tsconfig.json' },
  },
});
