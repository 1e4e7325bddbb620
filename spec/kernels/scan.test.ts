/**
 * The jit's tree scans (compiler/jit/gpuScan.ts) against sequential loops: the linear
 * recurrence x_t = a_t x_{t-1} + b_t (complex and real, forward and reversed, along inner,
 * middle and outer axes, trees of one to four levels), a non-commutative generic scan (2x2
 * matrix products), a reversed running maximum, and cumulative sums.
 */
import { expect, it } from 'vitest';
import { add, constant, i32, max as maxOf, mul } from '../../kernels/ir/build';
import { affine } from '../../compiler/jit/cpu/indexing';
import type { Expr } from '../../kernels/ir/types';
import { type AxesReader, IrPlan } from '../../compiler/jit/gpuPlan';
import { recurrenceCombine, type ScanCombine, type ScanReader, sumCombine, treeScan } from '../../compiler/jit/gpuScan';
import { describeEachBackend, expectClose, inputTensor, maxAbs, randomArray } from './helpers';

/** The scan elements as tuples of components: each reader's re (and im when complex), in order. */
function tupleReader(parts: readonly { read: AxesReader; complex: boolean }[]): ScanReader {
  const layout = parts.flatMap((p) => (p.complex ? [{ p, im: false }, { p, im: true }] : [{ p, im: false }]));
  return (block, axes) => {
    const values = new Map<AxesReader, { re: Expr; im?: Expr }>();
    return (c) => {
      const { p, im } = layout[c];
      const v = values.get(p.read) ?? p.read(block, axes);
      values.set(p.read, v);
      return im ? (v.im as Expr) : v.re;
    };
  };
}

interface ScanCase {
  readonly shape: readonly number[];
  readonly axis: number;
  readonly reverse?: boolean;
  readonly fanout?: number;
  readonly parts: readonly { read: AxesReader; complex: boolean }[];
  readonly combine: ScanCombine;
  readonly output: { readonly components: readonly number[]; readonly complex: boolean };
}

/** The scan's plan over `plan`'s inputs. */
function scanPlan(plan: IrPlan, c: ScanCase) {
  const components = c.parts.reduce((n, p) => n + (p.complex ? 2 : 1), 0);
  const out = treeScan({
    name: 'scan', shape: c.shape, axis: c.axis, reverse: c.reverse ?? false, components,
    combine: c.combine, read: tupleReader(c.parts), output: c.output, fanout: c.fanout,
  }, (kernel) => plan.launch(kernel));
  return plan.build(out);
}

/** The linear recurrence's scan of (a, b) tuples; `a` read by the reader given (complex when the recurrence is), or from input 'a'. */
function recurrence(plan: IrPlan, shape: readonly number[], axis: number, complex: boolean, opts: { reverse?: boolean; fanout?: number; a?: AxesReader } = {}) {
  const a = opts.a ?? inputTensor(plan, 'a', shape, complex);
  const b = inputTensor(plan, 'b', shape, complex);
  return scanPlan(plan, {
    shape, axis, reverse: opts.reverse, fanout: opts.fanout,
    parts: [{ read: a, complex }, { read: b, complex }],
    combine: recurrenceCombine(complex),
    output: complex ? { components: [2, 3], complex: true } : { components: [1], complex: false },
  });
}

/** Sequential complex recurrence over shape [outer, T, inner] (float64). */
function recurrenceReference(a: Float32Array, b: Float32Array, outer: number, T: number, inner: number,
  complex: boolean, reverse: boolean): Float64Array {
  const w = complex ? 2 : 1;
  const x = new Float64Array(outer * T * inner * w);
  for (let o = 0; o < outer; o++) {
    for (let j = 0; j < inner; j++) {
      let xr = 0, xi = 0;
      for (let step = 0; step < T; step++) {
        const t = reverse ? T - 1 - step : step;
        const idx = ((o * T + t) * inner + j) * w;
        const ar = a[idx], ai = complex ? a[idx + 1] : 0;
        const br = b[idx], bi = complex ? b[idx + 1] : 0;
        const nr = ar * xr - ai * xi + br;
        const ni = ar * xi + ai * xr + bi;
        xr = nr; xi = ni;
        x[idx] = xr;
        if (complex) x[idx + 1] = xi;
      }
    }
  }
  return x;
}

