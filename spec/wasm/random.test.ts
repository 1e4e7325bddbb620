// The CPU template of random_bits (kernels/cpu/random.ts) against the interpreter's Threefry
// (compiler/interpreter/random.ts, itself checked against the Random123 known answers in
// spec/core/random.test.ts): exact equality of every element for keys with and without the high
// bits set and shapes of odd, even and large sizes, on the evaluator (small sizes, launches cut
// at random unit boundaries) and on wasm (all sizes, split across the pool's threads); keys read
// through offset and strided views; an output at an offset; counters past 2^24 (sampled); the
// split → bits chain (a kernel reading its key from the previous kernel's output); a traced
// T.random.split program evaluated by the interpreter; and a Random123 known answer. The speed
// on wasm (2^20 elements, 1 and 2 threads) is logged by a test that runs only with SSMJIT_SPEED=1.
import { describe, expect, it } from 'vitest';
import { evalIR } from '../../compiler/interpreter/index';
import { randomBits as interpreterBits, threefry2x32 } from '../../compiler/interpreter/random';
import { BLOCK, randomBits } from '../../kernels/cpu/random';
import type { TemplateContext, View } from '../../kernels/cpu/template';
import { typecheckKernel } from '../../kernels/ir/typecheck';
import type { Kernel } from '../../kernels/ir/types';
import { WasmRuntime } from '../../kernels/wasm/runtime';
import * as T from '../../src/index';
import { runOnEvaluator, runOnWasm, type TestBuffer } from './harness';

const ctx = (threads = 2): TemplateContext => ({
  name: 'random_bits',
  threads,
  scratch: () => {
    throw new Error('random_bits needs no scratch');
  },
  constant: () => {
    throw new Error('random_bits needs no constants');
  },
});

/** Keys as signed i32 pairs: zero, small, all ones, the Random123 test key, high bits set. */
const KEYS: readonly [number, number][] = [
  [0, 0],
  [0, 42],
  [-1, -1],
  [0x13198a2e, 0x03707344],
  [-0x80000000, 7],
  [123456789, -987654321],
];
const SHAPES: readonly number[][] = [[1], [2], [3], [5], [1000], [70000], [3, 7, 11]];
const EVALUATOR_SHAPES: readonly number[][] = [[1], [2], [3], [5], [3, 7, 11]];

const sizeOf = (s: readonly number[]): number => s.reduce((a, b) => a * b, 1);

interface Case {
  readonly buffers: TestBuffer[];
  readonly kernels: Kernel[];
  /** Reads the n generated words out of the output buffer. */
  readonly bits: (mem: Map<string, Float32Array | Int32Array>) => Int32Array;
}

/**
 * random_bits(key, shape) as buffers and kernels. The key sits at `keyOffset` with element
 * stride `keyStride` in a buffer of other words; the output at `outOffset` of its buffer.
 */
function build(key: readonly [number, number], shape: readonly number[], keyOffset = 0, keyStride = 1, outOffset = 0): Case {
  const n = sizeOf(shape);
  const keyData = new Int32Array(keyOffset + keyStride + 1).fill(0x5a5a5a5a);
  keyData[keyOffset] = key[0];
  keyData[keyOffset + keyStride] = key[1];
  const strides = shape.map((_, a) => sizeOf(shape.slice(a + 1)));
  const keyView: View = { buf: 'key', dtype: 'i32', shape: [2], strides: [keyStride], offset: keyOffset };
  const outView: View = { buf: 'out', dtype: 'i32', shape, strides, offset: outOffset };
  const kernels = randomBits(ctx(), keyView, outView);
  const buffers: TestBuffer[] = [
    { id: 'key', size: keyData.length, storage: 'i32', kind: 'input', data: keyData },
    { id: 'out', size: outOffset + n, storage: 'i32', kind: 'input', data: new Int32Array(outOffset + n).fill(0x77777777) },
  ];
  for (const k of kernels) typecheckKernel(k, buffers);
  return { buffers, kernels, bits: (mem) => (mem.get('out') as Int32Array).slice(outOffset, outOffset + n) };
}

