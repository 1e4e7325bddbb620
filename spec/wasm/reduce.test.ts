// The CPU reduction templates (kernels/cpu/reduce.ts) against naive float64 loops over the
// operand views written here: sum (f32, i32, c64) and max (f32, i32) over every axis subset of
// rank-3 shapes in row-major, permuted, padded and broadcast layouts; long rows and columns
// (blocked accumulators, tails), the split of the reduced extent into chunks, empty extents,
// NaN propagation, i32 wrapping; argmax with ties, NaN and -Infinity. Every case typechecks and
// runs on the evaluator (launches cut at random unit boundaries) and on wasm.
// Tolerances: max and argmax exact; i32 exact; f32/c64 sums |s - s64| <= (n + 4)·2^-23·Σ|x|
// (n the reduced count: the bound of sequential float32 summation, with a 2× margin); the sum
// of 2^20 positive floats within 1e-6 relative of float64 (measured ~1e-7; naive sequential
// float32 summation is off by 1e-5 on the same data).
import { describe, expect, it } from 'vitest';
import { argmax, reduce, reduceChunks } from '../../kernels/cpu/reduce';
import type { TemplateContext, View } from '../../kernels/cpu/template';
import { typecheckKernel } from '../../kernels/ir/typecheck';
import type { BufferDecl, Kernel } from '../../kernels/ir/types';
import { recordingContext, runOnEvaluator, runOnWasm, type TestBuffer } from './harness';

type DT = 'f32' | 'i32' | 'c64';
type Op = 'sum' | 'max' | 'argmax';
type Layout = 'row' | 'perm' | 'padded' | 'bcast';

const context = (threads: number): { ctx: TemplateContext; scratch: BufferDecl[] } => recordingContext('red', threads);

let seed = 777;
const rand = (): number => {
  seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
  return seed / 2 ** 32;
};

const sizeOf = (s: readonly number[]): number => s.reduce((a, b) => a * b, 1);
const lanesOf = (dt: DT): number => (dt === 'c64' ? 2 : 1);

/**
 * A view of `shape` laid out row-major; with the axes in reverse memory order (`perm`); with
 * an offset of 3 and every axis padded by one element (`padded`); or with axis 1 broadcast
 * (stride 0, rank ≥ 2).
 */
function layoutOf(shape: readonly number[], dt: DT, layout: Layout): { strides: number[]; offset: number; size: number } {
  const l = lanesOf(dt);
  const r = shape.length;
  const strides = new Array<number>(r).fill(0);
  const order = layout === 'perm' ? [...shape.keys()] : [...shape.keys()].reverse(); // innermost first
  let s = l;
  for (const a of order) {
    if (layout === 'bcast' && a === 1) continue;
    strides[a] = s;
    s *= shape[a] + (layout === 'padded' ? 1 : 0);
  }
  const offset = layout === 'padded' ? 3 * l : 0;
  const extent = shape.some((n) => n === 0) ? 0 : shape.reduce((m, n, a) => m + (n - 1) * strides[a], 0) + l;
  return { strides, offset, size: Math.max(1, offset + extent) };
}

/** Row-major coordinates of flat index `f` over `shape`. */
const coordsOf = (f: number, shape: readonly number[]): number[] => {
  const c = new Array<number>(shape.length);
  for (let a = shape.length - 1; a >= 0; a--) {
    c[a] = f % shape[a];
    f = Math.floor(f / shape[a]);
  }
  return c;
};

interface Reference {
  /** Per output: value (re), imaginary part, Σ|x|, and the reduced count. */
  readonly re: Float64Array;
  readonly im: Float64Array;
  readonly mag: Float64Array;
  readonly count: number;
}