/** Coefficients with modulus in [0.5, 0.99] so the state stays bounded. */
function stableCoefficients(n: number, complex: boolean, seed: number): Float32Array {
  const r = randomArray(n, seed, 0.5, 0.99);
  const th = randomArray(n, seed + 1, -Math.PI, Math.PI);
  if (!complex) return r;
  const out = new Float32Array(2 * n);
  for (let i = 0; i < n; i++) { out[2 * i] = r[i] * Math.cos(th[i]); out[2 * i + 1] = r[i] * Math.sin(th[i]); }
  return out;
}

describeEachBackend('linear recurrence', (rt) => {
  // Fanout F: a line of T elements makes a tree of ceil(log_F T) levels (T <= F: none).
  const cases: { T: number; outer: number; inner: number; complex: boolean; reverse: boolean; fanout?: number }[] = [
    { T: 1, outer: 1, inner: 1, complex: true, reverse: false },
    { T: 3, outer: 1, inner: 1, complex: true, reverse: false, fanout: 2 },
    { T: 7, outer: 2, inner: 3, complex: true, reverse: false, fanout: 2 },
    { T: 8, outer: 1, inner: 2, complex: false, reverse: false },
    { T: 9, outer: 1, inner: 2, complex: false, reverse: true },
    { T: 12, outer: 1, inner: 2, complex: true, reverse: true, fanout: 3 },
    { T: 100, outer: 3, inner: 1, complex: false, reverse: false },
    { T: 100, outer: 1, inner: 4, complex: false, reverse: true, fanout: 4 },
    { T: 1000, outer: 1, inner: 1, complex: true, reverse: false },
    { T: 1000, outer: 2, inner: 2, complex: true, reverse: true, fanout: 16 },
  ];
  for (const c of cases) {
    const label = `${c.complex ? 'complex' : 'real'} T=${c.T} [${c.outer}, T, ${c.inner}] ${c.reverse ? 'reversed' : 'forward'} F=${c.fanout ?? 8}`;
    it(label, async () => {
      const w = c.complex ? 2 : 1;
      const n = c.outer * c.T * c.inner;
      const a = stableCoefficients(n, c.complex, c.T + 11);
      const b = randomArray(n * w, c.T + 13);
      const plan = recurrence(new IrPlan('rec'), [c.outer, c.T, c.inner], 1, c.complex, { reverse: c.reverse, fanout: c.fanout });
      const got = await rt().run(plan, [a, b]);
      const want = recurrenceReference(a, b, c.outer, c.T, c.inner, c.complex, c.reverse);
      expectClose(got, want, { atol: 2e-5 * Math.max(1, maxAbs(want)), rtol: 1e-4 });
    });
  }

  it('scans along the leading axis of a [5, 3] c64 tensor', async () => {
    const a = stableCoefficients(15, true, 3), b = randomArray(30, 4);
    const plan = recurrence(new IrPlan('rec0'), [5, 3], 0, true, { fanout: 2 });
    const got = await rt().run(plan, [a, b]);
    expectClose(got, recurrenceReference(a, b, 1, 5, 3, true, false), { atol: 1e-5, rtol: 1e-4 });
  });

  it('reads real coefficients broadcast over the steps through a fused reader, complex b', async () => {
    const [T, P] = [9, 3];
    const lam = randomArray(P, 101, 0.3, 0.9);
    const u = randomArray(T * P * 2, 102);
    const plan = new IrPlan('ssm');
    const Lam = inputTensor(plan, 'lam', [P]);
    const broadcast: AxesReader = (block, axes) => ({ re: Lam(block, [axes[1]]).re, im: constant('f32', 0) });
    const got = await rt().run(recurrence(plan, [T, P], 0, true, { a: broadcast, fanout: 2 }), [lam, u]);
    const want: number[] = new Array(2 * T * P);
    for (let p = 0; p < P; p++) {
      let xr = 0, xi = 0;
      for (let t = 0; t < T; t++) {
        xr = lam[p] * xr + u[(t * P + p) * 2];
        xi = lam[p] * xi + u[(t * P + p) * 2 + 1];
        want[(t * P + p) * 2] = xr;
        want[(t * P + p) * 2 + 1] = xi;
      }
    }
    expectClose(got, want, { atol: 1e-5, rtol: 1e-5 });
  });
});

