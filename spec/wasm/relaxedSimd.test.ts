/**
 * Relaxed SIMD and the kernel IR's `fma`: the evaluator's fused rounding against exact rational
 * arithmetic (BigInt), the SSMJIT_WASM_RELAXED_SIMD switch, the renderer's choice of
 * instruction, and the matmul tiles the jit picks. This file runs in both vitest projects:
 * without the switch (Node 20: no relaxed SIMD) and with it (`wasm-relaxed-simd`).
 */
import { describe, expect, it } from 'vitest';
import * as T from '../../src/index';
import { Block, END, START, fma, i32, imul, load } from '../../kernels/ir/build';
import { fusedMultiplyAdd } from '../../kernels/ir/evaluate';
import type { Kernel } from '../../kernels/ir/types';
import { RELAXED_SIMD_ENV, relaxedSimdSwitch, wasmFeatures } from '../../kernels/wasm/features';
import { renderModule } from '../../kernels/wasm/render';
import { MR, MR_FMA } from '../../kernels/cpu/matmul';
import { runOnEvaluator, runOnWasm, type TestBuffer } from './harness';

const bits = new Int32Array(1);
const asF32 = new Float32Array(bits.buffer);

/** A finite float32 as sign · m · 2^e with an integer m. */
function decompose(x: number): { neg: boolean; m: bigint; e: number } {
  asF32[0] = x;
  const exp = (bits[0] >>> 23) & 255;
  const frac = bits[0] & 0x7fffff;
  return { neg: bits[0] < 0, m: BigInt(exp === 0 ? frac : frac | 0x800000), e: exp === 0 ? -149 : exp - 150 };
}

/** a·b + c for finite float32 values, computed exactly and rounded once to float32 (ties to even). */
function exactFma(a: number, b: number, c: number): number {
  const [A, B, C] = [decompose(a), decompose(b), decompose(c)];
  const pNeg = A.neg !== B.neg;
  const pm = A.m * B.m;
  const pe = A.e + B.e;
  const e0 = Math.min(pe, C.e);
  const n = (pNeg ? -pm : pm) * (1n << BigInt(pe - e0)) + (C.neg ? -C.m : C.m) * (1n << BigInt(C.e - e0));
  if (n === 0n) return pm === 0n && C.m === 0n && pNeg && C.neg ? -0 : 0;
  const neg = n < 0n;
  const mag = neg ? -n : n;
  const lead = e0 + mag.toString(2).length - 1;
  const q = Math.max(lead - 23, -149);
  const shift = q - e0;
  let value: number;
  if (shift <= 0) value = Number(mag) * 2 ** e0;
  else {
    let r = mag >> BigInt(shift);
    const rest = mag - (r << BigInt(shift));
    const half = 1n << BigInt(shift - 1);
    if (rest > half || (rest === half && (r & 1n) === 1n)) r += 1n;
    value = Number(r) * 2 ** q;
    if (value >= 2 ** 128) value = Infinity;
  }
  return neg ? -value : value;
}

let seed = 99;
const rand = (): number => {
  seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
  return seed / 2 ** 32;
};
const randomF32 = (spread: number): number => Math.fround((rand() - 0.5) * 2 ** Math.floor((rand() - 0.5) * spread));

describe('the evaluator\'s fused fma = a·b + c rounded once (exact BigInt arithmetic)', () => {
  it('on constructed ties, cancellations, subnormals and overflow', () => {
    const t = 2 ** -12;
    const cases: [number, number, number][] = [
      // a·b = 1 + 2^-11 + 2^-24 is a float32 tie: a tiny addend decides it (rounding the float64
      // sum to float32 would round twice and take the even side).
      [1 + t, 1 + t, 2 ** -60],
      [1 + t, 1 + t, -(2 ** -60)],
      [-(1 + t), 1 + t, 2 ** -60],
      [1 + t, 1 - t, -1],
      [3, Math.fround(1 / 3), -1],
      [Math.fround(0.1), 10, -1],
      [2 ** -75, 2 ** -75, 2 ** -149],
      [1e-40, 1e-5, -1e-45],
      [2 ** 64, 2 ** 64, -(2 ** 127)],
      [2 ** 64, 2 ** 64, 2 ** 127],
      [-0, 5, -0],
      [0, -5, 0],
      [1, 1, -1],
      [Math.fround(3e38), 2, Math.fround(-3e38)],
    ];
    for (const [a, b, c] of cases.map((abc) => abc.map(Math.fround))) expect(fusedMultiplyAdd(a, b, c), `fma(${a}, ${b}, ${c})`).toBe(exactFma(a, b, c));
  });

  it('on 20,000 random triples, half of them nearly cancelling', () => {
    let bad = '';
    for (let i = 0; i < 20000 && !bad; i++) {
      const a = randomF32(40);
      const b = randomF32(40);
      const c = i % 2 ? Math.fround(-Math.fround(a * b) * (1 + (rand() - 0.5) * 2 ** -20)) : randomF32(60);
      const got = fusedMultiplyAdd(a, b, c);
      const want = exactFma(a, b, c);
      if (!Object.is(got, want)) bad = `fma(${a}, ${b}, ${c}) = ${got}, exact ${want}`;
    }
    expect(bad).toBe('');
  });
});