/** The naive reduction of view `x` over `axes` in float64 (i32 sums wrapping). */
function reference(x: View, data: ArrayLike<number>, axes: readonly number[], op: Op): Reference {
  const keep = x.shape.map((_, i) => i).filter((i) => !axes.includes(i));
  const outShape = keep.map((i) => x.shape[i]);
  const n = sizeOf(outShape);
  const re = new Float64Array(n);
  const im = new Float64Array(n);
  const mag = new Float64Array(n);
  const best = new Float64Array(n).fill(-Infinity);
  const seen = new Uint8Array(n);
  if (op === 'max') re.fill(x.dtype === 'i32' ? -(2 ** 31) : -Infinity);
  const total = sizeOf(x.shape);
  for (let f = 0; f < total; f++) {
    const c = coordsOf(f, x.shape);
    const o = keep.reduce((acc, a) => acc * x.shape[a] + c[a], 0);
    const at = x.offset + c.reduce((s, ci, a) => s + ci * x.strides[a], 0);
    const v = data[at];
    if (op === 'sum') {
      re[o] = x.dtype === 'i32' ? (re[o] + v) | 0 : re[o] + v;
      mag[o] += Math.abs(v);
      if (x.dtype === 'c64') {
        im[o] += data[at + 1];
        mag[o] += Math.abs(data[at + 1]);
      }
    } else if (op === 'max') {
      if (Number.isNaN(v) || Number.isNaN(re[o])) re[o] = NaN;
      else re[o] = Math.max(re[o], v);
    } else {
      const r = axes.reduce((acc, a) => acc * x.shape[a] + c[a], 0);
      if (seen[o]) continue;
      if (Number.isNaN(v)) {
        seen[o] = 1;
        re[o] = r;
      } else if (v > best[o]) {
        best[o] = v;
        re[o] = r;
      }
    }
  }
  return { re, im, mag, count: sizeOf(axes.map((a) => x.shape[a])) };
}

interface Case {
  readonly shape: number[];
  readonly axes: number[];
  readonly op: Op;
  readonly dt?: DT;
  readonly layout?: Layout;
  readonly threads?: number;
  /** Input values: uniform in [-1, 1) (default), positive in [0, 1), wide i32, or given by a function of the flat index. */
  readonly values?: 'signed' | 'positive' | 'wide' | ((i: number) => number);
  /** A padded output (strides of a row-major buffer of shape + 1 on every axis, offset 2). */
  readonly paddedOut?: boolean;
  /** Relative tolerance instead of the summation bound. */
  readonly rel?: number;
}

const label = (c: Case): string =>
  `${c.op} ${c.dt ?? 'f32'}[${c.shape}] over (${c.axes})${c.layout && c.layout !== 'row' ? ` ${c.layout}` : ''}` +
  `${c.threads ? ` threads=${c.threads}` : ''}${typeof c.values === 'string' ? ` ${c.values}` : c.values ? ' special' : ''}${c.paddedOut ? ' padded out' : ''}`;

interface Prepared {
  readonly kernels: Kernel[];
  readonly buffers: TestBuffer[];
  readonly check: (mem: Map<string, Float32Array | Int32Array>) => void;
}

