/**
 * The kernel IR's math library (kernels/ir/math.ts) against float64 Math.* (and the
 * interpreter's erf and logistic): ulp and relative error bounds on float32 inputs spread
 * log-uniformly over the whole range with both signs, special values exactly, vector lanes bit
 * for bit equal to the scalar version, and the WebAssembly rendering bit for bit equal to the
 * evaluator (with a ns/element measurement). The polynomials use `fma`: the evaluator rounds it
 * as this engine's relaxed SIMD would, fused where the engine has it (the `wasm-relaxed-simd`
 * vitest project) and separate otherwise, so the bounds hold for both; with relaxed SIMD the
 * rendering must equal the evaluator with every fma fused or with every one separate.
 */
import { describe, expect, it } from 'vitest';
import { erf as interpreterErf } from '../../compiler/interpreter/complexMath';
import { Block, END, i32, imul, load, type MathFn, math, mathName, START } from '../../kernels/ir/build';
import { evaluateFunction } from '../../kernels/ir/evaluate';
import { MATH_FUNCTIONS, mathFunction, mathFunctionsUsed } from '../../kernels/ir/math';
import { typecheckKernel } from '../../kernels/ir/typecheck';
import type { KFunction, Kernel, Stmt } from '../../kernels/ir/types';
import { runOnWasm, type TestBuffer, wasmRuntime } from './harness';
import { wasmFeatures } from '../../kernels/wasm/features';
import type { FmaMode } from '../../kernels/ir/types';

/** How the evaluator rounds `fma`: as relaxed_madd does on x86 with FMA3 where the engine has it. */
const FMA: FmaMode = wasmFeatures.relaxedSimd ? 'fused' : 'separate';

const fr = Math.fround;
const FLT_MAX = 3.4028234663852886e38;
const TINY = 1.401298464324817e-45;

/** The float32 ulp at the (float64) reference value: 2^(e−23), at least 2^-149. */
function ulp(ref: number): number {
  const a = Math.min(Math.abs(ref), FLT_MAX);
  if (a === 0) return TINY;
  return 2 ** (Math.max(Math.floor(Math.log2(a)), -126) - 23);
}
/** Same value including the sign of zero; NaN equals NaN. */
const same = (a: number, b: number): boolean => Object.is(a, b) || (Number.isNaN(a) && Number.isNaN(b));
/** Error of a float32 result in ulps of the reference (0 when equal; Infinity on NaN/inf mismatch). */
function ulpError(got: number, ref: number): number {
  if (same(got, fr(ref))) return 0;
  if (!Number.isFinite(got) || !Number.isFinite(fr(ref))) return Infinity;
  return Math.abs(got - ref) / ulp(ref);
}

/** A deterministic generator of float32 test inputs. */
class Inputs {
  private s: number;
  constructor(seed: number) {
    this.s = seed >>> 0;
  }
  next(): number {
    this.s = (Math.imul(this.s ^ (this.s >>> 15), 0x2c1b3c6d) + 0x6d2b79f5) >>> 0;
    this.s = (this.s ^ (this.s >>> 12)) >>> 0;
    return this.s / 2 ** 32;
  }
  /** A float32 with magnitude log-uniform in [lo, hi] and a random sign (unless `positive`). */
  logUniform(lo: number, hi: number, positive = false): number {
    const m = Math.exp(Math.log(lo) + this.next() * (Math.log(hi) - Math.log(lo)));
    return fr(!positive && this.next() < 0.5 ? -m : m);
  }
  many(n: number, f: () => number): number[] {
    return Array.from({ length: n }, f);
  }
}

/** Values every unary function meets besides the random ones. */
const SPECIAL = [
  0, -0, TINY, -TINY, 1e-40, 1.1754943508222875e-38, 1e-30, 1e-7, 0.5, -0.5, 1, -1, 2, -2, Math.PI, -Math.PI, 10, -10, 88.72283,
  88.72284, 89, -87.3, -100, -103.97, -104, 1e4, 1e5, -1e5, 8388607, 8388608, 1e10, FLT_MAX, -FLT_MAX, Infinity, -Infinity, NaN,
].map(fr);