describeEachBackend('associative scan', (rt) => {
  for (const T of [1, 7, 100]) {
    it(`2x2 matrix product prefix (non-commutative) T=${T}`, async () => {
      const m = randomArray(4 * T, 21 + T, -0.7, 0.7);
      const plan = new IrPlan('matscan');
      const M = inputTensor(plan, 'm', [T, 4]);
      const entry = (c: number): AxesReader => (block, [t]) => M(block, [t, affine(i32(c))]);
      const scan = scanPlan(plan, {
        shape: [T], axis: 0, fanout: 3,
        parts: [0, 1, 2, 3].map((c) => ({ read: entry(c), complex: false })),
        // prefix P_t = M_t * P_{t-1}: right (later) times left
        combine: (l, r) => [
          add(mul(r[0], l[0]), mul(r[1], l[2])), add(mul(r[0], l[1]), mul(r[1], l[3])),
          add(mul(r[2], l[0]), mul(r[3], l[2])), add(mul(r[2], l[1]), mul(r[3], l[3])),
        ],
        output: { components: [0, 1, 2, 3], complex: false },
      });
      const got = await rt().run(scan, [m]);
      const want = new Float64Array(4 * T);
      let p = [1, 0, 0, 1];
      for (let t = 0; t < T; t++) {
        const q = m.subarray(4 * t, 4 * t + 4);
        p = [q[0] * p[0] + q[1] * p[2], q[0] * p[1] + q[1] * p[3], q[2] * p[0] + q[3] * p[2], q[2] * p[1] + q[3] * p[3]];
        want.set(p, 4 * t);
      }
      expectClose(got, want, { atol: 1e-5, rtol: 1e-4 });
    });
  }

  it('running maximum (reversed) along the last axis', async () => {
    const x = randomArray(3 * 50, 31);
    const plan = new IrPlan('runmax');
    const scan = scanPlan(plan, {
      shape: [3, 50], axis: 1, reverse: true,
      parts: [{ read: inputTensor(plan, 'x', [3, 50]), complex: false }],
      combine: (l, r) => [maxOf(l[0], r[0])],
      output: { components: [0], complex: false },
    });
    const got = await rt().run(scan, [x]);
    const want = new Float32Array(150);
    for (let i = 0; i < 3; i++) {
      let m = -Infinity;
      for (let t = 49; t >= 0; t--) { m = Math.max(m, x[i * 50 + t]); want[i * 50 + t] = m; }
    }
    expectClose(got, want, { atol: 0 });
  });

  for (const [n, complex] of [[1, false], [12, true], [64, false], [65, true], [1000, false]] as const) {
    it(`cumulative sum of ${n} ${complex ? 'complex' : 'real'} values`, async () => {
      const w = complex ? 2 : 1;
      const x = randomArray(n * w, 41 + n);
      const plan = new IrPlan('cumsum');
      const scan = scanPlan(plan, {
        shape: [n], axis: 0,
        parts: [{ read: inputTensor(plan, 'x', [n], complex), complex }],
        combine: sumCombine,
        output: { components: complex ? [0, 1] : [0], complex },
      });
      const got = await rt().run(scan, [x]);
      const want = new Float64Array(n * w);
      for (let c = 0; c < w; c++) {
        let s = 0;
        for (let t = 0; t < n; t++) { s += x[t * w + c]; want[t * w + c] = s; }
      }
      expectClose(got, want, { atol: 1e-5 * Math.sqrt(n), rtol: 1e-5 });
    });
  }

  it('names the offending axis and fanout', () => {
    const plan = new IrPlan('bad');
    const x = inputTensor(plan, 'x', [4]);
    const spec = { shape: [4], axis: 1, parts: [{ read: x, complex: false }], combine: sumCombine, output: { components: [0], complex: false } };
    expect(() => scanPlan(plan, spec)).toThrow(/scan 'scan': axis 1 out of range for shape \[4\]/);
    expect(() => scanPlan(plan, { ...spec, axis: 0, fanout: 1 })).toThrow(/fanout must be an integer >= 2, got 1/);
  });
});