function prepare(c: Case): Prepared {
  const dt = c.dt ?? 'f32';
  const l = lanesOf(dt);
  const lay = layoutOf(c.shape, dt, c.layout ?? 'row');
  const x: View = { buf: 'x', dtype: dt, shape: c.shape, strides: lay.strides, offset: lay.offset };
  const gen = c.values ?? 'signed';
  const data =
    dt === 'i32'
      ? Int32Array.from({ length: lay.size }, (_, i) => (typeof gen === 'function' ? gen(i) : gen === 'wide' ? Math.floor(rand() * 2 ** 32) | 0 : Math.floor(rand() * 201) - 100))
      : Float32Array.from({ length: lay.size }, (_, i) => (typeof gen === 'function' ? gen(i) : gen === 'positive' ? rand() : 2 * rand() - 1));
  const outShape = c.op === 'argmax' ? c.shape.filter((_, i) => i !== c.axes[0]) : c.shape.filter((_, i) => !c.axes.includes(i));
  const outDt: DT = c.op === 'argmax' ? 'i32' : dt;
  const ol = lanesOf(outDt);
  const ostr = new Array<number>(outShape.length);
  let s = ol;
  for (let a = outShape.length - 1; a >= 0; a--) {
    ostr[a] = s;
    s *= outShape[a] + (c.paddedOut ? 1 : 0);
  }
  const out: View = { buf: 'y', dtype: outDt, shape: outShape, strides: ostr, offset: c.paddedOut ? 2 : 0 };
  const outSize = Math.max(1, out.offset + s);
  const { ctx, scratch } = context(c.threads ?? 2);
  const kernels = c.op === 'argmax' ? argmax(ctx, x, c.axes[0], out) : reduce(ctx, x, c.axes, c.op, out);
  const storage = (d: DT): 'f32' | 'i32' => (d === 'i32' ? 'i32' : 'f32');
  const poison = (st: 'f32' | 'i32', n: number): Float32Array | Int32Array => (st === 'f32' ? new Float32Array(n).fill(NaN) : new Int32Array(n).fill(0x5a5a5a5a));
  const buffers: TestBuffer[] = [
    { id: 'x', size: data.length, storage: storage(dt), kind: 'input', data },
    { id: 'y', size: outSize, storage: storage(outDt), kind: 'temp', data: poison(storage(outDt), outSize) },
    ...scratch.map((b) => ({ ...b, data: poison(b.storage, b.size) })),
  ];
  for (const k of kernels) typecheckKernel(k, buffers);
  const ref = reference(x, data, c.axes, c.op);
  const check = (mem: Map<string, Float32Array | Int32Array>): void => {
    const y = mem.get('y') as Float32Array | Int32Array;
    let bad = 0;
    let first = '';
    const n = sizeOf(outShape);
    for (let o = 0; o < n; o++) {
      const oc = coordsOf(o, outShape);
      const at = out.offset + oc.reduce((acc, ci, a) => acc + ci * out.strides[a], 0);
      for (let part = 0; part < ol; part++) {
        const got = y[at + part];
        const want = part === 0 ? ref.re[o] : ref.im[o];
        let ok: boolean;
        if (Number.isNaN(want)) ok = Number.isNaN(got);
        else if (c.op !== 'sum' || dt === 'i32') ok = got === want;
        else if (c.rel !== undefined) ok = Math.abs(got - want) <= c.rel * Math.abs(want);
        else ok = Math.abs(got - want) <= (ref.count + 4) * 2 ** -23 * ref.mag[o];
        if (!ok && bad++ === 0) first = `output [${oc}]${ol > 1 ? (part ? '.im' : '.re') : ''}: got ${got}, want ${want}`;
      }
    }
    expect(bad, `${bad} wrong outputs, first ${first}`).toBe(0);
  };
  return { kernels, buffers, check };
}

function onEvaluator(c: Case, s = 1): void {
  const { kernels, buffers, check } = prepare(c);
  check(runOnEvaluator(buffers, kernels, new Map(), s));
}

// ---- the cases ----

const subsets = (r: number): number[][] => Array.from({ length: 1 << r }, (_, m) => [...Array(r).keys()].filter((a) => m & (1 << a)));

const SHAPES = [[3, 5, 7], [2, 16, 33], [4, 1, 9], [1, 1, 1], [5, 4, 8], [6, 2, 2]];
const OPS: { op: Op; dt: DT }[] = [
  { op: 'sum', dt: 'f32' },
  { op: 'max', dt: 'f32' },
  { op: 'sum', dt: 'i32' },
  { op: 'max', dt: 'i32' },
  { op: 'sum', dt: 'c64' },
];
const subsetCases: Case[] = [];
for (const shape of SHAPES) {
  for (const axes of subsets(3)) {
    for (const layout of ['row', 'perm', 'padded', 'bcast'] as Layout[]) {
      for (const { op, dt } of OPS) subsetCases.push({ shape, axes, layout, op, dt });
    }
  }
}

const longCases: Case[] = [
  // Rows longer than a refold block, with tails of every kind.
  { shape: [3, 2100], axes: [1], op: 'sum' },
  { shape: [3, 2100], axes: [1], op: 'max' },
  { shape: [2, 1027], axes: [1], op: 'sum', dt: 'c64' },
  { shape: [1031], axes: [0], op: 'sum', dt: 'i32', values: 'wide' },
  // Columns: many reduced rows, kept widths with vector and scalar tails.
  { shape: [2100, 5], axes: [0], op: 'sum' },
  { shape: [700, 21], axes: [0], op: 'sum', layout: 'padded' },
  { shape: [700, 21], axes: [0], op: 'max', dt: 'i32' },
  { shape: [300, 2, 18], axes: [0, 1], op: 'sum', dt: 'c64' },
  { shape: [4, 300, 3], axes: [0, 1], op: 'sum', layout: 'perm' },
  { shape: [8, 256, 64], axes: [0, 1], op: 'sum' },
  { shape: [8, 256, 64], axes: [2], op: 'sum' },
  // Outputs written through a padded output view.
  { shape: [5, 6, 7], axes: [1], op: 'sum', paddedOut: true },
  { shape: [5, 6, 7], axes: [2], op: 'sum', dt: 'c64', paddedOut: true },
  { shape: [5, 6, 7], axes: [0], op: 'max', paddedOut: true },
];