interface UnaryCase {
  readonly fn: MathFn;
  readonly ref: (x: number) => number;
  /** Max error in ulps of the float32 result. */
  readonly ulps: number;
  /** The random inputs (SPECIAL is spread among them). */
  readonly inputs: (r: Inputs) => number[];
  /** Results that need not meet `ulps` (sin/cos: where the absolute error is within 3e-9, or |x| past 1e5). */
  readonly exempt?: (x: number, got: number, ref: number) => boolean;
}

const logistic = (v: number): number => (v >= 0 ? 1 / (1 + Math.exp(-v)) : Math.exp(v) / (1 + Math.exp(v)));
const wholeRange = (r: Inputs, n: number, positive = false): number[] => r.many(n, () => r.logUniform(TINY, FLT_MAX, positive));
const within = (r: Inputs, n: number, hi: number): number[] => r.many(n, () => r.logUniform(1e-9, hi));
const trigExempt = (x: number, got: number, ref: number): boolean => Math.abs(x) > 1e5 || Math.abs(got - ref) <= 3e-9;

const UNARY: readonly UnaryCase[] = [
  { fn: 'exp', ref: Math.exp, ulps: 1.5, inputs: (r) => [...wholeRange(r, 8000), ...within(r, 12000, 104)] },
  {
    fn: 'log', ref: Math.log, ulps: 1.5,
    inputs: (r) => [...wholeRange(r, 14000, true), ...r.many(4000, () => fr(1 + r.logUniform(1e-7, 0.4))), ...wholeRange(r, 2000)],
  },
  { fn: 'sin', ref: Math.sin, ulps: 2, inputs: (r) => [...within(r, 12000, 1e5), ...within(r, 6000, 10), ...wholeRange(r, 2000)], exempt: trigExempt },
  { fn: 'cos', ref: Math.cos, ulps: 2, inputs: (r) => [...within(r, 12000, 1e5), ...within(r, 6000, 10), ...wholeRange(r, 2000)], exempt: trigExempt },
  { fn: 'tanh', ref: Math.tanh, ulps: 2, inputs: (r) => [...wholeRange(r, 8000), ...within(r, 12000, 12)] },
  { fn: 'logistic', ref: logistic, ulps: 2.5, inputs: (r) => [...wholeRange(r, 8000), ...within(r, 12000, 110)] },
  { fn: 'erf', ref: interpreterErf, ulps: 2, inputs: (r) => [...wholeRange(r, 8000), ...within(r, 12000, 5)] },
];

const fnOf = (fn: MathFn, t: 'f32' | 'f32x4') => {
  const f = mathFunction(mathName(fn, t));
  if (!f) throw new Error(`no ${mathName(fn, t)}`);
  return f;
};
const evalScalarAs = (fma: FmaMode, fn: MathFn, ...args: number[]): number => evaluateFunction(fnOf(fn, 'f32'), args, MATH_FUNCTIONS, fma) as number;
const evalScalar = (fn: MathFn, ...args: number[]): number => evalScalarAs(FMA, fn, ...args);

/** Evaluates the f32x4 version on `args` (tuples) 4 at a time; lanes must equal the scalar results. */
function expectVectorLanesEqual(fn: MathFn, args: readonly number[][], scalar: readonly number[]): void {
  const f = fnOf(fn, 'f32x4');
  for (let i = 0; i + 4 <= args.length; i += 4) {
    const lanes = args[0].map((_, p) => [0, 1, 2, 3].map((l) => args[i + l][p]));
    const v = evaluateFunction(f, lanes, MATH_FUNCTIONS, FMA) as number[];
    for (let l = 0; l < 4; l++) {
      if (!same(v[l], scalar[i + l])) throw new Error(`${fn}_f32x4 lane ${l} at ${args[i + l]}: ${v[l]}, scalar ${scalar[i + l]}`);
    }
  }
}

