/**
 * Shared machinery of the differentiation specs.
 *
 * Tensors are viewed as real vectors: f32 as is, c64 interleaved (re, im). Under that view the
 * real inner product Re(conj(a)·b) is the plain dot product, a c64 cotangent ∂L/∂x + i·∂L/∂y is
 * the ordinary real gradient, and a VJP is the transpose of the real Jacobian. Every check here
 * compares the library's jvp/vjp/grad with something it does not compute: central finite
 * differences of the float64 interpreter, or the other direction of differentiation.
 */
import { expect } from 'vitest';
import * as T from '../../src/index';
import type { Tensor } from '../../src/index';
import { type Rng, seededRng } from '../support/seeded';

export type { Rng };

export type Diff = 'f32' | 'c64';

/** A program under test: tensors in, one f32 or c64 tensor out. */
export type Program = (...xs: Tensor[]) => Tensor;

/** Seeded random numbers (mulberry32, independent of the library's Threefry keys). */
export const seeded = (seed: number): Rng => seededRng(seed);

/**
 * Where sample values are drawn: `normal` N(0, 1); `positive` in [0.5, 2]; `awayFromZero`
 * |v| in [0.5, 1.5] with a random sign; `contraction` each real part in (−0.6, 0.6), so |v| < 0.85
 * also for c64 (a stable recurrence coefficient).
 */
export type Domain = 'normal' | 'positive' | 'awayFromZero' | 'contraction';

export interface ArgSpec {
  readonly shape: readonly number[];
  readonly dtype: Diff;
  readonly domain?: Domain;
}

const numel = (shape: readonly number[]): number => shape.reduce((a, b) => a * b, 1);
const lanes = (d: Diff): number => (d === 'c64' ? 2 : 1);

function sample(r: Rng, domain: Domain): number {
  switch (domain) {
    case 'normal':
      return r.normal();
    case 'positive':
      return r.uniform(0.5, 2);
    case 'awayFromZero':
      return (r.uniform(0, 1) < 0.5 ? -1 : 1) * r.uniform(0.5, 1.5);
    case 'contraction':
      return r.uniform(-0.6, 0.6);
  }
}

export function randomTensor(r: Rng, { shape, dtype, domain = 'normal' }: ArgSpec): Tensor {
  const data = Array.from({ length: numel(shape) * lanes(dtype) }, () => sample(r, domain));
  return fromReals(dtype, shape, data);
}

// ---------------------------------------------------------------------------------------------
// Tensors as real vectors

export const realsOf = (t: Tensor): Float64Array => Float64Array.from(t.data64());

export const fromReals = (dtype: Diff, shape: readonly number[], data: ArrayLike<number>): Tensor =>
  T.tensor(Float64Array.from(data), dtype, [...shape]);

/** A tensor with the dtype and shape of `like` holding `data`. */
export const likeWith = (like: Tensor, data: ArrayLike<number>): Tensor => fromReals(like.dtype as Diff, like.shape, data);

/** Σ_i Re(conj(a_i)·b_i) over lists of tensors of matching dtypes and shapes. */
export function dot(a: readonly Tensor[], b: readonly Tensor[]): number {
  expect(a.length, 'inner product of lists of different lengths').toBe(b.length);
  let s = 0;
  a.forEach((x, i) => {
    expect(`${x.dtype}[${x.shape}]`, `inner product operand ${i}`).toBe(`${b[i].dtype}[${b[i].shape}]`);
    const u = x.data64();
    const v = b[i].data64();
    for (let k = 0; k < u.length; k++) s += u[k] * v[k];
  });
  return s;
}

/** x + h·t, leafwise. */
export const axpy = (xs: readonly Tensor[], h: number, ts: readonly Tensor[]): Tensor[] =>
  xs.map((x, i) => {
    const u = x.data64();
    const v = ts[i].data64();
    return likeWith(x, Array.from(u, (ui, k) => ui + h * v[k]));
  });

/** (f(x + h t) − f(x − h t)) / 2h, evaluated by the float64 interpreter. */
export function centralDifference(f: Program, xs: readonly Tensor[], ts: readonly Tensor[], h = 1e-5): Tensor {
  const plus = f(...axpy(xs, h, ts)).data64();
  const minus = f(...axpy(xs, -h, ts)).data64();
  const out = f(...xs);
  return likeWith(out, Array.from(plus, (p, k) => (p - minus[k]) / (2 * h)));
}

