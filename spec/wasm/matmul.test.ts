// The CPU matmul template (kernels/cpu/matmul.ts) against a naive float64 triple loop over the
// operand views written here: edge sizes of M, N, K (tiles, panels and k-unrolling all have
// tails), batch axes, transposed, padded, broadcast and c64-part operand views (packed or
// read in place), a strided output, i32 products wrapping at 2^32, and the split-K path. Every
// case typechecks the kernels and runs on the evaluator with launches cut at random unit
// boundaries; the wasm backend runs them too. Both tile shapes run every case: 4×8 (a multiply
// and an add) and the 6×8 tile used where `fma` is one instruction (ctx.fusedMultiplyAdd), the
// latter on the evaluator with fma fused and on wasm as the engine renders it: relaxed SIMD's
// multiply-add under SSMJIT_WASM_RELAXED_SIMD=1 (the `wasm-relaxed-simd` vitest project).
// Tolerance (f32): |C - C64| <= (K + 4)·2^-23·Σ_k |A_ik·B_kj|, the bound of a sequential
// float32 dot product with a 2× margin; i32 results are exact.
import { describe, expect, it } from 'vitest';
import { MR, MR_FMA, NR, matmul, splitK } from '../../kernels/cpu/matmul';
import type { TemplateContext, View } from '../../kernels/cpu/template';
import { typecheckKernel } from '../../kernels/ir/typecheck';
import type { BufferDecl, Kernel } from '../../kernels/ir/types';
import { recordingContext, runOnEvaluator, runOnWasm, type TestBuffer } from './harness';

type DT = 'f32' | 'i32';
type Layout = 'row' | 'col' | 'padded' | 'bcast' | 'part';

/** The two tile shapes: `fma` a multiply and an add (4×8), or one instruction (6×8). */
type Tiles = 'mul-add' | 'fma';
const TILES: readonly Tiles[] = ['mul-add', 'fma'];

/** A template context that records its scratch declarations. */
const context = (threads: number, tiles: Tiles): { ctx: TemplateContext; scratch: BufferDecl[] } => recordingContext('mm', threads, tiles === 'fma');

let seed = 12345;
const rand = (): number => {
  seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
  return seed / 2 ** 32;
};
const randomData = (dt: DT, n: number, wide = false): Float32Array | Int32Array =>
  dt === 'f32'
    ? Float32Array.from({ length: n }, () => 2 * rand() - 1)
    : Int32Array.from({ length: n }, () => (wide ? Math.floor(rand() * 2 ** 32) | 0 : Math.floor(rand() * 21) - 10));

/**
 * An operand `[...batch, rows, cols]` laid out as: row-major; column-major in the last two axes
 * (a transposed view); rows padded by 3 elements behind an offset of 5; one matrix broadcast
 * over the batch (stride 0); or the imaginary parts of an interleaved c64 matrix (stride 2,
 * offset 1).
 */
function operand(id: string, dt: DT, batch: number[], rows: number, cols: number, layout: Layout, wide = false): { view: View; data: Float32Array | Int32Array } {
  const nb = batch.reduce((a, b) => a * b, 1);
  const bstr = (per: number): number[] => batch.map((_, i) => per * batch.slice(i + 1).reduce((a, b) => a * b, 1));
  let strides: number[];
  let size: number;
  let offset = 0;
  if (layout === 'row') [strides, size] = [[...bstr(rows * cols), cols, 1], nb * rows * cols];
  else if (layout === 'col') [strides, size] = [[...bstr(rows * cols), 1, rows], nb * rows * cols];
  else if (layout === 'padded') {
    offset = 5;
    [strides, size] = [[...bstr(rows * (cols + 3)), cols + 3, 1], 5 + nb * rows * (cols + 3)];
  } else if (layout === 'part') {
    // The imaginary parts of a c64 matrix (the views the c64 matmul splits into).
    offset = 1;
    [strides, size] = [[...bstr(2 * rows * cols), 2 * cols, 2], 2 * nb * rows * cols];
  } else [strides, size] = [[...batch.map(() => 0), cols, 1], rows * cols];
  return { view: { buf: id, dtype: dt, shape: [...batch, rows, cols], strides, offset }, data: randomData(dt, Math.max(size, 1), wide) };
}