/** Spreads `specials` through the first 2,000 of `random`, so the vector check meets them too. */
function withSpecials<T>(random: readonly T[], specials: readonly T[]): T[] {
  const out = random.slice();
  specials.forEach((s, i) => out.splice((i * 37) % 2000, 0, s));
  return out;
}
/** Pairs of special values (each with each). */
const SPECIAL_PAIRS = SPECIAL.flatMap((a) => SPECIAL.map((b) => [a, b]));

/**
 * Typechecks a function as a kernel that declares its parameters (loaded from buffers), runs its
 * body and stores its result: the same checks on every node. (typecheckFunction checks `ret`
 * after closing the body's scope, so it rejects any function whose result reads a local.)
 */
function typecheckAsKernel(f: KFunction): void {
  const loads: Stmt[] = f.params.map((p, i) => ({ k: 'let', name: p.name, t: p.t, init: load(`p${i}`, i32(0), p.t) }));
  const store: Stmt = { k: 'store', buf: 'out', index: i32(0), value: f.ret, stride: 1 };
  const bufs = ['out', ...f.params.map((_, i) => `p${i}`)].map((id) => ({ id, size: 4, storage: 'f32' as const, kind: 'input' as const }));
  typecheckKernel({ name: f.name, units: 1, unitCost: 1, body: [...loads, ...f.body, store] }, bufs, MATH_FUNCTIONS);
}

describe('math library: the table', () => {
  it('has all 18 functions by mathName, each typechecking with the right signature', () => {
    const fns: MathFn[] = ['exp', 'log', 'sin', 'cos', 'tanh', 'logistic', 'erf', 'atan2', 'pow'];
    expect(MATH_FUNCTIONS.size).toBe(18);
    for (const fn of fns) {
      for (const t of ['f32', 'f32x4'] as const) {
        const f = fnOf(fn, t);
        expect(f.name).toBe(mathName(fn, t));
        expect(f.result).toBe(t);
        expect(f.params.map((p) => p.t)).toEqual(fn === 'atan2' || fn === 'pow' ? [t, t] : [t]);
        typecheckAsKernel(f);
      }
    }
    expect(mathFunction('exp_f64')).toBeUndefined();
  });

  it('mathFunctionsUsed finds the functions a kernel calls', () => {
    const b = new Block();
    b.for(START, END, (i, inner) => {
      const v = inner.let(load('x', imul(i, i32(4)), 'f32x4'));
      inner.store('y', imul(i, i32(4)), math('tanh', math('pow', v, v)));
      inner.store('y', i, math('sin', load('x', i)));
    });
    const k: Kernel = { name: 'k', units: 1, unitCost: 1, body: b.stmts };
    expect([...mathFunctionsUsed([k]).keys()].sort()).toEqual(['pow_f32x4', 'sin_f32', 'tanh_f32x4']);
    expect([...mathFunctionsUsed([math('exp', load('x', i32(0)))]).keys()]).toEqual(['exp_f32']);
  });
});

