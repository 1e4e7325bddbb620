/**
 * Non-linear associative combines used across the scan specs, each in the DSL (for
 * T.associativeScan) and on plain numbers (for the sequential reference loops). In every
 * combine the left operand is the earlier (accumulated) element.
 */
import * as T from '../../src/index';
import type { Tensor } from '../../src/index';

const F = (x: Tensor): Tensor<'f32'> => x as Tensor<'f32'>;

export interface ScanCombine {
  readonly name: string;
  readonly combine: T.Combine;
  readonly naive: (left: number[], right: number[]) => number[];
  /** Where each operand's samples are drawn (the softmax normaliser's s must be positive). */
  readonly domains: readonly ('normal' | 'positive')[];
}

/** 2×2 matrix product, row-major operands (a, b, c, d): a non-commutative combine of 4 operands. */
export const matrixProduct: ScanCombine = {
  name: '2×2 matrix product (4 operands, non-commutative)',
  combine: ([a, b, c, d], [e, f, g, h]) => [
    T.add(T.mul(F(a), F(e)), T.mul(F(b), F(g))),
    T.add(T.mul(F(a), F(f)), T.mul(F(b), F(h))),
    T.add(T.mul(F(c), F(e)), T.mul(F(d), F(g))),
    T.add(T.mul(F(c), F(f)), T.mul(F(d), F(h))),
  ],
  naive: ([a, b, c, d], [e, f, g, h]) => [a * e + b * g, a * f + b * h, c * e + d * g, c * f + d * h],
  domains: ['normal', 'normal', 'normal', 'normal'],
};

/** x_t = max(a_t + x_{t−1}, b_t) as maps x ↦ max(a + x, b) composed: (a1 + a2, max(b1 + a2, b2)). */
export const tropical: ScanCombine = {
  name: '(max, +) tropical recurrence x_t = max(a_t + x_{t−1}, b_t)',
  combine: ([a1, b1], [a2, b2]) => [T.add(F(a1), F(a2)), T.maximum(T.add(F(b1), F(a2)), F(b2))],
  naive: ([a1, b1], [a2, b2]) => [a1 + a2, Math.max(b1 + a2, b2)],
  domains: ['normal', 'normal'],
};

/** (m, s) ⊕ (m′, s′) = (M, s·e^{m−M} + s′·e^{m′−M}), M = max(m, m′): s·e^m is a running Σ s₀·e^x. */
export const runningSoftmax: ScanCombine = {
  name: 'running softmax normaliser (m, s)',
  combine: ([m1, s1], [m2, s2]) => {
    const m = T.maximum(F(m1), F(m2));
    return [m, T.add(T.mul(F(s1), T.exp(T.sub(F(m1), m))), T.mul(F(s2), T.exp(T.sub(F(m2), m))))];
  },
  naive: ([m1, s1], [m2, s2]) => {
    const m = Math.max(m1, m2);
    return [m, s1 * Math.exp(m1 - m) + s2 * Math.exp(m2 - m)];
  },
  domains: ['normal', 'positive'],
};

/**
 * x ⊕ y = x + y + c·x·y with a literal c: associative because 1 + c·(x ⊕ y) = (1 + c·x)(1 + c·y).
 * One operand, non-linear, and the combine's VJP carries the literal.
 */
export const shiftedProduct: ScanCombine = {
  name: 'shifted product x + y + 0.5·x·y (one operand, a literal in the combine)',
  combine: ([x], [y]) => [T.add(T.add(F(x), F(y)), T.mul(T.mul(F(x), F(y)), 0.5))],
  naive: ([x], [y]) => [x + y + 0.5 * x * y],
  domains: ['normal'],
};
