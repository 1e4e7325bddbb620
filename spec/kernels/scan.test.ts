/**
 * Tree scan templates against sequential loops: the linear recurrence
 * x_t = a_t x_{t-1} + b_t (complex and real, forward and reversed, with an
 * initial state, along inner and outer axes), a non-commutative generic
 * scan (2x2 matrix products), and cumulative sums.
 */
import { expect, it } from 'vitest';
import { bufferOf, operandOf } from '../../kernels/operand';
import { PlanBuilder } from '../../kernels/plan';
import { associativeScan } from '../../kernels/templates/associative-scan';
import { cumulativeSum } from '../../kernels/templates/cumulative-sum';
import { linearRecurrence } from '../../kernels/templates/linear-recurrence';
import { describeEachBackend, expectClose, maxAbs, randomArray } from './helpers';

/** Sequential complex recurrence over shape [outer, T, inner] (float64). */
function recurrenceReference(a: Float32Array, b: Float32Array, outer: number, T: number, inner: number,
  complex: boolean, reverse: boolean, x0?: Float32Array): Float64Array {
  const w = complex ? 2 : 1;
  const x = new Float64Array(outer * T * inner * w);
  for (let o = 0; o < outer; o++) {
    for (let j = 0; j < inner; j++) {
      const s = o * inner + j;
      let xr = x0 ? x0[s * w] : 0;
      let xi = x0 && complex ? x0[s * w + 1] : 0;
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
  const cases: { T: number; outer: number; inner: number; complex: boolean; reverse: boolean; fanout?: number; x0?: boolean }[] = [
    { T: 1, outer: 1, inner: 1, complex: true, reverse: false },
    { T: 3, outer: 1, inner: 1, complex: true, reverse: false, fanout: 2 },
    { T: 7, outer: 2, inner: 3, complex: true, reverse: false, fanout: 2 },
    { T: 12, outer: 1, inner: 2, complex: true, reverse: true, fanout: 3 },
    { T: 100, outer: 3, inner: 1, complex: false, reverse: false },
    { T: 100, outer: 1, inner: 4, complex: false, reverse: true, fanout: 4, x0: true },
    { T: 1000, outer: 1, inner: 1, complex: true, reverse: false },
    { T: 1000, outer: 2, inner: 2, complex: true, reverse: true, fanout: 16, x0: true },
  ];
  for (const c of cases) {
    const label = `${c.complex ? 'complex' : 'real'} T=${c.T} [${c.outer}, T, ${c.inner}] ${c.reverse ? 'reversed' : 'forward'} F=${c.fanout ?? 8}${c.x0 ? ' with x0' : ''}`;
    it(label, async () => {
      const w = c.complex ? 2 : 1;
      const n = c.outer * c.T * c.inner;
      const shape = [c.outer, c.T, c.inner];
      const a = stableCoefficients(n, c.complex, c.T + 11);
      const b = randomArray(n * w, c.T + 13);
      const x0 = c.x0 ? randomArray(c.outer * c.inner * w, 17) : undefined;
      const builder = new PlanBuilder('rec');
      const dtype = c.complex ? 'c64' : 'f32';
      const out = linearRecurrence(builder, {
        a: operandOf(builder.input('a', n * w), shape, dtype),
        b: operandOf(builder.input('b', n * w), shape, dtype),
        initial: x0 ? operandOf(builder.input('x0', x0.length), [c.outer, c.inner], dtype) : undefined,
        axis: 1,
        reverse: c.reverse,
        fanout: c.fanout,
      });
      const got = await rt().run(builder.build(bufferOf(out)), x0 ? [a, b, x0] : [a, b]);
      const want = recurrenceReference(a, b, c.outer, c.T, c.inner, c.complex, c.reverse, x0);
      expectClose(got, want, { atol: 2e-5 * Math.max(1, maxAbs(want)), rtol: 1e-4 });
    });
  }

  it('scans along the leading axis of a [5, 3] c64 tensor', async () => {
    const a = stableCoefficients(15, true, 3), b = randomArray(30, 4);
    const builder = new PlanBuilder('rec0');
    const out = linearRecurrence(builder, {
      a: operandOf(builder.input('a', 30), [5, 3], 'c64'),
      b: operandOf(builder.input('b', 30), [5, 3], 'c64'),
      axis: 0, fanout: 2,
    });
    const got = await rt().run(builder.build(bufferOf(out)), [a, b]);
    expectClose(got, recurrenceReference(a, b, 1, 5, 3, true, false), { atol: 1e-5, rtol: 1e-4 });
  });
});

describeEachBackend('linear recurrence with fused reads and epilogue', (rt) => {
  it('real a broadcast over lines, complex b, epilogue y = Re(c * x) with its own parameter', async () => {
    const [T, P] = [9, 3];
    const lam = randomArray(P, 101, 0.3, 0.9);
    const u = randomArray(T * P * 2, 102);
    const c = randomArray(P * 2, 103);
    const builder = new PlanBuilder('ssm');
    const Lam = operandOf(builder.input('lam', P), [P], 'f32');
    const A = { shape: [T, P], dtype: 'f32' as const, bindings: Lam.bindings, read: (coords: readonly string[], part: 're' | 'im') => Lam.read([coords[1]], part) };
    const C = operandOf(builder.input('c', 2 * P), [P], 'c64');
    const y = linearRecurrence(builder, {
      a: A, b: operandOf(builder.input('u', u.length), [T, P], 'c64'), axis: 0, fanout: 2,
      epilogue: {
        dtype: 'f32', bindings: C.bindings,
        apply: (v, coords) => `${C.read([coords[1]], 're')} * ${v.re} - ${C.read([coords[1]], 'im')} * ${v.im}`,
      },
    });
    expect(y.shape).toEqual([T, P]);
    const got = await rt().run(builder.build(bufferOf(y)), [lam, c, u]);
    const want: number[] = new Array(T * P);
    for (let p = 0; p < P; p++) {
      let xr = 0, xi = 0;
      for (let t = 0; t < T; t++) {
        xr = lam[p] * xr + u[(t * P + p) * 2];
        xi = lam[p] * xi + u[(t * P + p) * 2 + 1];
        want[t * P + p] = c[2 * p] * xr - c[2 * p + 1] * xi;
      }
    }
    expectClose(got, want, { atol: 1e-5, rtol: 1e-5 });
  });
});

describeEachBackend('associative scan', (rt) => {
  for (const T of [1, 7, 100]) {
    it(`2x2 matrix product prefix (non-commutative) T=${T}`, async () => {
      const m = randomArray(4 * T, 21 + T, -0.7, 0.7);
      const builder = new PlanBuilder('matscan');
      const M = operandOf(builder.input('m', 4 * T), [T, 4], 'f32');
      const out = associativeScan(builder, {
        shape: [T], axis: 0, components: 4, fanout: 3, bindings: M.bindings,
        element: ([t]) => [0, 1, 2, 3].map((c) => M.read([t, String(c)], 're')),
        // prefix P_t = M_t * P_{t-1}: right(=later) times left
        combine: (l, r) => [
          `${r[0]} * ${l[0]} + ${r[1]} * ${l[2]}`, `${r[0]} * ${l[1]} + ${r[1]} * ${l[3]}`,
          `${r[2]} * ${l[0]} + ${r[3]} * ${l[2]}`, `${r[2]} * ${l[1]} + ${r[3]} * ${l[3]}`,
        ],
      });
      const got = await rt().run(builder.build(bufferOf(out)), [m]);
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
    const builder = new PlanBuilder('runmax');
    const X = operandOf(builder.input('x', 150), [3, 50], 'f32');
    const out = associativeScan(builder, {
      shape: [3, 50], axis: 1, components: 1, reverse: true, bindings: X.bindings,
      element: (coords) => [X.read(coords, 're')],
      combine: (l, r) => [`Math.max(${l[0]}, ${r[0]})`],
    });
    const got = await rt().run(builder.build(bufferOf(out)), [x]);
    const want = new Float32Array(150);
    for (let i = 0; i < 3; i++) {
      let m = -Infinity;
      for (let t = 49; t >= 0; t--) { m = Math.max(m, x[i * 50 + t]); want[i * 50 + t] = m; }
    }
    expectClose(got, want, { atol: 0 });
  });

  for (const [n, complex] of [[1, false], [12, true], [1000, false]] as const) {
    it(`cumulative sum of ${n} ${complex ? 'complex' : 'real'} values`, async () => {
      const w = complex ? 2 : 1;
      const x = randomArray(n * w, 41 + n);
      const builder = new PlanBuilder('cumsum');
      const out = cumulativeSum(builder, { input: operandOf(builder.input('x', n * w), [n], complex ? 'c64' : 'f32'), axis: 0 });
      const got = await rt().run(builder.build(bufferOf(out)), [x]);
      const want = new Float64Array(n * w);
      for (let c = 0; c < w; c++) {
        let s = 0;
        for (let t = 0; t < n; t++) { s += x[t * w + c]; want[t * w + c] = s; }
      }
      expectClose(got, want, { atol: 1e-5 * Math.sqrt(n), rtol: 1e-5 });
    });
  }

  it('names the offending axis', () => {
    const builder = new PlanBuilder('bad');
    const X = operandOf(builder.input('x', 4), [4], 'f32');
    expect(() => cumulativeSum(builder, { input: X, axis: 1 })).toThrow(/axis 1 out of range for shape \[4\]/);
  });
});