describe('math library: accuracy on the evaluator (scalar ≥ 20,000 inputs, vector lanes = scalar on 2,000)', () => {
  it('the erf reference agrees with tabulated values', () => {
    const table: [number, number][] = [[0.1, 0.1124629160182849], [0.5, 0.5204998778130465], [1, 0.8427007929497149], [2, 0.9953222650189527], [3, 0.9999779095030014]];
    for (const [x, v] of table) expect(Math.abs(interpreterErf(x) - v)).toBeLessThan(1e-15);
  });

  UNARY.forEach((c, ci) => {
    it(`${c.fn}: ≤ ${c.ulps} ulp`, () => {
      const r = new Inputs(1000 + ci);
      const xs = withSpecials(c.inputs(r), SPECIAL);
      expect(xs.length).toBeGreaterThanOrEqual(20000);
      const got = xs.map((x) => evalScalar(c.fn, x));
      let worst = 0;
      let at = 0;
      let exempted = 0;
      xs.forEach((x, i) => {
        const ref = c.ref(x);
        const e = ulpError(got[i], ref);
        if (e > c.ulps && c.exempt?.(x, got[i], ref)) {
          exempted++;
          return;
        }
        if (e > worst) {
          worst = e;
          at = x;
        }
      });
      console.log(`${c.fn}_f32: max ${worst.toFixed(3)} ulp at x = ${at} over ${xs.length} inputs${c.exempt ? ` (${exempted} within 3e-9 absolute or |x| > 1e5)` : ''}`);
      expect(worst).toBeLessThanOrEqual(c.ulps);
      expectVectorLanesEqual(c.fn, xs.slice(0, 2000).map((x) => [x]), got);
    });
  });

  it('sin, cos: absolute error ≤ 3e-9 near the zeros, ≤ 1.2e-7 anywhere for |x| ≤ 1e5; within [-1, 1] below 2^23, NaN past it', () => {
    const r = new Inputs(77);
    const nearZeros = r.many(10000, () => fr(Math.floor(r.next() * 63662) * (Math.PI / 2) + r.logUniform(1e-12, 1e-3)));
    const xs = [...nearZeros, ...within(r, 10000, 1e5), ...r.many(2000, () => r.logUniform(1e5, 8388607)), ...r.many(1000, () => r.logUniform(8388608, FLT_MAX))];
    for (const fn of ['sin', 'cos'] as const) {
      let worstNear = 0;
      let worst = 0;
      for (const x of xs) {
        const y = evalScalar(fn, x);
        const ref = Math[fn](x);
        const ax = Math.abs(x);
        if (ax <= 1e5) {
          worst = Math.max(worst, Math.abs(y - ref));
          if (Math.abs(ref) < 1e-3) worstNear = Math.max(worstNear, Math.abs(y - ref));
        } else if (ax < 8388608) expect(Math.abs(y)).toBeLessThanOrEqual(1);
        else expect(y).toBeNaN();
      }
      console.log(`${fn}_f32: max absolute error ${worst.toExponential(2)} for |x| ≤ 1e5, ${worstNear.toExponential(2)} where |${fn} x| < 1e-3`);
      expect(worstNear).toBeLessThanOrEqual(3e-9);
      expect(worst).toBeLessThanOrEqual(1.2e-7);
    }
  });

  it('atan2: ≤ 2 ulp on independent and on nearby magnitudes', () => {
    const r = new Inputs(3);
    const args: number[][] = [];
    for (let i = 0; i < 10000; i++) args.push([r.logUniform(TINY, FLT_MAX), r.logUniform(TINY, FLT_MAX)]);
    for (let i = 0; i < 10000; i++) {
      const x = r.logUniform(1e-30, 1e30);
      args.push([fr(x * r.logUniform(1e-3, 1e3)), x]);
    }
    const mixed = withSpecials(args, SPECIAL_PAIRS);
    const got = mixed.map(([y, x]) => evalScalar('atan2', y, x));
    let worst = 0;
    let at = [0, 0];
    mixed.forEach(([y, x], i) => {
      const e = ulpError(got[i], Math.atan2(y, x));
      if (e > worst) [worst, at] = [e, [y, x]];
    });
    console.log(`atan2_f32: max ${worst.toFixed(3)} ulp at (y, x) = (${at}) over ${mixed.length} inputs`);
    expect(worst).toBeLessThanOrEqual(2);
    expectVectorLanesEqual('atan2', mixed.slice(0, 2000), got);
  });

  it('pow: ≤ 1e-6 relative while |y·ln x| < 80, ≤ 4 ulp everywhere, signs of negative bases', () => {
    const r = new Inputs(4);
    const args: number[][] = [];
    for (let i = 0; i < 12000; i++) {
      const x = r.logUniform(TINY, FLT_MAX, true);
      const scale = 80 / Math.max(Math.abs(Math.log(x)), 1e-30);
      args.push([x, fr(Math.min(r.logUniform(1e-8, 1) * scale, 1e30))]);
    }
    for (let i = 0; i < 4000; i++) args.push([r.logUniform(1e-3, 1e3), fr(Math.round(r.logUniform(1, 300)))]); // negative bases, integer powers
    for (let i = 0; i < 4000; i++) args.push([r.logUniform(TINY, FLT_MAX), r.logUniform(TINY, FLT_MAX)]);
    const all = withSpecials(args, SPECIAL_PAIRS);
    const got = all.map(([x, y]) => evalScalar('pow', x, y));
    let worstRel = 0;
    let worstUlp = 0;
    let at = [0, 0];
    all.forEach(([x, y], i) => {
      const ref = Math.pow(x, y);
      const e = ulpError(got[i], ref);
      if (e > worstUlp) [worstUlp, at] = [e, [x, y]];
      if (Math.abs(y * Math.log(Math.abs(x))) < 80 && Math.abs(ref) >= 1.1754943508222875e-38) {
        worstRel = Math.max(worstRel, Math.abs(got[i] - ref) / Math.abs(ref));
      }
    });
    console.log(`pow_f32: max relative ${worstRel.toExponential(2)} (|y·ln x| < 80), max ${worstUlp.toFixed(3)} ulp at (x, y) = (${at}) over ${all.length} inputs`);
    expect(worstRel).toBeLessThanOrEqual(1e-6);
    expect(worstUlp).toBeLessThanOrEqual(4);
    expectVectorLanesEqual('pow', all.slice(0, 2000), got);
  });
});

