/**
 * Gradients through scans, forward and reversed: cumsum against the opposite-direction running
 * sum written as a loop; the linear recurrence x_t = a_t x_{t−1} + b_t, real and complex,
 * against finite differences; and the generic associative scan on non-linear combines (2×2
 * matrix products, the (max, +) tropical recurrence, a running softmax normaliser), whose
 * values are first checked against sequential loops so that the gradients are of the
 * intended functions.
 */
import { describe, expect, it } from 'vitest';
import { vjpIR } from '../../compiler/autodiff/transform';
import { evalClosed } from '../../compiler/interpreter/index';
import type { ClosedIR } from '../../compiler/ir';
import * as T from '../../src/index';
import type { Tensor } from '../../src/index';
import { naive } from '../support/index';
import { matrixProduct, runningSoftmax, type ScanCombine, shiftedProduct, tropical } from './combines';
import { expectAllClose, fdGradients, fromReals, randomTensor, realsOf, seeded } from './support';

const F = (x: Tensor): Tensor<'f32'> => x as Tensor<'f32'>;
const C = (x: Tensor): Tensor<'c64'> => x as Tensor<'c64'>;
const DIRECTIONS = [false, true] as const;

/** grad of a scalar loss in every argument vs central differences. */
function expectGradMatchesFd(loss: (...xs: Tensor[]) => Tensor, xs: readonly Tensor[], rtol = 1e-6): void {
  const g = T.grad(loss, { argnums: xs.map((_, i) => i) })(...xs) as Tensor[];
  const fd = fdGradients(loss, xs);
  g.forEach((gi, i) => expectAllClose(realsOf(gi), realsOf(fd[i]), rtol, `grad of argument ${i}`));
}

describe('cumsum', () => {
  it.each(DIRECTIONS)('reverse=%s: grad of Σ w·cumsum(x) is the running sum of w in the other direction', (reverse) => {
    const r = seeded(reverse ? 2 : 1);
    const w = randomTensor(r, { shape: [6], dtype: 'f32' });
    const x = randomTensor(r, { shape: [6], dtype: 'f32' });
    const g = T.grad((v: Tensor) => T.sum(T.mul(T.cumsum(F(v), { reverse }), F(w))))(x) as Tensor;
    const ws = w.data64();
    // x_t enters the running sums at every position it reaches: later ones forward, earlier ones reversed.
    const expected = Array.from(ws, (_, t) => ws.reduce((s, wu, u) => s + ((reverse ? u <= t : u >= t) ? wu : 0), 0));
    expectAllClose(realsOf(g), expected, 1e-14, 'cumsum grad');
  });

  it.each(DIRECTIONS)('c64, reverse=%s, on axis 1 of a [2,4] tensor, with a non-linear loss: grad matches finite differences', (reverse) => {
    const x = randomTensor(seeded(3), { shape: [2, 4], dtype: 'c64' });
    expectGradMatchesFd((v) => T.sum(T.square(T.abs(T.cumsum(C(v), { axis: 1, reverse })))), [x]);
  });
});

describe('linear recurrence x_t = a_t·x_{t−1} + b_t', () => {
  it.each(DIRECTIONS)('f32, reverse=%s: grads in a and b match finite differences', (reverse) => {
    const r = seeded(reverse ? 12 : 11);
    const a = randomTensor(r, { shape: [6, 2], dtype: 'f32', domain: 'contraction' });
    const b = randomTensor(r, { shape: [6, 2], dtype: 'f32' });
    const w = randomTensor(r, { shape: [6, 2], dtype: 'f32' });
    const loss = (av: Tensor, bv: Tensor) => {
      const x = T.linearRecurrence(F(av), F(bv), { axis: 0, reverse });
      return T.add(T.sum(T.mul(x, F(w))), T.sum(T.mul(T.square(x), 0.5)));
    };
    expectGradMatchesFd(loss, [a, b]);
  });

  it.each(DIRECTIONS)('c64, reverse=%s: grads in a and b match finite differences', (reverse) => {
    const r = seeded(reverse ? 14 : 13);
    const a = randomTensor(r, { shape: [5, 2], dtype: 'c64', domain: 'contraction' });
    const b = randomTensor(r, { shape: [5, 2], dtype: 'c64' });
    const w = randomTensor(r, { shape: [5, 2], dtype: 'c64' });
    const loss = (av: Tensor, bv: Tensor) => {
      const x = T.linearRecurrence(C(av), C(bv), { axis: 0, reverse });
      return T.add(T.sum(T.real(T.mul(T.conj(C(w)), x))), T.sum(T.square(T.abs(x))));
    };
    expectGradMatchesFd(loss, [a, b]);
  });

  it('a coefficient shared across time (a of shape [N], as in a time-invariant SSM): grad sums over time', () => {
    const r = seeded(15);
    const a = randomTensor(r, { shape: [3], dtype: 'c64', domain: 'contraction' });
    const b = randomTensor(r, { shape: [6, 3], dtype: 'c64' });
    const loss = (av: Tensor, bv: Tensor) => T.sum(T.square(T.abs(T.linearRecurrence(C(av), C(bv), { axis: 0 }))));
    expectGradMatchesFd(loss, [a, b]);
  });
});