/** The interpreter's bits (float64 holding signed i32 words), as an Int32Array. */
const expected = (key: readonly [number, number], n: number): Int32Array => Int32Array.from(interpreterBits(key[0], key[1], n));

/** Index of the first differing element (for a readable failure), or -1. */
function firstDifference(got: Int32Array, want: Int32Array): number {
  if (got.length !== want.length) return Math.min(got.length, want.length);
  for (let i = 0; i < got.length; i++) if (got[i] !== want[i]) return i;
  return -1;
}

const label = (key: readonly number[]): string => key.map((w) => `0x${(w >>> 0).toString(16)}`).join(',');

/**
 * The dropout chain as the lowering runs it: random_bits[2, 2] of the input key (T.random.split),
 * then random_bits[shape] reading row 1 of that buffer as its key (slice + reshape: a view at
 * offset 2) — two kernels in order, the second's key written by the first.
 */
function splitChain(key: readonly [number, number], shape: readonly number[]): Case {
  const n = sizeOf(shape);
  const keys: View = { buf: 'keys', dtype: 'i32', shape: [2, 2], strides: [2, 1], offset: 0 };
  const kernels = [
    ...randomBits(ctx(), { buf: 'key', dtype: 'i32', shape: [2], strides: [1], offset: 0 }, keys),
    ...randomBits(ctx(), { buf: 'keys', dtype: 'i32', shape: [2], strides: [1], offset: 2 }, { buf: 'out', dtype: 'i32', shape, strides: shape.map((_, a) => sizeOf(shape.slice(a + 1))), offset: 0 }),
  ];
  const buffers: TestBuffer[] = [
    { id: 'key', size: 2, storage: 'i32', kind: 'input', data: Int32Array.from(key) },
    { id: 'keys', size: 4, storage: 'i32', kind: 'temp', data: new Int32Array(4) },
    { id: 'out', size: n, storage: 'i32', kind: 'input', data: new Int32Array(n) },
  ];
  for (const k of kernels) typecheckKernel(k, buffers);
  return { buffers, kernels, bits: (mem) => mem.get('out') as Int32Array };
}

/** The interpreter's bits from the second key of split(key): bits(bits(key, [2, 2])[1], n). */
function expectedAfterSplit(key: readonly [number, number], n: number): Int32Array {
  const split = expected(key, 4);
  return expected([split[2], split[3]], n);
}

describe('random_bits on the evaluator', () => {
  for (const key of KEYS) {
    it.each(EVALUATOR_SHAPES.map((s) => [s]))(`key ${label(key)}, shape %j`, (shape) => {
      const c = build(key, shape);
      const got = c.bits(runOnEvaluator(c.buffers, c.kernels, new Map(), 7));
      expect(firstDifference(got, expected(key, sizeOf(shape)))).toBe(-1);
    });
  }

  it('1000 elements (four units, cut at random unit boundaries)', () => {
    const key = KEYS[5];
    const c = build(key, [1000]);
    expect(c.kernels[0].units).toBe(Math.ceil(1000 / BLOCK));
    for (const seed of [1, 2, 3]) {
      expect(firstDifference(c.bits(runOnEvaluator(c.buffers, c.kernels, new Map(), seed)), expected(key, 1000))).toBe(-1);
    }
  });

  it('reads the key through an offset, strided view and writes at an output offset', () => {
    const key = KEYS[4];
    const c = build(key, [13], 3, 2, 5);
    const mem = runOnEvaluator(c.buffers, c.kernels);
    expect(firstDifference(c.bits(mem), expected(key, 13))).toBe(-1);
    expect(Array.from((mem.get('out') as Int32Array).slice(0, 5))).toEqual(new Array(5).fill(0x77777777));
  });

  it('split then bits: the second kernel reads its key from the output of the first', () => {
    const c = splitChain(KEYS[4], [3, 5]);
    expect(firstDifference(c.bits(runOnEvaluator(c.buffers, c.kernels)), expectedAfterSplit(KEYS[4], 15))).toBe(-1);
  });

  it('matches random_bits evaluated by the interpreter in a traced T.random.split program', () => {
    const traced = T.makeIR((k: T.random.Key) => T.random.split(k, 3))(T.spec([2], 'i32'));
    expect(traced.ir.eqns.some((e) => e.prim === 'random_bits')).toBe(true);
    for (const seed of [7, 2 ** 32 - 1, 2 ** 40 + 12345]) {
      const k = T.random.key(seed);
      const words = Array.from(k.data64()) as [number, number];
      const outs = evalIR(traced.ir, traced.consts.map((t) => t.value()), [k.value()]);
      const want = Int32Array.from(outs.flatMap((o) => Array.from(o.data)));
      const c = build(words, [3, 2]);
      expect(Array.from(c.bits(runOnEvaluator(c.buffers, c.kernels)))).toEqual(Array.from(want));
    }
  });

  it('element 0 of key (0, 0) is the Random123 known answer threefry2x32_20(ctr (0, 0), key (0, 0)) = 0x6b200159', () => {
    const c = build([0, 0], [1]);
    expect(c.bits(runOnEvaluator(c.buffers, c.kernels))[0]).toBe(0x6b200159 | 0);
  });
});