/**
 * The gradient of a scalar loss by central differences along every real coordinate of every
 * argument: for a c64 argument, ∂L/∂x + i·∂L/∂y interleaved, the convention grad follows.
 */
export function fdGradients(loss: (...xs: Tensor[]) => Tensor, xs: readonly Tensor[], h = 1e-5): Tensor[] {
  const at = (ys: readonly Tensor[]): number => loss(...ys).item() as number;
  return xs.map((x, i) => {
    const base = realsOf(x);
    const partial = Array.from(base, (_, k) => {
      const bumped = (s: number) => xs.map((y, j) => (j === i ? likeWith(x, base.map((v, m) => (m === k ? v + s * h : v))) : y));
      return (at(bumped(1)) - at(bumped(-1))) / (2 * h);
    });
    return likeWith(x, partial);
  });
}

// ---------------------------------------------------------------------------------------------
// The library's derivatives, on flat argument lists

export const jvpOf = (f: Program, xs: readonly Tensor[], ts: readonly Tensor[]): Tensor => T.jvp(f, [...xs], [...ts])[1] as Tensor;

export const vjpOf = (f: Program, xs: readonly Tensor[], ct: Tensor): Tensor[] => T.vjp(f, ...xs)[1](ct) as Tensor[];

// ---------------------------------------------------------------------------------------------
// Comparisons

const maxAbs = (v: ArrayLike<number>): number => Array.from(v).reduce((m, x) => Math.max(m, Math.abs(x)), 0);

/** |a − e| <= rtol·(|e| + scale) elementwise, naming the first element that is off. */
export function expectAllClose(actual: ArrayLike<number>, expected: ArrayLike<number>, rtol: number, label: string, scale = 1): void {
  expect(actual.length, `${label}: length`).toBe(expected.length);
  const tol = rtol * Math.max(scale, maxAbs(expected));
  for (let i = 0; i < expected.length; i++) {
    const ok = Number.isFinite(actual[i]) && Math.abs(actual[i] - expected[i]) <= tol + rtol * Math.abs(expected[i]);
    if (!ok) expect.fail(`${label}: real coordinate ${i} is ${actual[i]}, expected ${expected[i]} (tolerance ${tol.toExponential(2)})`);
  }
}

export function expectNear(actual: number, expected: number, rtol: number, label: string, scale = 1): void {
  expectAllClose([actual], [expected], rtol, label, scale);
}

/** Every real coordinate is exactly 0. */
export function expectZeros(ts: readonly Tensor[], label: string): void {
  ts.forEach((t, i) => {
    const bad = Array.from(t.data64()).findIndex((v) => v !== 0);
    if (bad >= 0) expect.fail(`${label}: cotangent/tangent ${i} is ${t.data64()[bad]} at real coordinate ${bad}, expected exactly 0`);
  });
}

// ---------------------------------------------------------------------------------------------
// The three checks

export interface CheckOptions {
  readonly rtol?: number;
  readonly directions?: number;
}

/**
 * Finite differences in random directions t: jvp(t) ≈ FD(t), and ⟨vjp(ct), t⟩ ≈ ⟨ct, FD(t)⟩
 * for a random ct, so both directions of differentiation are checked against f itself.
 */
export function checkAgainstFiniteDifferences(f: Program, xs: readonly Tensor[], r: Rng, opts: CheckOptions = {}): void {
  const { rtol = 1e-6, directions = 2 } = opts;
  const out = f(...xs);
  for (let d = 0; d < directions; d++) {
    const ts = xs.map((x) => randomTensor(r, { shape: x.shape, dtype: x.dtype as Diff }));
    const fd = centralDifference(f, xs, ts);
    expectAllClose(realsOf(jvpOf(f, xs, ts)), realsOf(fd), rtol, `jvp vs finite differences (direction ${d})`);
    const ct = randomTensor(r, { shape: out.shape, dtype: out.dtype as Diff });
    const scale = Math.sqrt(dot([ct], [ct]) * dot([fd], [fd])) + 1;
    expectNear(dot(vjpOf(f, xs, ct), ts), dot([ct], [fd]), rtol, `⟨vjp(ct), t⟩ vs ⟨ct, finite differences⟩ (direction ${d})`, scale);
  }
}