describe('math library: special values as Math.*', () => {
  const unary: Record<string, (x: number) => number> = {
    exp: Math.exp, log: Math.log, sin: Math.sin, cos: Math.cos, tanh: Math.tanh, logistic, erf: interpreterErf,
  };
  /** Inputs whose results are exact in float32 (0, ±1, ±inf, NaN, or the input itself). */
  const EXACT: Record<string, number[]> = {
    exp: [0, -0, Infinity, -Infinity, NaN, 88.72284, 89, 1e10, -103.98, -104, -1e10, -FLT_MAX],
    log: [0, -0, 1, -TINY, -1, -Infinity, Infinity, NaN],
    sin: [0, -0, TINY, -TINY, 1e-30, Infinity, -Infinity, NaN],
    cos: [0, -0, TINY, 1e-30, Infinity, -Infinity, NaN],
    tanh: [0, -0, TINY, -TINY, 10, -10, 1e10, -1e10, Infinity, -Infinity, NaN],
    logistic: [0, -0, 20, 1e10, Infinity, -Infinity, -1e10, -110, NaN],
    erf: [0, -0, TINY, -TINY, 4, -4, 1e10, Infinity, -Infinity, NaN],
  };
  for (const [fn, xs] of Object.entries(EXACT)) {
    it(`${fn}`, () => {
      for (const x of xs.map(fr)) {
        const got = evalScalar(fn as MathFn, x);
        expect(same(got, fr(unary[fn](x))), `${fn}(${x}) = ${got}, Math: ${fr(unary[fn](x))}`).toBe(true);
      }
    });
  }

  it('exp and logistic keep subnormal results (WebAssembly has no flush to zero)', () => {
    for (const x of [-88, -90, -95, -100, -103]) {
      expect(ulpError(evalScalar('exp', x), Math.exp(x))).toBeLessThanOrEqual(1);
      expect(ulpError(evalScalar('logistic', x), logistic(x))).toBeLessThanOrEqual(1);
    }
    expect(evalScalar('exp', -100)).toBeGreaterThan(0);
  });

  const GRID = [0, -0, TINY, -TINY, 0.5, -0.5, 1, -1, 2, -2, 3, -3, 2.5, -2.5, 1e30, -1e30, FLT_MAX, -FLT_MAX, Infinity, -Infinity, NaN].map(fr);
  it('atan2: quadrants, ±0, ±inf and NaN', () => {
    for (const y of GRID) {
      for (const x of GRID) {
        const got = evalScalar('atan2', y, x);
        const ref = Math.atan2(y, x);
        expect(same(got, fr(ref)) || ulpError(got, ref) <= 1, `atan2(${y}, ${x}) = ${got}, Math: ${ref}`).toBe(true);
        if (ref === 0 || Number.isNaN(ref)) expect(same(got, ref), `atan2(${y}, ${x})`).toBe(true);
      }
    }
  });

  it('pow: zeros, infinities, ±1, negative bases and NaN', () => {
    for (const x of GRID) {
      for (const y of GRID) {
        const got = evalScalar('pow', x, y);
        const ref = Math.pow(x, y);
        expect(same(got, fr(ref)) || ulpError(got, ref) <= 1, `pow(${x}, ${y}) = ${got}, Math: ${ref}`).toBe(true);
        if (ref === 0 || !Number.isFinite(ref) || Math.abs(ref) === 1) expect(same(got, fr(ref)), `pow(${x}, ${y}) = ${got}, Math: ${ref}`).toBe(true);
      }
    }
    expect(evalScalar('pow', -2, 3)).toBe(-8);
    expect(evalScalar('pow', -2, 4)).toBe(16);
    expect(evalScalar('pow', 2, 0.5)).toBe(fr(Math.SQRT2));
  });
});