/** Element `coords` of a view. */
const at = (data: ArrayLike<number>, v: View, coords: readonly number[]): number => data[v.offset + coords.reduce((s, c, i) => s + c * v.strides[i], 0)];

/** The naive product in float64 (wrapping for i32), and Σ|a·b| per element for the tolerance. */
function reference(a: View, ad: ArrayLike<number>, b: View, bd: ArrayLike<number>): { c: Float64Array; mag: Float64Array } {
  const r = a.shape.length;
  const batch = a.shape.slice(0, r - 2);
  const [M, K, N] = [a.shape[r - 2], a.shape[r - 1], b.shape[r - 1]];
  const nb = batch.reduce((x, y) => x * y, 1);
  const c = new Float64Array(nb * M * N);
  const mag = new Float64Array(nb * M * N);
  const [sam, sak, sbk, sbn] = [a.strides[r - 2], a.strides[r - 1], b.strides[r - 2], b.strides[r - 1]];
  for (let p = 0; p < nb; p++) {
    const bc = batch.map((_, i) => Math.floor(p / batch.slice(i + 1).reduce((x, y) => x * y, 1)) % batch[i]);
    const a0 = a.offset + bc.reduce((s, ci, i) => s + ci * a.strides[i], 0);
    const b0 = b.offset + bc.reduce((s, ci, i) => s + ci * b.strides[i], 0);
    for (let i = 0; i < M; i++) {
      for (let j = 0; j < N; j++) {
        let s = 0;
        let m = 0;
        for (let k = 0; k < K; k++) {
          const x = ad[a0 + i * sam + k * sak];
          const y = bd[b0 + k * sbk + j * sbn];
          if (a.dtype === 'i32') s = (s + Math.imul(x, y)) | 0;
          else {
            s += x * y;
            m += Math.abs(x * y);
          }
        }
        c[(p * M + i) * N + j] = s;
        mag[(p * M + i) * N + j] = m;
      }
    }
  }
  return { c, mag };
}

interface Case {
  readonly dt?: DT;
  readonly batch?: number[];
  readonly M: number;
  readonly K: number;
  readonly N: number;
  readonly la?: Layout;
  readonly lb?: Layout;
  readonly threads?: number;
  readonly wide?: boolean;
  /** A padded output view (row stride N + 2, offset 3) instead of a contiguous one. */
  readonly paddedOut?: boolean;
}

interface Prepared {
  readonly kernels: Kernel[];
  readonly buffers: TestBuffer[];
  readonly out: View;
  readonly check: (mem: Map<string, Float32Array | Int32Array>) => void;
}