/** ⟨vjp(ct), t⟩ = ⟨ct, jvp(t)⟩ for random ct and t, to rounding. */
export function checkDotProductIdentity(f: Program, xs: readonly Tensor[], r: Rng): void {
  const out = f(...xs);
  const ts = xs.map((x) => randomTensor(r, { shape: x.shape, dtype: x.dtype as Diff }));
  const ct = randomTensor(r, { shape: out.shape, dtype: out.dtype as Diff });
  const lhs = dot(vjpOf(f, xs, ct), ts);
  const jt = jvpOf(f, xs, ts);
  const rhs = dot([ct], [jt]);
  const scale = Math.sqrt(dot([ct], [ct]) * dot([jt], [jt])) + 1;
  expectNear(lhs, rhs, 1e-10, '⟨vjp(ct), t⟩ vs ⟨ct, jvp(t)⟩', scale);
}

/** The real basis vectors of a list of tensors' real view, as lists of tensors. */
function* basis(xs: readonly Tensor[]): Generator<Tensor[]> {
  for (let i = 0; i < xs.length; i++) {
    const n = xs[i].data64().length;
    for (let k = 0; k < n; k++) {
      yield xs.map((x, j) => likeWith(x, Array.from(x.data64(), (_, m) => (j === i && m === k ? 1 : 0))));
    }
  }
}

/** Jacobian of the real views, one row per output coordinate, built column by column from jvp. */
export function jacobianForward(f: Program, xs: readonly Tensor[]): number[][] {
  const cols = [...basis(xs)].map((ts) => realsOf(jvpOf(f, xs, ts)));
  const rows = cols.length ? cols[0].length : f(...xs).data64().length;
  return Array.from({ length: rows }, (_, i) => cols.map((c) => c[i]));
}

/** The same Jacobian, row by row from vjp. */
export function jacobianReverse(f: Program, xs: readonly Tensor[]): number[][] {
  const out = f(...xs);
  return [...basis([out])].map(([ct]) => vjpOf(f, xs, ct).flatMap((c) => Array.from(c.data64())));
}

/** The same Jacobian by central differences along each input coordinate. */
export function jacobianFiniteDifferences(f: Program, xs: readonly Tensor[]): number[][] {
  const cols = [...basis(xs)].map((ts) => realsOf(centralDifference(f, xs, ts)));
  const rows = f(...xs).data64().length;
  return Array.from({ length: rows }, (_, i) => cols.map((c) => c[i]));
}

/** Forward and reverse Jacobians agree to rounding and both match finite differences. */
export function checkJacobians(f: Program, xs: readonly Tensor[], rtol = 1e-6): void {
  const fwd = jacobianForward(f, xs).flat();
  const rev = jacobianReverse(f, xs).flat();
  expectAllClose(rev, fwd, 1e-10, 'Jacobian by vjp rows vs by jvp columns');
  expectAllClose(fwd, jacobianFiniteDifferences(f, xs).flat(), rtol, 'Jacobian by jvp vs finite differences');
}

/**
 * Every cotangent of a zero-derivative program is exactly zero, and so is every tangent; unless
 * `varies` (a derivative set to zero by stop_gradient), finite differences confirm it.
 */
export function checkZeroDerivative(f: Program, xs: readonly Tensor[], r: Rng, varies = false): void {
  const out = f(...xs);
  const ct = randomTensor(r, { shape: out.shape, dtype: out.dtype as Diff });
  expectZeros(vjpOf(f, xs, ct), 'vjp of a non-differentiable path');
  const ts = xs.map((x) => randomTensor(r, { shape: x.shape, dtype: x.dtype as Diff }));
  expectZeros([jvpOf(f, xs, ts)], 'jvp of a non-differentiable path');
  if (varies) return;
  // Away from the jumps the function is locally constant, which finite differences confirm.
  expectZeros([centralDifference(f, xs, ts, 1e-7)], 'finite differences of a locally constant function');
}

/** True when the program's traced IR applies `prim` (the case really exercises it). */
export function usesPrimitive(f: Program, xs: readonly Tensor[], prim: string): boolean {
  return T.makeIR(f)(...xs).ir.eqns.some((e) => e.prim === prim);
}