// ---- WebAssembly

const N = 1 << 16;
const FNS: MathFn[] = ['exp', 'log', 'sin', 'cos', 'tanh', 'logistic', 'erf', 'atan2', 'pow'];
const arity = (fn: MathFn): number => (fn === 'atan2' || fn === 'pow' ? 2 : 1);

/** out[i] = fn(a[i], b[i]) over n elements, 1 or 4 per step. */
function mapKernel(fn: MathFn, t: 'f32' | 'f32x4', n: number, unitCost: number): Kernel {
  const w = t === 'f32x4' ? 4 : 1;
  const b = new Block();
  b.for(START, END, (i, inner) => {
    const at = imul(i, i32(w));
    const args = ['a', 'b'].slice(0, arity(fn)).map((buf) => load(buf, at, t));
    inner.store('out', at, math(fn, ...args));
  });
  return { name: `${fn}_${t}`, units: n / w, unitCost, body: b.stmts };
}

const buffer = (id: string, data: Float32Array): TestBuffer => ({ id, size: data.length, storage: 'f32', kind: 'input', data });

/** 2^16 arguments per function: the special values (pairs), then log-uniform over the whole range and the accurate range. */
function wasmInputs(fn: MathFn, seed: number): [Float32Array, Float32Array] {
  const r = new Inputs(seed);
  const inner = { exp: 104, log: 1e38, sin: 1e5, cos: 1e5, tanh: 12, logistic: 110, erf: 5, atan2: 1e30, pow: 100 }[fn];
  const a = new Float32Array(N).map((_, i) => (i % 2 ? r.logUniform(TINY, FLT_MAX) : r.logUniform(1e-9, inner)));
  const b = new Float32Array(N).map((_, i) => (i % 3 ? r.logUniform(1e-6, 50) : r.logUniform(TINY, FLT_MAX)));
  SPECIAL_PAIRS.forEach(([x, y], i) => {
    a[i] = x;
    b[i] = y;
  });
  return [a, b];
}