function prepare(cs: Case, tiles: Tiles = 'mul-add'): Prepared {
  const dt = cs.dt ?? 'f32';
  const batch = cs.batch ?? [];
  const a = operand('a', dt, batch, cs.M, cs.K, cs.la ?? 'row', cs.wide);
  const b = operand('b', dt, batch, cs.K, cs.N, cs.lb ?? 'row', cs.wide);
  const nb = batch.reduce((x, y) => x * y, 1);
  const rowLen = cs.paddedOut ? cs.N + 2 : cs.N;
  const bstr = batch.map((_, i) => cs.M * rowLen * batch.slice(i + 1).reduce((x, y) => x * y, 1));
  const out: View = { buf: 'c', dtype: dt, shape: [...batch, cs.M, cs.N], strides: [...bstr, rowLen, 1], offset: cs.paddedOut ? 3 : 0 };
  const outSize = out.offset + nb * cs.M * rowLen;
  const { ctx, scratch } = context(cs.threads ?? 2, tiles);
  const kernels = matmul(ctx, a.view, b.view, out);
  const poison = (storage: 'f32' | 'i32', n: number): Float32Array | Int32Array =>
    storage === 'f32' ? new Float32Array(n).fill(NaN) : new Int32Array(n).fill(0x5a5a5a5a);
  const buffers: TestBuffer[] = [
    { id: 'a', size: a.data.length, storage: dt, kind: 'input', data: a.data },
    { id: 'b', size: b.data.length, storage: dt, kind: 'input', data: b.data },
    { id: 'c', size: Math.max(outSize, 1), storage: dt, kind: 'temp', data: poison(dt, Math.max(outSize, 1)) },
    ...scratch.map((s) => ({ ...s, data: poison(s.storage, s.size) })),
  ];
  for (const k of kernels) typecheckKernel(k, buffers);
  const ref = reference(a.view, a.data, b.view, b.data);
  const check = (mem: Map<string, Float32Array | Int32Array>): void => {
    const c = mem.get('c') as Float32Array | Int32Array;
    let bad = 0;
    let first = '';
    for (let p = 0; p < nb; p++) {
      const bc = batch.map((_, i) => Math.floor(p / batch.slice(i + 1).reduce((x, y) => x * y, 1)) % batch[i]);
      for (let i = 0; i < cs.M; i++) {
        for (let j = 0; j < cs.N; j++) {
          const got = at(c, out, [...bc, i, j]);
          const q = (p * cs.M + i) * cs.N + j;
          const want = ref.c[q];
          const ok = dt === 'i32' ? got === want : Math.abs(got - want) <= (cs.K + 4) * 2 ** -23 * ref.mag[q];
          if (!ok && bad++ === 0) first = `[${bc}, ${i}, ${j}]: got ${got}, want ${want}`;
        }
      }
    }
    expect(bad, `${bad} wrong elements, first ${first}`).toBe(0);
  };
  return { kernels, buffers, out, check };
}

const label = (c: Case): string =>
  `${c.dt ?? 'f32'} ${c.batch?.length ? `[${c.batch}]×` : ''}${c.M}×${c.K}·${c.K}×${c.N}` +
  `${c.la && c.la !== 'row' ? ` A:${c.la}` : ''}${c.lb && c.lb !== 'row' ? ` B:${c.lb}` : ''}` +
  `${c.threads ? ` threads=${c.threads}` : ''}${c.wide ? ' wide' : ''}${c.paddedOut ? ' padded out' : ''}`;

// ---- the cases ----

const SIZES = [1, 2, 3, 4, 5, 7, 8, 9, 13, 16, 17, 33, 64];
/** A deterministic sample of (M, N, K) combinations over SIZES, kept small for the evaluator. */
const edgeCases: Case[] = [];
for (const M of SIZES) {
  for (const N of SIZES) {
    for (const K of SIZES) {
      if (M * N * K > 8192) continue;
      // Every K for small M and N; a third of the rest.
      if ((M * 7 + N * 3 + K) % 3 !== 0 && !(M <= 9 && N <= 9 && K <= 17)) continue;
      edgeCases.push({ M, N, K });
    }
  }
}
edgeCases.push({ M: 33, N: 64, K: 7 }, { M: 64, N: 64, K: 64 }, { M: 17, N: 33, K: 33 });

