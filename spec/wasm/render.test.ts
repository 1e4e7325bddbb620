/**
 * The WebAssembly renderer against the kernel-IR evaluator, bit for bit: every operation on
 * every type, scalar and 4-lane vector, on values chosen to hit the edges (±0, ±∞, NaN,
 * subnormals, 2^31, i32 extremes), plus loads and stores at every stride, loops, branches and
 * conversions. The evaluator writes out the semantics independently of the renderer. `fma`
 * has two admissible results: with relaxed SIMD the module must match the evaluator with every
 * fma fused or with every fma separate (the inputs make the two differ); without, separate.
 */
import { describe, expect, it } from 'vitest';
import {
  Block, END, START, bin, cvt, f32, fma, i32, iadd, imul, lane, load, select, splat, un, vec,
} from '../../kernels/ir/build';
import { wasmFeatures } from '../../kernels/wasm/features';
import { forEachExpr } from '../../kernels/ir/walk';
import type { Expr, KType, Kernel, ScalarType } from '../../kernels/ir/types';
import { typecheckKernel } from '../../kernels/ir/typecheck';
import { runOnEvaluator, runOnWasm, type TestBuffer } from './harness';

const F32_EDGES = [0, -0, 1, -1, 0.5, 1.5, 2.5, -2.5, 3e38, -3e38, Infinity, -Infinity, NaN, 1e-40, -1e-40, 7, 1e10, -1e10, 2147483648, -2147483904, 123.456, -0.75, 4294967296, 3];
const I32_EDGES = [0, 1, -1, 2147483647, -2147483648, 7, -7, 3, 100000, -100000, 65536, 12, 2, -2, 31, 33];

/** n values: the edge values, then pseudo-random ones. */
function values(edges: readonly number[], n: number, seed: number, ints: boolean): number[] {
  const out = [...edges];
  let s = seed;
  while (out.length < n) {
    s = (s * 1103515245 + 12345) >>> 0;
    const u = s / 2 ** 32;
    out.push(ints ? ((s ^ (s << 7)) | 0) % (u < 0.5 ? 100 : 2 ** 31) : (u - 0.5) * 10 ** Math.floor(u * 12 - 4));
  }
  return out.slice(0, n);
}

const N = 64;
const bufferOf = (id: string, storage: 'f32' | 'i32', data: number[]): TestBuffer => ({
  id, size: data.length, storage, kind: 'input', data: storage === 'f32' ? Float32Array.from(data) : Int32Array.from(data),
});

function sameBits(a: Float32Array | Int32Array, b: Float32Array | Int32Array): string | undefined {
  for (let i = 0; i < a.length; i++) {
    const x = a[i];
    const y = b[i];
    if (Number.isNaN(x) && Number.isNaN(y)) continue;
    if (!Object.is(x, y)) return `element ${i}: evaluator ${x}, wasm ${y}`;
  }
  return undefined;
}

/**
 * A kernel applying `op` elementwise to inputs a, b, c (of the operand storage) into `out`,
 * over N elements: units are groups of four elements, computed as one vector or as four
 * scalars depending on `vector`.
 */
function elementwiseKernel(name: string, e: ScalarType, vector: boolean, op: (a: Expr, b: Expr, c: Expr) => Expr): Kernel {
  const body = new Block();
  const st = e === 'f32' ? 'f32' : 'i32';
  body.for(START, END, (u, b) => {
    const base = b.bind(imul(u, i32(4)));
    const read = (buf: string, at: Expr): Expr => {
      const t: KType = vector ? (`${e}x4` as KType) : e;
      const x = load(buf, at, e === 'bool' ? (vector ? 'i32x4' : 'i32') : t);
      return e === 'bool' ? cvt(x, 'bool') : x;
    };
    const emit = (at: Expr, bb: Block): void => {
      const r = op(read('a', at), read('b', at), read('c', at));
      const stored = r.t === 'bool' || r.t === 'boolx4' ? r : r;
      bb.store(`out_${elementOrInt(r.t)}`, at, stored);
    };
    if (vector) emit(base, b);
    else b.for(base, iadd(base, i32(4)), (j, bb) => emit(j, bb));
  });
  void st;
  return { name, units: N / 4, unitCost: 4, body: body.stmts };
}

const elementOrInt = (t: KType): string => (t.startsWith('f32') ? 'f32' : 'i32');

