/**
 * Gradients of an S5-style layer with respect to all of its parameters, against central
 * differences of an independent plain-TypeScript implementation of the same layer; and its
 * Hessian-vector products by forward over reverse (jvp of grad), against central differences
 * of grad, with the recurrence as a linear recurrence and as the reference's associative scan.
 *
 * The layer (S5, Smith et al. 2023; ZOH discretisation as in lindermanlab/S5 s5/ssm.py):
 *   Λ = Λ_re + i·Λ_im, Δ = exp(log Δ), Λ̄ = exp(Λ·Δ), B̄ = ((Λ̄ − 1)/Λ)·B̃,
 *   x_k = Λ̄ ⊙ x_{k−1} + B̄·u_k (x_{−1} = 0), y_k = 2·Re(C̃·x_k) + D ⊙ u_k,
 *   loss = mean((y − target)²).
 * Parameters: Λ_re, Λ_im, log Δ (f32 [P]), B̃ (c64 [P, H]), C̃ (c64 [H, P]), D (f32 [H]).
 */
import { describe, expect, it } from 'vitest';
import * as T from '../../src/index';
import type { Tensor } from '../../src/index';
import type { S5Config } from '../../src/models/config';
import { decodeSSMConfig } from '../../src/models/config';
import { applyS5, initS5, type S5Params as LibraryS5Params } from '../../src/models/s5';
import { expectAllClose, likeWith, randomTensor, realsOf, type Rng, seeded } from './support';

const [P, H, L] = [3, 2, 6];

interface S5Params {
  readonly lambdaRe: Tensor<'f32'>;
  readonly lambdaIm: Tensor<'f32'>;
  readonly logStep: Tensor<'f32'>;
  readonly B: Tensor<'c64'>;
  readonly C: Tensor<'c64'>;
  readonly D: Tensor<'f32'>;
}
const PARAM_NAMES = ['B', 'C', 'D', 'lambdaIm', 'lambdaRe', 'logStep'] as const;

/** The S5 reference's recurrence: an associative scan over (Λ̄, B̄u) pairs, (a1, b1)·(a2, b2) = (a2·a1, a2·b1 + b2). */
const binaryOperator: T.Combine = ([a1, b1], [a2, b2]) => [
  T.mul(a2 as Tensor<'c64'>, a1 as Tensor<'c64'>),
  T.add(T.mul(a2 as Tensor<'c64'>, b1 as Tensor<'c64'>), b2 as Tensor<'c64'>),
];

const byLinearRecurrence = (lambdaBar: Tensor<'c64'>, bu: Tensor<'c64'>): Tensor<'c64'> => T.linearRecurrence(lambdaBar, bu, { axis: 0 });
const byAssociativeScan = (lambdaBar: Tensor<'c64'>, bu: Tensor<'c64'>): Tensor<'c64'> =>
  T.associativeScan(binaryOperator, [T.broadcastTo(lambdaBar, bu.shape), bu])[1] as Tensor<'c64'>;

/** The layer in the DSL. */
function s5Loss(p: S5Params, u: Tensor<'f32'>, target: Tensor<'f32'>, recurrence = byLinearRecurrence): Tensor {
  const lambda = T.complex(p.lambdaRe, p.lambdaIm);
  const step = T.exp(p.logStep);
  const lambdaBar = T.exp(T.mul(lambda, step));
  const bBar = T.mul(T.expandDims(T.div(T.sub(lambdaBar, 1), lambda), 1), p.B);
  const bu = T.matmul(T.cast('c64')(u), T.mT(bBar));
  const x = recurrence(lambdaBar, bu);
  const y = T.add(T.mul(T.real(T.matmul(x, T.mT(p.C))), 2), T.mul(p.D, u));
  return T.mean(T.square(T.sub(y, target)));
}

// --- the same layer as plain loops over numbers -------------------------------------------------

type Cx = [number, number];
const cmul = (a: Cx, b: Cx): Cx => [a[0] * b[0] - a[1] * b[1], a[0] * b[1] + a[1] * b[0]];
const cdiv = (a: Cx, b: Cx): Cx => {
  const d = b[0] * b[0] + b[1] * b[1];
  return [(a[0] * b[0] + a[1] * b[1]) / d, (a[1] * b[0] - a[0] * b[1]) / d];
};

type Flat = Record<(typeof PARAM_NAMES)[number], Float64Array>;