describe('random_bits on wasm', () => {
  for (const key of KEYS) {
    it.each(SHAPES.map((s) => [s]))(`key ${label(key)}, shape %j`, async (shape) => {
      const c = build(key, shape);
      const got = c.bits(await runOnWasm(c.buffers, c.kernels));
      expect(firstDifference(got, expected(key, sizeOf(shape)))).toBe(-1);
    });
  }

  it('offset, strided key view and output offset', async () => {
    const key = KEYS[2];
    const c = build(key, [70001], 1, 3, 9);
    expect(firstDifference(c.bits(await runOnWasm(c.buffers, c.kernels)), expected(key, 70001))).toBe(-1);
  });

  it('split then bits: the second kernel reads its key from the output of the first', async () => {
    for (const key of KEYS) {
      const c = splitChain(key, [4, 1, 999]);
      expect(firstDifference(c.bits(await runOnWasm(c.buffers, c.kernels)), expectedAfterSplit(key, 3996))).toBe(-1);
    }
  });

  it('counters past 2^24: 2^24 + 7 elements, sampled around 2^16, 2^24 and the end', async () => {
    const key = KEYS[5];
    const n = 2 ** 24 + 7;
    const c = build(key, [n]);
    const got = c.bits(await runOnWasm(c.buffers, c.kernels));
    const at = new Set<number>();
    for (const centre of [0, 2 ** 16, 2 ** 20, 2 ** 24 - 1, n - 1]) for (let d = -600; d <= 600; d++) at.add(centre + d);
    for (let i = 0; i < n; i += 4099) at.add(i);
    const idx = [...at].filter((i) => i >= 0 && i < n).sort((a, b) => a - b);
    const want = idx.map((i) => threefry2x32(key[0], key[1], i, 0)[0] | 0);
    expect(idx.map((i) => got[i])).toEqual(want);
  }, 60_000);
});

describe.runIf(process.env.SSMJIT_SPEED === '1')('random_bits speed on wasm', () => {
  it('2^20 elements with 1 and 2 threads', async () => {
    const n = 2 ** 20;
    for (const threads of [1, 2]) {
      const rt = await WasmRuntime.create(threads);
      const c = build(KEYS[5], [n]);
      const p = await rt.load({ name: 'random_speed', buffers: c.buffers, kernels: c.kernels }, new Map(), new Set(['key', 'out']));
      try {
        p.write('key', c.buffers[0].data);
        for (let i = 0; i < 5; i++) p.run();
        let best = Infinity;
        for (let r = 0; r < 20; r++) {
          const t0 = performance.now();
          p.run();
          best = Math.min(best, performance.now() - t0);
        }
        expect(firstDifference(p.view('out').slice(0, n) as Int32Array, expected(KEYS[5], n))).toBe(-1);
        console.log(`random_bits 2^20, ${threads} thread(s): ${best.toFixed(3)} ms, ${((n / best) * 1e3 / 1e6).toFixed(1)} M words/s, ${((best * 1e6) / n).toFixed(2)} ns/word`);
      } finally {
        p.release();
        rt.pool.close();
      }
    }
  }, 60_000);
});