const layoutCases: Case[] = [];
for (const la of ['row', 'col', 'padded'] as Layout[]) {
  for (const lb of ['row', 'col', 'padded'] as Layout[]) {
    layoutCases.push({ M: 9, N: 13, K: 7, la, lb }, { M: 4, N: 16, K: 8, la, lb });
  }
}
layoutCases.push(
  { M: 6, N: 8, K: 5, batch: [3], lb: 'bcast' },
  { M: 6, N: 11, K: 5, batch: [2, 3], la: 'bcast', lb: 'col' },
  { M: 5, N: 9, K: 6, batch: [2, 3], la: 'col', lb: 'padded' },
  { M: 7, N: 16, K: 3, batch: [4], la: 'padded', lb: 'bcast' },
  { M: 3, N: 5, K: 2, batch: [1, 3, 1, 2] },
  { M: 9, N: 10, K: 6, paddedOut: true },
  { M: 9, N: 16, K: 6, batch: [2], paddedOut: true, lb: 'col' },
  // Transposed A with K >= 16 and N >= 8 is packed (batched, broadcast B, tail rows).
  { M: 9, N: 16, K: 20, batch: [2], la: 'col' },
  { M: 7, N: 8, K: 16, batch: [2, 2], la: 'col', lb: 'bcast' },
  { M: 3, N: 9, K: 18, la: 'col', lb: 'col' },
  { M: 9, N: 16, K: 20, batch: [2], la: 'part', lb: 'part' },
  { M: 6, N: 13, K: 5, la: 'part', lb: 'row' },
  // Row-major B of whole panels is read in place when small (K·N ≤ 16384), packed when larger.
  { M: 5, N: 136, K: 3 },
  { M: 5, N: 136, K: 130 },
);

const zeroCases: Case[] = [
  { M: 3, N: 5, K: 0 },
  { M: 4, N: 8, K: 0, batch: [2] },
  { M: 0, N: 5, K: 3 },
  { M: 3, N: 0, K: 3 },
  { M: 2, N: 3, K: 4, batch: [0] },
];

const i32Cases: Case[] = [
  { dt: 'i32', M: 5, N: 9, K: 7 },
  { dt: 'i32', M: 9, N: 13, K: 17, wide: true },
  { dt: 'i32', M: 4, N: 8, K: 33, wide: true, la: 'col', lb: 'col' },
  { dt: 'i32', M: 3, N: 5, K: 6, batch: [2], wide: true, lb: 'bcast' },
];

const splitCases: Case[] = [
  { M: 4, N: 4, K: 1000 },
  { M: 5, N: 11, K: 1001, la: 'col' },
  { M: 8, N: 16, K: 700, la: 'col', threads: 1 },
  { M: 3, N: 9, K: 513, batch: [2], lb: 'col', threads: 4 },
  { dt: 'i32', M: 4, N: 8, K: 777, wide: true, la: 'col' },
  // B read in place per K-chunk: batched, rows padded, a ragged last chunk.
  { M: 6, N: 24, K: 1030, batch: [2] },
  { M: 5, N: 16, K: 901, lb: 'padded', la: 'col' },
];

function runEvaluator(cs: Case, tiles: Tiles, s = 1): void {
  const { kernels, buffers, check } = prepare(cs, tiles);
  check(runOnEvaluator(buffers, kernels, new Map(), s, tiles === 'fma' ? 'fused' : 'separate'));
}