const splitCases: Case[] = [
  { shape: [40000], axes: [0], op: 'sum' },
  { shape: [40000], axes: [0], op: 'max', threads: 3 },
  { shape: [200, 200], axes: [0, 1], op: 'sum', dt: 'i32', values: 'wide' },
  { shape: [20001], axes: [0], op: 'sum', dt: 'c64' },
  { shape: [4001, 8], axes: [0], op: 'sum' },
  { shape: [4001, 8], axes: [0], op: 'max', dt: 'i32', threads: 4 },
  { shape: [64, 3, 300], axes: [0, 2], op: 'sum' },
  { shape: [3, 3, 6000], axes: [0, 2], op: 'sum', layout: 'perm' },
];

const NAN_AT = new Set([0, 5, 17, 40, 1500]);
const specialCases: Case[] = [
  // NaN in vector lanes, tails and far chunks propagates to its own output only.
  { shape: [4, 2000], axes: [1], op: 'max', values: (i) => (NAN_AT.has(i) || i === 2000 + 1999 ? NaN : Math.sin(i)) },
  { shape: [2000, 7], axes: [0], op: 'max', values: (i) => (i === 3 || i === 7 * 1999 + 6 ? NaN : Math.sin(i)) },
  { shape: [3, 5], axes: [0, 1], op: 'max', values: (i) => (i === 14 ? NaN : -i) },
  { shape: [40000], axes: [0], op: 'max', values: (i) => (i === 39999 ? NaN : i % 1000) },
  { shape: [9, 6], axes: [1], op: 'max', values: () => -Infinity },
  { shape: [9, 6], axes: [0], op: 'sum', values: (i) => (i === 10 ? NaN : 1) },
  // i32 sums wrapping past 2^31 and max at the extremes.
  { shape: [4, 64], axes: [1], op: 'sum', dt: 'i32', values: () => 2 ** 30 + 7 },
  { shape: [64, 4], axes: [0], op: 'sum', dt: 'i32', values: (i) => (i % 2 ? -(2 ** 31) : 2 ** 31 - 1) },
  { shape: [5, 9], axes: [1], op: 'max', dt: 'i32', values: (i) => -(2 ** 31) + i },
  // Single elements, rank 0, no axes, empty extents.
  { shape: [1], axes: [0], op: 'sum' },
  { shape: [1], axes: [0], op: 'max', dt: 'i32' },
  { shape: [], axes: [], op: 'sum' },
  { shape: [], axes: [], op: 'sum', dt: 'c64' },
  { shape: [3, 0, 2], axes: [1], op: 'sum' },
  { shape: [3, 0, 2], axes: [1], op: 'max' },
  { shape: [3, 0, 2], axes: [1], op: 'max', dt: 'i32' },
  { shape: [3, 0, 2], axes: [1], op: 'sum', dt: 'c64' },
  { shape: [0, 4], axes: [1], op: 'sum' },
];