function naiveS5Loss(p: Flat, u: Float64Array, target: Float64Array): number {
  const cAt = (a: Float64Array, i: number): Cx => [a[2 * i], a[2 * i + 1]];
  const lamBar: Cx[] = [];
  const bBar: Cx[][] = [];
  for (let n = 0; n < P; n++) {
    const dt = Math.exp(p.logStep[n]);
    const lam: Cx = [p.lambdaRe[n], p.lambdaIm[n]];
    const e: Cx = [Math.exp(lam[0] * dt) * Math.cos(lam[1] * dt), Math.exp(lam[0] * dt) * Math.sin(lam[1] * dt)];
    lamBar.push(e);
    const factor = cdiv([e[0] - 1, e[1]], lam);
    bBar.push(Array.from({ length: H }, (_, h) => cmul(factor, cAt(p.B, n * H + h))));
  }
  let state: Cx[] = Array.from({ length: P }, () => [0, 0]);
  let loss = 0;
  for (let k = 0; k < L; k++) {
    state = state.map((s, n) => {
      const next = cmul(lamBar[n], s);
      for (let h = 0; h < H; h++) {
        next[0] += bBar[n][h][0] * u[k * H + h];
        next[1] += bBar[n][h][1] * u[k * H + h];
      }
      return next;
    });
    for (let h = 0; h < H; h++) {
      let re = 0;
      for (let n = 0; n < P; n++) re += cmul(cAt(p.C, h * P + n), state[n])[0];
      const y = 2 * re + p.D[h] * u[k * H + h];
      loss += (y - target[k * H + h]) ** 2;
    }
  }
  return loss / (L * H);
}

// --- parameters ---------------------------------------------------------------------------------

function initParams(r: Rng): S5Params {
  const f32 = (values: number[]) => T.tensor(values, 'f32', [values.length]);
  const c64 = (shape: number[]) => randomTensor(r, { shape, dtype: 'c64' }) as Tensor<'c64'>;
  return {
    lambdaRe: f32(Array.from({ length: P }, () => r.uniform(-0.9, -0.2))),
    lambdaIm: f32(Array.from({ length: P }, () => r.uniform(-3, 3))),
    logStep: f32(Array.from({ length: P }, () => r.uniform(Math.log(0.05), Math.log(0.8)))),
    B: c64([P, H]),
    C: c64([H, P]),
    D: f32(Array.from({ length: H }, () => r.normal())),
  };
}

const flatOf = (p: S5Params): Flat =>
  Object.fromEntries(PARAM_NAMES.map((k) => [k, Float64Array.from(p[k].data64())])) as Flat;

/** ∂loss/∂(each real coordinate of each parameter) by central differences of the naive layer. */
function naiveGradient(p: S5Params, u: Tensor, target: Tensor, h = 1e-6): Flat {
  const base = flatOf(p);
  const [uv, tv] = [Float64Array.from(u.data64()), Float64Array.from(target.data64())];
  const at = (name: keyof Flat, k: number, s: number) => {
    const bumped = { ...base, [name]: base[name].map((v, m) => (m === k ? v + s * h : v)) };
    return naiveS5Loss(bumped, uv, tv);
  };
  return Object.fromEntries(PARAM_NAMES.map((name) => [name, base[name].map((_, k) => (at(name, k, 1) - at(name, k, -1)) / (2 * h))])) as Flat;
}

describe('S5-style layer (ZOH, complex diagonal recurrence): gradients in every parameter', () => {
  const r = seeded(5);
  const params = initParams(r);
  const u = randomTensor(r, { shape: [L, H], dtype: 'f32' }) as Tensor<'f32'>;
  const target = randomTensor(r, { shape: [L, H], dtype: 'f32' }) as Tensor<'f32'>;

  it('the DSL layer computes the same loss as the plain loops', () => {
    const got = s5Loss(params, u, target).item() as number;
    const expected = naiveS5Loss(flatOf(params), Float64Array.from(u.data64()), Float64Array.from(target.data64()));
    expect(Math.abs(got - expected)).toBeLessThan(1e-12 * Math.max(1, Math.abs(expected)));
  });

  it('grad returns the parameter record with the same keys, shapes and dtypes', () => {
    const g = T.grad(s5Loss)(params, u, target) as unknown as S5Params;
    expect(Object.keys(g).sort()).toEqual([...PARAM_NAMES]);
    for (const k of PARAM_NAMES) {
      expect(g[k].dtype, k).toBe(params[k].dtype);
      expect(g[k].shape, k).toEqual(params[k].shape);
    }
  });

  it.each(PARAM_NAMES)('∂loss/∂%s matches finite differences of the plain loops', (name) => {
    const g = T.grad(s5Loss)(params, u, target) as unknown as S5Params;
    const fd = naiveGradient(params, u, target);
    expectAllClose(realsOf(g[name]), fd[name], 1e-6, `∂loss/∂${name}`);
  });

  it('a gradient step on all parameters (complex ones by z − η·grad) lowers the loss', () => {
    const g = T.grad(s5Loss)(params, u, target) as unknown as S5Params;
    const eta = 1e-3;
    const stepped = Object.fromEntries(
      PARAM_NAMES.map((k) => [k, likeWith(params[k], Array.from(params[k].data64(), (v, m) => v - eta * g[k].data64()[m]))]),
    ) as unknown as S5Params;
    const before = s5Loss(params, u, target).item() as number;
    const after = s5Loss(stepped, u, target).item() as number;
    const gradNormSq = PARAM_NAMES.reduce((s, k) => s + realsOf(g[k]).reduce((a, v) => a + v * v, 0), 0);
    // First-order prediction: the loss drops by about η·|grad|².
    expect(before - after).toBeGreaterThan(0.5 * eta * gradNormSq);
  });
});