for (const tiles of TILES) {
  describe(`cpu matmul template on the evaluator (${tiles} tiles)`, () => {
    it(`edge sizes of M, N, K (${edgeCases.length} combinations)`, () => {
      edgeCases.forEach((c, i) => {
        try {
          runEvaluator(c, tiles, i + 1);
        } catch (e) {
          throw new Error(`${label(c)}: ${(e as Error).message}`);
        }
      });
    });

    for (const c of [...layoutCases, ...zeroCases, ...i32Cases]) it(label(c), () => runEvaluator(c, tiles, c.M + c.N));

    it('K = 0 gives zeros and M = 0, N = 0 or an empty batch give no kernels', () => {
      expect(prepare({ M: 3, N: 5, K: 0 }, tiles).kernels.length).toBeGreaterThan(0);
      for (const c of zeroCases.slice(2)) expect(prepare(c, tiles).kernels).toEqual([]);
    });

    describe('split-K', () => {
      it('is chosen for few C blocks and long K, and not otherwise', () => {
        expect(splitK(1, 64, 64, 8192, 2)).toBe(16);
        expect(splitK(1, 128, 64, 8192, 2)).toBe(16);
        expect(splitK(1, 4, 4, 1000, 2)).toBe(4);
        expect(splitK(1, 8192, 64, 64, 2)).toBe(1);
        expect(splitK(1, 512, 512, 512, 2)).toBe(1);
        expect(splitK(1, 64, 64, 511, 2)).toBe(1);
        expect(splitK(4, 64, 64, 8192, 2)).toBe(1);
      });
      for (const c of splitCases) {
        it(label(c), () => {
          const { kernels } = prepare(c, tiles);
          expect(kernels.map((k) => k.name.split('_').pop())).toContain('sumK');
          runEvaluator(c, tiles, c.K);
        });
      }
    });

    it('packs B unless small (or split into small K-chunks), row-contiguous and of whole panels; packs A when transposed (k-stride > 2) and large', () => {
      const names = (c: Case): string[] => prepare(c, tiles).kernels.map((k) => k.name.slice(3));
      expect(names({ M: 9, N: 16, K: 5 })).toEqual(['tiles']);
      expect(names({ M: 9, N: 12, K: 5 })).toEqual(['packB', 'tiles']);
      expect(names({ M: 9, N: 16, K: 5, lb: 'col' })).toEqual(['packB', 'tiles']);
      expect(names({ M: 5, N: 136, K: 130 })).toEqual(['packB', 'tiles']);
      expect(names({ M: 9, N: 16, K: 20, la: 'col' })).toEqual(['packA', 'tiles']);
      expect(names({ M: 9, N: 16, K: 15, la: 'col' })).toEqual(['tiles']);
      // A part of a c64 matrix (k-stride 2) is read in place, transposed it is packed.
      expect(names({ M: 9, N: 16, K: 20, la: 'part' })).toEqual(['tiles']);
      // Split K: B read in place when a K-chunk of it is at most 65536 floats (whole panels).
      expect(names({ M: 64, N: 64, K: 8192, la: 'col' })).toEqual(['packA', 'tiles', 'sumK']);
      expect(names({ M: 64, N: 128, K: 8192 })).toEqual(['tiles', 'sumK']);
      expect(names({ M: 64, N: 136, K: 8192 })).toEqual(['packB', 'tiles', 'sumK']);
      expect(names({ M: 64, N: 60, K: 8192 })).toEqual(['packB', 'tiles', 'sumK']);
    });

    it('has the tile shape the module promises', () => {
      expect([MR, MR_FMA, NR]).toEqual([4, 6, 8]);
      // Units are blocks of tile rows: 4 (6 for f32 with fma tiles; i32 keeps 4).
      expect(prepare({ M: 24, N: 8, K: 4 }, tiles).kernels[0].units).toBe(tiles === 'fma' ? 4 : 6);
      expect(prepare({ dt: 'i32', M: 24, N: 8, K: 4 }, tiles).kernels[0].units).toBe(6);
    });
  });
}

for (const tiles of TILES) {
  describe(`cpu matmul template on wasm (${tiles} tiles)`, () => {
    const all = [...edgeCases, ...layoutCases, ...zeroCases, ...i32Cases, ...splitCases];
    it(`every evaluator case (${all.length})`, async () => {
      for (const c of all) {
        const { kernels, buffers, check } = prepare(c, tiles);
        try {
          check(await runOnWasm(buffers, kernels));
        } catch (e) {
          throw new Error(`${label(c)}: ${(e as Error).message}`);
        }
      }
    });

    it('larger products: 8192×64·64×64, 64×8192·8192×64 (split-K), 130×200·200×150 (packed B)', async () => {
      for (const c of [
        { M: 8192, N: 64, K: 64 },
        { M: 64, N: 64, K: 8192, la: 'col' as Layout },
        { M: 130, N: 150, K: 200, lb: 'col' as Layout },
      ]) {
        const { kernels, buffers, check } = prepare(c, tiles);
        check(await runOnWasm(buffers, kernels));
      }
    });
  });
}