describe('math library on WebAssembly', () => {
  FNS.forEach((fn, fi) => {
    it(`${fn}: f32 and f32x4 kernels over 2^16 inputs equal the evaluator bit for bit`, async () => {
      const [a, b] = wasmInputs(fn, 500 + fi);
      const modes: FmaMode[] = wasmFeatures.relaxedSimd ? ['fused', 'separate'] : ['separate'];
      const expected = modes.map((mode) => {
        const e = new Float32Array(N);
        for (let i = 0; i < N; i++) e[i] = arity(fn) === 2 ? evalScalarAs(mode, fn, a[i], b[i]) : evalScalarAs(mode, fn, a[i]);
        return e;
      });
      for (const t of ['f32', 'f32x4'] as const) {
        const k = mapKernel(fn, t, N, 40);
        const bufs = [buffer('a', a), buffer('b', b), buffer('out', new Float32Array(N))];
        typecheckKernel(k, bufs, MATH_FUNCTIONS);
        const out = (await runOnWasm(bufs, [k], mathFunctionsUsed([k]))).get('out')!;
        const mismatches = expected.map((ex, m) => {
          let count = 0;
          let first = '';
          for (let i = 0; i < N; i++) {
            if (!same(out[i], ex[i])) {
              if (!count) first = `${fn}_${t}(${a[i]}${arity(fn) === 2 ? `, ${b[i]}` : ''}) = ${out[i]}, evaluator (fma ${modes[m]}) ${ex[i]}`;
              count++;
            }
          }
          return { count, first };
        });
        const best = mismatches.reduce((p, q) => (q.count < p.count ? q : p));
        expect(best.count, best.first).toBe(0);
      }
    });
  });

  it('speed: ns per element on one thread (printed)', async () => {
    const rt = await wasmRuntime();
    const a = new Float32Array(N).map((_, i) => fr(((i % 2000) - 1000) / 37));
    const b = new Float32Array(N).map((_, i) => fr(0.5 + (i % 100) / 50));
    const lines: string[] = [];
    for (const fn of FNS) {
      const row: string[] = [];
      for (const t of ['f32', 'f32x4'] as const) {
        const k = mapKernel(fn, t, N, 0); // unitCost 0: one thread
        const program = await rt.load(
          { name: `bench_${fn}_${t}`, buffers: ['a', 'b', 'out'].map((id) => ({ id, size: N, storage: 'f32' as const, kind: 'input' as const })), kernels: [k] },
          mathFunctionsUsed([k]),
          new Set(['a', 'b', 'out']),
        );
        try {
          program.write('a', a);
          program.write('b', b);
          for (let i = 0; i < 20; i++) program.run();
          const reps = 100;
          const t0 = performance.now();
          for (let i = 0; i < reps; i++) program.run();
          row.push(`${t} ${(((performance.now() - t0) / reps / N) * 1e6).toFixed(2)}`);
        } finally {
          program.release();
        }
      }
      lines.push(`${fn.padEnd(9)} ${row.join('  ')} ns/element`);
    }
    const js = { exp: Math.exp, sin: Math.sin, tanh: Math.tanh } as const;
    for (const [name, f] of Object.entries(js)) {
      const out = new Float32Array(N);
      for (let i = 0; i < N; i++) out[i] = f(a[i]);
      const t0 = performance.now();
      for (let rep = 0; rep < 50; rep++) for (let i = 0; i < N; i++) out[i] = f(a[i]);
      lines.push(`JS Math.${name} into a Float32Array: ${(((performance.now() - t0) / 50 / N) * 1e6).toFixed(2)} ns/element`);
    }
    console.log(lines.join('\n'));
  });
});

describe('the math library typechecks as functions', () => {
  it('every function, its returned expression reading the locals of its body', async () => {
    const { typecheckFunction } = await import('../../kernels/ir/typecheck');
    const { MATH_FUNCTIONS } = await import('../../kernels/ir/math');
    for (const fn of MATH_FUNCTIONS.values()) typecheckFunction(fn, MATH_FUNCTIONS);
  });
});