const argCases: Case[] = [];
for (const shape of [[3, 5, 7], [2, 16, 33], [6, 1, 9], [1, 1, 1]]) {
  for (const axis of [0, 1, 2]) {
    for (const layout of ['row', 'perm', 'padded'] as Layout[]) {
      argCases.push({ shape, axes: [axis], op: 'argmax', layout }, { shape, axes: [axis], op: 'argmax', dt: 'i32', layout });
    }
  }
}
argCases.push(
  // Ties: small integer values repeat, the first index must win.
  { shape: [40, 12], axes: [0], op: 'argmax', values: (i) => (i * 7) % 5 },
  { shape: [12, 40], axes: [1], op: 'argmax', values: (i) => (i * 7) % 5 },
  { shape: [40, 12], axes: [0], op: 'argmax', dt: 'i32', values: (i) => (i * 7) % 5 },
  // NaN: the first NaN wins over everything, later larger values included.
  { shape: [30, 9], axes: [0], op: 'argmax', values: (i) => (i === 9 * 4 + 2 || i === 9 * 9 + 2 || i === 9 * 7 + 5 ? NaN : i === 9 * 29 + 5 ? 1e9 : Math.cos(i)) },
  { shape: [9, 30], axes: [1], op: 'argmax', values: (i) => (i % 31 === 3 ? NaN : i) },
  { shape: [6, 5], axes: [0], op: 'argmax', values: (i) => (i === 0 ? NaN : 100) },
  // All -Infinity: index 0.
  { shape: [7, 6], axes: [0], op: 'argmax', values: () => -Infinity },
  { shape: [6, 7], axes: [1], op: 'argmax', values: () => -Infinity },
  { shape: [9, 5], axes: [1], op: 'argmax', dt: 'i32', values: () => -(2 ** 31) },
);

describe('cpu reduction templates on the evaluator', () => {
  it(`every axis subset of rank-3 shapes, layouts and dtypes (${subsetCases.length} cases)`, () => {
    subsetCases.forEach((c, i) => {
      try {
        onEvaluator(c, i);
      } catch (e) {
        throw new Error(`${label(c)}: ${(e as Error).message}`);
      }
    });
  });

  for (const c of [...longCases, ...specialCases]) it(label(c), () => onEvaluator(c, 7));

  describe('split of the reduced extent', () => {
    it('is chosen for few units with long extents and several threads only', () => {
      expect(reduceChunks(1, 1 << 20, 2)).toBe(8);
      expect(reduceChunks(4, 8192 * 16, 2)).toBe(1);
      expect(reduceChunks(1, 1 << 20, 1)).toBe(1);
      expect(reduceChunks(1, 10000, 2)).toBe(1);
      expect(reduceChunks(3, 19200, 2)).toBe(2);
    });
    for (const c of splitCases) {
      it(label(c), () => {
        expect(prepare(c).kernels.length).toBe(2);
        onEvaluator(c, 3);
      });
    }
  });

  it('argmax: every axis of rank-3 shapes and layouts, ties, NaN, -Infinity', () => {
    argCases.forEach((c, i) => {
      try {
        onEvaluator(c, i);
      } catch (e) {
        throw new Error(`${label(c)}: ${(e as Error).message}`);
      }
    });
  });

  it('the sum of 2^20 positive floats stays within 1e-6 of float64 (1 and 2 threads), where a naive float32 loop does not', () => {
    const before = 777; // data on which naive float32 summation is off by 1e-5
    for (const threads of [1, 2]) {
      seed = before;
      onEvaluator({ shape: [1 << 20], axes: [0], op: 'sum', values: 'positive', threads, rel: 1e-6 });
    }
    seed = before;
    let s32 = 0;
    let s64 = 0;
    for (let i = 0; i < 1 << 20; i++) {
      const v = Math.fround(rand());
      s32 = Math.fround(s32 + v);
      s64 += v;
    }
    expect(Math.abs(s32 - s64) / s64).toBeGreaterThan(4e-6);
  });
});

describe('cpu reduction templates on wasm', () => {
  const all = [...subsetCases, ...longCases, ...specialCases, ...splitCases, ...argCases];
  it(`every evaluator case (${all.length})`, async () => {
    for (const c of all) {
      const { kernels, buffers, check } = prepare(c);
      try {
        check(await runOnWasm(buffers, kernels));
      } catch (e) {
        throw new Error(`${label(c)}: ${(e as Error).message}`);
      }
    }
  });

  it('2^20 positive floats within 1e-6; [8, 1024, 64] over (0, 1) and over 2', async () => {
    for (const c of [
      { shape: [1 << 20], axes: [0], op: 'sum', values: 'positive', rel: 1e-6 },
      { shape: [1 << 20], axes: [0], op: 'sum', values: 'positive', rel: 1e-6, threads: 1 },
      { shape: [8, 1024, 64], axes: [0, 1], op: 'sum' },
      { shape: [8, 1024, 64], axes: [2], op: 'sum' },
    ] as Case[]) {
      const { kernels, buffers, check } = prepare(c);
      check(await runOnWasm(buffers, kernels));
    }
  });
});