async function compare(e: ScalarType, ops: Record<string, (a: Expr, b: Expr, c: Expr) => Expr>, seed: number): Promise<void> {
  const edges = e === 'f32' ? F32_EDGES : I32_EDGES;
  const ints = e !== 'f32';
  const storage = e === 'f32' ? 'f32' : 'i32';
  const fix = (xs: number[]) => (e === 'bool' ? xs.map((x) => (x & 1)) : xs);
  const inputs = [
    bufferOf('a', storage, fix(values(edges, N, seed, ints))),
    bufferOf('b', storage, fix(values([...edges].reverse(), N, seed + 1, ints))),
    bufferOf('c', storage, fix(values(edges.slice(3), N, seed + 2, ints))),
  ];
  const outs = [bufferOf('out_f32', 'f32', new Array(N).fill(0)), bufferOf('out_i32', 'i32', new Array(N).fill(0))];
  for (const [name, op] of Object.entries(ops)) {
    for (const vector of [false, true]) {
      const k = elementwiseKernel(`${e}_${name}_${vector ? 'v' : 's'}`, e, vector, op);
      typecheckKernel(k, [...inputs, ...outs]);
      const ev = runOnEvaluator([...inputs, ...outs], [k]);
      const wa = await runOnWasm([...inputs, ...outs], [k]);
      let fused = false;
      forEachExpr(k.body, (x) => (fused ||= x.k === 'fma'));
      const evFused = fused ? runOnEvaluator([...inputs, ...outs], [k], new Map(), 1, 'fused') : ev;
      if (fused) expect(sameBits(ev.get('out_f32')!, evFused.get('out_f32')!), `${k.name}: inputs where fused and separate fma differ`).toBeDefined();
      for (const o of ['out_f32', 'out_i32']) {
        const diff = sameBits(ev.get(o)!, wa.get(o)!);
        if (diff !== undefined && fused && wasmFeatures.relaxedSimd) expect(sameBits(evFused.get(o)!, wa.get(o)!), `${k.name} ${o} (fused): ${diff}`).toBeUndefined();
        else expect(diff, `${k.name} ${o}`).toBeUndefined();
      }
    }
  }
}

const F32_OPS: Record<string, (a: Expr, b: Expr, c: Expr) => Expr> = {
  add: (a, b) => bin('add', a, b), sub: (a, b) => bin('sub', a, b), mul: (a, b) => bin('mul', a, b), div: (a, b) => bin('div', a, b),
  min: (a, b) => bin('min', a, b), max: (a, b) => bin('max', a, b),
  neg: (a) => un('neg', a), abs: (a) => un('abs', a), sqrt: (a) => un('sqrt', a), floor: (a) => un('floor', a), ceil: (a) => un('ceil', a),
  trunc: (a) => un('trunc', a), nearest: (a) => un('nearest', a), bits: (a) => un('bitsOf', a), roundtrip: (a) => un('fromBits', un('bitsOf', a)),
  lt: (a, b) => bin('lt', a, b), le: (a, b) => bin('le', a, b), gt: (a, b) => bin('gt', a, b), ge: (a, b) => bin('ge', a, b),
  eq: (a, b) => bin('eq', a, b), ne: (a, b) => bin('ne', a, b),
  select: (a, b, c) => select(bin('lt', a, c), a, b),
  toI32: (a) => cvt(a, 'i32'), toBool: (a) => cvt(a, 'bool'), boolToF32: (a, b) => cvt(bin('gt', a, b), 'f32'),
  mulAdd: (a, b, c) => bin('add', bin('mul', a, b), c),
  fma: (a, b, c) => fma(a, b, c),
  fmaChain: (a, b, c) => fma(fma(a, b, c), c, b),
};
const I32_OPS: Record<string, (a: Expr, b: Expr, c: Expr) => Expr> = {
  add: (a, b) => bin('add', a, b), sub: (a, b) => bin('sub', a, b), mul: (a, b) => bin('mul', a, b), div: (a, b) => bin('div', a, b),
  rem: (a, b) => bin('rem', a, b), min: (a, b) => bin('min', a, b), max: (a, b) => bin('max', a, b),
  and: (a, b) => bin('and', a, b), or: (a, b) => bin('or', a, b), xor: (a, b) => bin('xor', a, b),
  shl: (a, b) => bin('shl', a, b), shr: (a, b) => bin('shr', a, b), shru: (a, b) => bin('shru', a, b),
  neg: (a) => un('neg', a), abs: (a) => un('abs', a), asF32: (a) => un('fromBits', a),
  lt: (a, b) => bin('lt', a, b), le: (a, b) => bin('le', a, b), gt: (a, b) => bin('gt', a, b), ge: (a, b) => bin('ge', a, b),
  eq: (a, b) => bin('eq', a, b), ne: (a, b) => bin('ne', a, b),
  select: (a, b, c) => select(bin('lt', a, c), a, b), toF32: (a) => cvt(a, 'f32'), toBool: (a) => cvt(a, 'bool'),
  divConst: (a) => bin('div', a, a.t === 'i32' ? i32(7) : splat(i32(7))), remConst: (a) => bin('rem', a, a.t === 'i32' ? i32(-7) : splat(i32(-7))),
  shlConst: (a) => bin('shl', a, a.t === 'i32' ? i32(3) : splat(i32(3))),
};
const BOOL_OPS: Record<string, (a: Expr, b: Expr, c: Expr) => Expr> = {
  and: (a, b) => bin('and', a, b), or: (a, b) => bin('or', a, b), xor: (a, b) => bin('xor', a, b), not: (a) => un('not', a),
  eq: (a, b) => bin('eq', a, b), ne: (a, b) => bin('ne', a, b), select: (a, b, c) => select(a, b, c),
  toF32: (a) => cvt(a, 'f32'), toI32: (a) => cvt(a, 'i32'),
};