// --- generic associative scans on non-linear combines ---------------------------------------

/** The sequential reference loop over one line of [L] operands, operand by operand. */
function sequentialScan(xs: readonly Tensor[], reverse: boolean, combine: ScanCombine['naive']): number[][] {
  const refs = xs.map((x) => ({ dtype: x.dtype, shape: [...x.shape], data: Array.from(x.data64()) }));
  const scalars = (tuple: number[][]) => tuple.map((v) => v[0]);
  const outs = naive.sequentialScan(refs, 0, reverse, (acc, x) => combine(scalars(acc), scalars(x)).map((v) => [v]));
  return outs.map((o) => [...o.data]);
}

describe.each([matrixProduct, tropical, runningSoftmax, shiftedProduct])('associative scan: $name', (sc) => {
  const L = 5;
  const inputs = (seed: number) => {
    const r = seeded(seed);
    return sc.domains.map((domain) => randomTensor(r, { shape: [L], dtype: 'f32', domain }));
  };

  it.each(DIRECTIONS)('reverse=%s: values equal the sequential loop', (reverse) => {
    const xs = inputs(21);
    const got = T.associativeScan(sc.combine, xs, { reverse });
    const expected = sequentialScan(xs, reverse, sc.naive);
    got.forEach((g, k) => expectAllClose(realsOf(g), expected[k], 1e-12, `operand ${k}`));
  });

  it.each(DIRECTIONS)('reverse=%s: grad of a weighted sum of every output matches finite differences', (reverse) => {
    const xs = inputs(reverse ? 23 : 22);
    const r = seeded(24);
    const ws = xs.map(() => randomTensor(r, { shape: [L], dtype: 'f32' }));
    const loss = (...vs: Tensor[]) =>
      T.sum(T.stack(T.associativeScan(sc.combine, vs, { reverse }).map((y, k) => T.sum(T.mul(F(y), F(ws[k]))))));
    expectGradMatchesFd(loss, xs);
  });

  it('on axis 1 of [2, 4] operands: grad matches finite differences', () => {
    const r = seeded(25);
    const xs = sc.domains.map((domain) => randomTensor(r, { shape: [2, 4], dtype: 'f32', domain }));
    const loss = (...vs: Tensor[]) => T.sum(T.stack(T.associativeScan(sc.combine, vs, { axis: 1 }).map((y) => T.sum(T.tanh(F(y))))));
    expectGradMatchesFd(loss, xs);
  });
});

describe('scans of length 1 and 2 (the boundary cases of the reversed recurrences)', () => {
  it.each([1, 2])('L = %i: linear recurrence, cumsum and a generic scan, forward and reversed, match finite differences', (L) => {
    const r = seeded(50 + L);
    const a = randomTensor(r, { shape: [L, 2], dtype: 'c64', domain: 'contraction' });
    const b = randomTensor(r, { shape: [L, 2], dtype: 'c64' });
    const x = randomTensor(r, { shape: [L, 2], dtype: 'f32' });
    const y = randomTensor(r, { shape: [L, 2], dtype: 'f32' });
    for (const reverse of DIRECTIONS) {
      expectGradMatchesFd((av, bv) => T.sum(T.square(T.abs(T.linearRecurrence(C(av), C(bv), { axis: 0, reverse })))), [a, b]);
      expectGradMatchesFd((v) => T.sum(T.square(T.cumsum(F(v), { reverse }))), [x]);
      expectGradMatchesFd((u, v) => T.sum(T.square(F(T.associativeScan(tropical.combine, [u, v], { reverse })[1]))), [x, y]);
    }
  });
});

describe('running softmax normaliser against the closed form', () => {
  it.each(DIRECTIONS)('reverse=%s: ∂/∂x_u Σ_t w_t·logsumexp(prefix_t) = Σ_{t ∋ u} w_t·softmax_t(u)', (reverse) => {
    const L = 6;
    const r = seeded(reverse ? 31 : 30);
    const x = randomTensor(r, { shape: [L], dtype: 'f32' });
    const s0 = fromReals('f32', [L], Array(L).fill(1));
    const w = randomTensor(r, { shape: [L], dtype: 'f32' });
    const loss = (v: Tensor) => {
      const [m, s] = T.associativeScan(runningSoftmax.combine, [v, s0], { reverse });
      return T.sum(T.mul(T.add(F(m), T.log(F(s))), F(w)));
    };
    const g = realsOf(T.grad(loss)(x) as Tensor);
    const xv = x.data64();
    const wv = w.data64();
    // prefix_t = the positions scanned by the time t is reached.
    const inPrefix = (u: number, t: number) => (reverse ? u >= t : u <= t);
    const expected = Array.from(xv, (_, u) => {
      let sum = 0;
      for (let t = 0; t < L; t++) {
        if (!inPrefix(u, t)) continue;
        let z = 0;
        for (let v = 0; v < L; v++) if (inPrefix(v, t)) z += Math.exp(xv[v]);
        sum += (wv[t] * Math.exp(xv[u])) / z;
      }
      return sum;
    });
    expectAllClose(g, expected, 1e-12, 'softmax-weighted gradient');
  });
});