describe(`${RELAXED_SIMD_ENV}`, () => {
  it('reads 1 (ask the engine), 0 (do not use) or nothing, and names a bad value', () => {
    expect(relaxedSimdSwitch('1')).toBe('on');
    expect(relaxedSimdSwitch('0')).toBe('off');
    expect(relaxedSimdSwitch(undefined)).toBeUndefined();
    expect(relaxedSimdSwitch('')).toBeUndefined();
    expect(() => relaxedSimdSwitch('yes')).toThrow(/SSMJIT_WASM_RELAXED_SIMD=yes: expected 1 .* or 0/);
  });

  it('decides what the probe reports in this process', () => {
    const set = process.env[RELAXED_SIMD_ENV];
    // V8 has relaxed SIMD since Node 20 (behind a flag there): switched on, the probe says yes.
    if (set === '1') expect(wasmFeatures.relaxedSimd).toBe(true);
    if (set === '0') expect(wasmFeatures.relaxedSimd).toBe(false);
    if (set === undefined && process.versions.node.startsWith('20.') && !process.execArgv.some((a) => a.includes('relaxed-simd'))) {
      expect(wasmFeatures.relaxedSimd).toBe(false);
    }
  });
});

/** A kernel writing fma(a, b, c) of 64 elements, as f32x4 (units of 4) and one scalar. */
function fmaKernel(): Kernel {
  const body = new Block();
  body.for(START, END, (u, b) => {
    const at = b.bind(imul(u, i32(4)));
    b.store('out', at, fma(load('a', at, 'f32x4'), load('b', at, 'f32x4'), load('c', at, 'f32x4')));
  });
  body.store('out', i32(64), fma(load('a', i32(0)), load('b', i32(0)), load('c', i32(0))));
  return { name: 'fma', units: 16, unitCost: 2, body: body.stmts };
}

describe('fma on wasm', () => {
  // Ties a·b + tiny (fused and separate differ in every lane) and random values.
  const t = 2 ** -12;
  const a = Float32Array.from({ length: 64 }, (_, i) => (i % 2 ? 1 + t : randomF32(20)));
  const b = Float32Array.from({ length: 64 }, (_, i) => (i % 2 ? 1 + t : randomF32(20)));
  const c = Float32Array.from({ length: 64 }, (_, i) => (i % 2 ? 2 ** -60 : randomF32(20)));
  a[0] = b[0] = 1 + t;
  c[0] = 2 ** -60;
  const buffers: TestBuffer[] = [
    ...(['a', 'b', 'c'] as const).map((id, k) => ({ id, size: 64, storage: 'f32' as const, kind: 'input' as const, data: [a, b, c][k] })),
    { id: 'out', size: 65, storage: 'f32', kind: 'temp', data: new Float32Array(65) },
  ];
  const same = (x: ArrayLike<number>, y: ArrayLike<number>): boolean => Array.from(x).every((v, i) => Object.is(v, y[i]));

  it('renders as f32x4.relaxed_madd only when asked, and the engine validates it as the probe says', () => {
    const render = (relaxedSimd: boolean) =>
      renderModule([fmaKernel()], { memory: { module: 'env', name: 'memory', initial: 1, maximum: 1, shared: false }, address: (buf) => 1024 * 'abco'.indexOf(buf[0]), functions: new Map(), relaxedSimd }).bytes;
    const hasMadd = (bytes: Uint8Array): boolean => bytes.some((x, i) => x === 0xfd && bytes[i + 1] === 0x85 && bytes[i + 2] === 0x02);
    expect(hasMadd(render(true))).toBe(true);
    expect(hasMadd(render(false))).toBe(false);
    const validate = (bytes: Uint8Array): boolean => (globalThis as unknown as { WebAssembly: { validate(b: Uint8Array): boolean } }).WebAssembly.validate(bytes);
    expect(validate(render(true))).toBe(wasmFeatures.relaxedSimd);
    expect(validate(render(false))).toBe(true);
  });

  it('gives the evaluator\'s separate result as a multiply and an add, fused or separate (all lanes alike) as relaxed_madd', async () => {
    const separate = runOnEvaluator(buffers, [fmaKernel()]).get('out')!;
    const fused = runOnEvaluator(buffers, [fmaKernel()], new Map(), 1, 'fused').get('out')!;
    expect(Array.from(separate).some((v, i) => !Object.is(v, fused[i]))).toBe(true);
    expect(same((await runOnWasm(buffers, [fmaKernel()], new Map(), { relaxedSimd: false })).get('out')!, separate)).toBe(true);
    if (!wasmFeatures.relaxedSimd) return;
    const relaxed = (await runOnWasm(buffers, [fmaKernel()], new Map(), { relaxedSimd: true })).get('out')!;
    const which = same(relaxed, fused) ? 'fused' : same(relaxed, separate) ? 'separate' : 'neither';
    console.log(`relaxed_madd on this machine: ${which}`);
    expect(which).not.toBe('neither');
  });
});

describe('the jit\'s matmul tiles follow the engine', () => {
  it(`uses ${MR_FMA}-row fma tiles with relaxed SIMD, else ${MR}-row ones`, async () => {
    const x = T.tensor(Float32Array.from({ length: 24 * 16 }, (_, i) => (i % 7) - 3), 'f32', [24, 16]);
    const w = T.tensor(Float32Array.from({ length: 16 * 8 }, (_, i) => (i % 5) - 2), 'f32', [16, 8]);
    const lowered = await T.jit((p: typeof x, q: typeof w) => T.matmul(p, q), { backend: 'wasm' }).lower(x, w);
    const tiles = lowered.kernelProgram!.program.kernels.find((k) => k.name.endsWith('_tiles') || k.template === 'matmul_tiles');
    expect(tiles, lowered.kernelProgram!.program.kernels.map((k) => k.name).join(', ')).toBeDefined();
    expect(tiles!.units).toBe(24 / (wasmFeatures.relaxedSimd ? MR_FMA : MR));
  });
});