describe('S5-style layer: Hessian-vector products (forward over reverse)', () => {
  const r = seeded(11);
  const params = initParams(r);
  const u = randomTensor(r, { shape: [L, H], dtype: 'f32' }) as Tensor<'f32'>;
  const target = randomTensor(r, { shape: [L, H], dtype: 'f32' }) as Tensor<'f32'>;
  const direction = Object.fromEntries(PARAM_NAMES.map((k) => [k, randomTensor(r, { shape: params[k].shape, dtype: params[k].dtype as 'f32' | 'c64' })])) as unknown as S5Params;
  const shifted = (h: number): S5Params =>
    Object.fromEntries(
      PARAM_NAMES.map((k) => [k, likeWith(params[k], Array.from(params[k].data64(), (v, m) => v + h * direction[k].data64()[m]))]),
    ) as unknown as S5Params;

  it.each([
    ['linearRecurrence', byLinearRecurrence],
    ['associativeScan over c64 pairs (the reference\'s binary operator)', byAssociativeScan],
  ] as const)('jvp of grad with the recurrence as %s matches central differences of grad', (_, recurrence) => {
    const gradAt = (p: S5Params) => T.grad((q: S5Params) => s5Loss(q, u, target, recurrence))(p) as unknown as S5Params;
    const [, hv] = T.jvp(gradAt, [params], [direction]) as [unknown, S5Params];
    const h = 1e-5;
    const [plus, minus] = [gradAt(shifted(h)), gradAt(shifted(-h))];
    for (const k of PARAM_NAMES) {
      const fd = Array.from(plus[k].data64(), (p, m) => (p - minus[k].data64()[m]) / (2 * h));
      expectAllClose(realsOf(hv[k]), fd, 1e-6, `(H·v) in ${k}`);
    }
  });
});

describe('the library\'s S5 layer (src/models/s5.ts; ZOH with its own VJP): Hessian-vector products', () => {
  const decoded = decodeSSMConfig({ kind: 's5', P: 4, blocks: 1, dtMin: 0.05, dtMax: 0.5 });
  if (decoded._tag === 'Left') throw decoded.left;
  const config = decoded.right as S5Config;
  const params = initS5(config, 2, T.random.key(5));
  const r = seeded(12);
  const u = randomTensor(r, { shape: [1, 5, 2], dtype: 'f32' }) as Tensor<'f32'>;
  const keys = Object.keys(params).sort() as (keyof LibraryS5Params)[];
  const direction = Object.fromEntries(keys.map((k) => [k, randomTensor(r, { shape: params[k].shape, dtype: params[k].dtype as 'f32' | 'c64' })])) as unknown as LibraryS5Params;
  const loss = (p: LibraryS5Params) => T.mean(T.square(applyS5(config, p, u)));
  const gradAt = (p: LibraryS5Params) => T.grad(loss)(p) as unknown as LibraryS5Params;
  const shifted = (h: number): LibraryS5Params =>
    Object.fromEntries(keys.map((k) => [k, likeWith(params[k], Array.from(params[k].data64(), (v, m) => v + h * direction[k].data64()[m]))])) as unknown as LibraryS5Params;

  it('jvp of grad matches central differences of grad in every parameter', () => {
    const [, hv] = T.jvp(gradAt, [params], [direction]) as [unknown, LibraryS5Params];
    const h = 1e-5;
    const [plus, minus] = [gradAt(shifted(h)), gradAt(shifted(-h))];
    for (const k of keys) {
      const fd = Array.from(plus[k].data64(), (p, m) => (p - minus[k].data64()[m]) / (2 * h));
      expectAllClose(realsOf(hv[k]), fd, 1e-6, `(H·v) in ${k}`, 0);
    }
  });

  it('grad matches central differences of the loss along a random direction', () => {
    const g = gradAt(params);
    const h = 1e-6;
    const fd = ((loss(shifted(h)).item() as number) - (loss(shifted(-h)).item() as number)) / (2 * h);
    const dot = keys.reduce((s, k) => s + realsOf(g[k]).reduce((a, v, m) => a + v * direction[k].data64()[m], 0), 0);
    expectAllClose([dot], [fd], 1e-7, '⟨grad, v⟩', 0);
  });
});