describe('the scan inside the VJP of a generic scan is itself associative', () => {
  // The VJP runs an affine recurrence as a scan over maps (M, v). A sequential fold only ever
  // composes onto the zero map of the last element, so a wrong composition order is invisible
  // to the interpreter's loop; a parallel scan regroups the combines, which is only sound if
  // the combine is associative. Check that on random, non-zero operands.
  it.each([matrixProduct, tropical, runningSoftmax])('$name: (a ⊕ b) ⊕ c = a ⊕ (b ⊕ c) for the VJP\'s combine', (sc) => {
    const k = sc.domains.length;
    const loss = (...vs: Tensor[]) => T.sum(T.stack(T.associativeScan(sc.combine, vs).map((y) => T.sum(F(y)))));
    const { ir } = vjpIR(T.makeIR(loss)(...sc.domains.map(() => T.spec([5]))).ir);
    const scans = ir.eqns.filter((e) => e.prim === 'assoc_scan').map((e) => (e.params as { combine: ClosedIR }).combine);
    const affine = scans.find((c) => c.ir.inVars.length === 2 * (k * k + k));
    expect(affine, 'the VJP contains one scan of k² + k operands').toBeDefined();
    const combine = affine as ClosedIR;
    const width = k * k + k;
    const r = seeded(70 + k);
    const tuple = () => Array.from({ length: width }, () => r.normal());
    const apply = (left: number[], right: number[]) =>
      evalClosed(combine, [...left, ...right].map((v) => ({ dtype: 'f32' as const, shape: [], data: Float64Array.of(v) }))).map((o) => o.data[0]);
    for (let trial = 0; trial < 3; trial++) {
      const [a, b, c] = [tuple(), tuple(), tuple()];
      expectAllClose(apply(apply(a, b), c), apply(a, apply(b, c)), 1e-12, `associativity, trial ${trial}`);
    }
  });
});

describe('complex associative scans', () => {
  it('the gradient of Σ_t Re y_t + 2·Im y_t for the running sum y of c64 z is (n − s)(1 + 2i) at position s (∂L/∂x + i·∂L/∂y)', () => {
    const n = 5;
    const z = randomTensor(seeded(40), { shape: [n], dtype: 'c64' });
    const loss = (v: Tensor) => {
      const y = C(T.associativeScan(([p], [q]) => [T.add(C(p), C(q))], [v])[0]);
      return T.sum(T.add(T.real(y), T.mul(T.imag(y), 2)));
    };
    const g = Array.from((T.grad(loss)(z) as Tensor).data64());
    expect(g).toEqual(Array.from({ length: n }, (_, s) => [n - s, 2 * (n - s)]).flat());
  });

  it('a c64 scan of affine maps differentiates like the linear recurrence it computes (grad and jvp)', () => {
    const r = seeded(41);
    const a = randomTensor(r, { shape: [6, 2], dtype: 'c64', domain: 'contraction' });
    const b = randomTensor(r, { shape: [6, 2], dtype: 'c64' });
    const w = randomTensor(r, { shape: [6, 2], dtype: 'c64' });
    const affine: T.Combine = ([a1, b1], [a2, b2]) => [T.mul(C(a2), C(a1)), T.add(T.mul(C(a2), C(b1)), C(b2))];
    const readout = (x: Tensor) => T.sum(T.real(T.mul(T.square(C(x)), C(w))));
    const byScan = (p: Tensor, q: Tensor) => readout(T.associativeScan(affine, [p, q], { reverse: true })[1]);
    const byRecurrence = (p: Tensor, q: Tensor) => readout(T.linearRecurrence(C(p), C(q), { axis: 0, reverse: true }));
    const [gs, gr] = [T.grad(byScan, { argnums: [0, 1] })(a, b) as Tensor[], T.grad(byRecurrence, { argnums: [0, 1] })(a, b) as Tensor[]];
    gs.forEach((g, i) => expectAllClose(realsOf(g), realsOf(gr[i]), 1e-12, `gradient ${i}`));
    const [ta, tb] = [randomTensor(r, { shape: [6, 2], dtype: 'c64' }), randomTensor(r, { shape: [6, 2], dtype: 'c64' })];
    const js = T.jvp(byScan, [a, b], [ta, tb])[1] as Tensor;
    const jr = T.jvp(byRecurrence, [a, b], [ta, tb])[1] as Tensor;
    expectAllClose(realsOf(js), realsOf(jr), 1e-12, 'jvp');
  });
});