describe('wasm renderer vs the kernel-IR evaluator (bit for bit)', () => {
  it('f32 operations, scalar and f32x4', async () => compare('f32', F32_OPS, 11));
  it('i32 operations, scalar and i32x4', async () => compare('i32', I32_OPS, 23));
  it('bool operations, scalar and lane masks', async () => compare('bool', BOOL_OPS, 37));

  it('loads and stores at strides 0, 1, 2, 3 and -1, storePair, vec and lane', async () => {
    const src = bufferOf('a', 'f32', values(F32_EDGES, 96, 5, false));
    const isrc = bufferOf('ia', 'i32', values(I32_EDGES, 96, 6, true));
    const out = bufferOf('out', 'f32', new Array(96).fill(0));
    const iout = bufferOf('iout', 'i32', new Array(96).fill(0));
    const body = new Block();
    body.for(START, END, (u, b) => {
      const at = b.bind(imul(u, i32(4)));
      for (const [k, stride] of [[0, 0], [1, 1], [2, 2], [3, 3]] as const) {
        const v = load('a', iadd(at, i32(k * 16)), 'f32x4', stride);
        b.store('out', at, bin('add', load('out', at, 'f32x4'), v));
      }
      b.store('out', iadd(at, i32(60)), load('a', iadd(at, i32(12)), 'f32x4', -1), 1);
      b.store('iout', iadd(at, i32(4)), load('ia', iadd(at, i32(8)), 'i32x4', 3), 2);
      b.storePair('out', iadd(imul(u, i32(8)), i32(0)), load('a', at, 'f32x4'), load('a', iadd(at, i32(40)), 'f32x4'));
      const v = b.let(vec([load('a', at), f32(2), load('a', iadd(at, i32(9))), un('neg', load('a', at))]));
      b.store('iout', iadd(at, i32(50)), cvt(bin('gt', v, splat(f32(0))), 'i32'));
      b.store('out', iadd(at, i32(70)), lane(v, 2));
    });
    const k: Kernel = { name: 'strides', units: 6, unitCost: 40, body: body.stmts };
    const bufs = [src, isrc, out, iout];
    typecheckKernel(k, bufs);
    const ev = runOnEvaluator(bufs, [k]);
    const wa = await runOnWasm(bufs, [k]);
    for (const id of ['out', 'iout']) expect(sameBits(ev.get(id)!, wa.get(id)!), id).toBeUndefined();
  });

  it('loops with run-time bounds, branches and reassigned locals', async () => {
    const src = bufferOf('a', 'f32', values(F32_EDGES.filter(Number.isFinite), 40, 9, false));
    const out = bufferOf('out', 'f32', new Array(40).fill(0));
    const body = new Block();
    body.for(START, END, (u, b) => {
      const acc = b.let(f32(0));
      const n = b.let(bin('rem', u, i32(7)));
      b.for(i32(0), n, (j, bb) => {
        bb.if(bin('lt', load('a', iadd(u, j)), f32(0)), (t) => t.set(acc, bin('sub', acc, load('a', iadd(u, j)))), (el) => el.set(acc, bin('add', acc, f32(1))));
      });
      b.store('out', u, acc);
    });
    const k: Kernel = { name: 'loops', units: 33, unitCost: 10, body: body.stmts };
    typecheckKernel(k, [src, out]);
    const ev = runOnEvaluator([src, out], [k]);
    const wa = await runOnWasm([src, out], [k]);
    expect(sameBits(ev.get('out')!, wa.get('out')!)).toBeUndefined();
  });

  it('a kernel that traps fails the run with the kernel name', async () => {
    const body = new Block();
    body.for(START, END, (u, b) => b.store('out', imul(u, i32(1 << 28)), f32(1)));
    const k: Kernel = { name: 'out_of_bounds', units: 4, unitCost: 1, body: body.stmts };
    await expect(runOnWasm([bufferOf('out', 'f32', [0, 0, 0, 0])], [k])).rejects.toThrow(/out_of_bounds/);
  });
});
