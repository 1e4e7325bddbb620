import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

/**
 * Specs that run a second time with WebAssembly relaxed SIMD switched on (SSMJIT_WASM_RELAXED_SIMD=1:
 * Node 20 sets V8's --experimental-wasm-relaxed-simd before the feature probe), so the kernel
 * IR's `fma` renders as `f32x4.relaxed_madd`, the matmul template uses its fma tiles and the math
 * library's polynomials (and their error bounds, on the evaluator) round fma fused.
 */
const RELAXED_SIMD_SPECS = ['spec/wasm/matmul.test.ts', 'spec/wasm/math.test.ts', 'spec/wasm/render.test.ts', 'spec/wasm/relaxedSimd.test.ts'];

const common = {
  testTimeout: 120_000,
  hookTimeout: 120_000,
  pool: 'forks' as const,
};

export default defineConfig({
  // Examples import the package by its name, as users do; in the specs that is the sources.
  resolve: {
    alias: [
      { find: /^ssmjit$/, replacement: fileURLToPath(new URL('./src/index.ts', import.meta.url)) },
      { find: /^ssmjit\/(nn|optim|train|data)$/, replacement: fileURLToPath(new URL('./src/api/$1.ts', import.meta.url)) },
    ],
  },
  test: {
    projects: [
      {
        extends: true,
        test: {
          ...common,
          name: 'ssmjit',
          include: ['spec/**/*.test.ts'],
          typecheck: { enabled: true, include: ['spec/**/*.test-d.ts'], tsconfig: './tsconfig.json' },
        },
      },
      {
        extends: true,
        test: {
          ...common,
          name: 'wasm-relaxed-simd',
          include: RELAXED_SIMD_SPECS,
          env: { SSMJIT_WASM_RELAXED_SIMD: '1' },
        },
      },
    ],
  },
});
