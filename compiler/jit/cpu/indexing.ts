/**
 * Index values of vectorised map kernels. In a loop that computes four consecutive output
 * elements at once, every coordinate is either affine in the lane (lane l is `base + l·step`,
 * with a scalar i32 base) or a general i32x4 vector. Affine indices become one contiguous,
 * broadcast or strided vector load; general ones become four scalar loads. In scalar code every
 * index is affine with step 0. Each index carries an id so that equal reads can be shared.
 */
import type { Expr } from '../../../kernels/ir/types';
import { LANES } from '../../../kernels/ir/types';
import { bin, i32, iadd, idiv, imul, irem, lane, max, min, select, splat, vec } from '../../../kernels/ir/build';

let nextId = 0;

export type Ix =
  /** `base` is a known multiple of `align` (used to prove that four lanes stay in one block). */
  | { readonly kind: 'affine'; readonly base: Expr; readonly step: number; readonly align: number; readonly id: number }
  | { readonly kind: 'general'; readonly v: Expr; readonly id: number };

export const affine = (base: Expr, step = 0, align = 1): Ix => ({ kind: 'affine', base, step, align, id: nextId++ });
export const general = (v: Expr): Ix => ({ kind: 'general', v, id: nextId++ });
export const constIx = (n: number): Ix => affine(i32(n));

/** The i32x4 lanes of an index. */
export function lanesOf(x: Ix): Expr {
  if (x.kind === 'general') return x.v;
  if (x.step === 0) return splat(x.base);
  return vec(Array.from({ length: LANES }, (_, l) => iadd(x.base, i32(l * x.step))));
}

/** The scalar index of one lane. */
export const laneOf = (x: Ix, l: number): Expr => (x.kind === 'affine' ? iadd(x.base, i32(l * x.step)) : lane(x.v, l));

const gcd = (a: number, b: number): number => (b === 0 ? Math.abs(a) : gcd(b, a % b));

export function addIx(a: Ix, b: Ix): Ix {
  if (a.kind === 'affine' && b.kind === 'affine') return affine(iadd(a.base, b.base), a.step + b.step, gcd(a.align, b.align));
  return general(bin('add', lanesOf(a), lanesOf(b)));
}

export function addConst(a: Ix, n: number): Ix {
  if (n === 0) return a;
  return a.kind === 'affine' ? affine(iadd(a.base, i32(n)), a.step, gcd(a.align, n)) : general(bin('add', a.v, splat(i32(n))));
}

export function mulConst(a: Ix, n: number): Ix {
  if (n === 1) return a;
  return a.kind === 'affine' ? affine(imul(a.base, i32(n)), a.step * n, Math.abs(a.align * n) || 1) : general(bin('mul', a.v, splat(i32(n))));
}

/** n - 1 - a (a reversed axis of size n). */
export const reverseIx = (a: Ix, n: number): Ix => addConst(mulConst(a, -1), n - 1);

/**
 * Whether the four lanes of `a` fall in one block [q·d, (q+1)·d): base mod d is a multiple of
 * gcd(align, d) = align when d is a multiple of align, so base mod d + 3·step < d when
 * align > 3·step.
 */
const oneBlock = (a: Ix & { kind: 'affine' }, d: number): boolean => a.step > 0 && d % a.align === 0 && a.align > (LANES - 1) * a.step;

/** a / d for a ≥ 0. */
export function divConst(a: Ix, d: number): Ix {
  if (d === 1) return a;
  if (a.kind === 'affine' && (a.step === 0 || oneBlock(a, d))) return affine(idiv(a.base, d));
  return general(bin('div', lanesOf(a), splat(i32(d))));
}

/** a % d for a ≥ 0. */
export function remConst(a: Ix, d: number): Ix {
  if (d === 1) return constIx(0);
  if (a.kind === 'affine' && a.step === 0) return affine(irem(a.base, d));
  if (a.kind === 'affine' && oneBlock(a, d)) return affine(irem(a.base, d), a.step, a.align);
  return general(bin('rem', lanesOf(a), splat(i32(d))));
}

/** Clamps into [0, n-1] (reads at computed coordinates stay in range). */
export function clampIx(a: Ix, n: number): Ix {
  if (n === 1) return constIx(0);
  if (a.kind === 'affine' && a.step === 0) return affine(min(max(a.base, i32(0)), i32(n - 1)));
  return general(min(max(lanesOf(a), splat(i32(0))), splat(i32(n - 1))));
}

/** The bool (scalar or boolx4) of `lo <= a < hi`. */
export function inRange(a: Ix, lo: number, hi: number, vector: boolean): Expr {
  const v = vector ? lanesOf(a) : (a as Extract<Ix, { kind: 'affine' }>).base;
  const k = (n: number) => (vector ? splat(i32(n)) : i32(n));
  return bin('and', bin('ge', v, k(lo)), bin('lt', v, k(hi)));
}

/** The bool (scalar or boolx4) of `a < n`. */
export function lessThan(a: Ix, n: number, vector: boolean): Expr {
  return vector ? bin('lt', lanesOf(a), splat(i32(n))) : bin('lt', (a as Extract<Ix, { kind: 'affine' }>).base, i32(n));
}

/** An index read from data (a gather's indices): scalar i32 or i32x4. */
export const dataIx = (v: Expr, vector: boolean): Ix => (vector ? general(v) : affine(v));

export const selectIx = (cond: Expr, a: Ix, b: Ix, vector: boolean): Ix =>
  vector ? general(select(cond, lanesOf(a), lanesOf(b))) : affine(select(cond, (a as Extract<Ix, { kind: 'affine' }>).base, (b as Extract<Ix, { kind: 'affine' }>).base));
