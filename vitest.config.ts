import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['spec/**/*.test.ts'],
    testTimeout: 120_000,
    hookTimeout: 120_000,
    pool: 'forks',
    typecheck: { enabled: true, include: ['spec/**/*.test-d.ts'], tsconfig: './tsconfig.json' },
  },
});
