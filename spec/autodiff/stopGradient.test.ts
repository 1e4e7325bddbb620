/**
 * stopGradient: the identity in value, a constant to differentiation. Checked against closed
 * forms (d/dx x·sg(x) = x, second derivative 0; the gradient of logsumexp is softmax), against
 * the unwrapped function (values equal, eager and under jit), and through the IR (logsumexp's
 * backward no longer differentiates the maximum shift).
 */
import { describe, expect, it } from 'vitest';
import { vjpIR } from '../../compiler/autodiff/transform';
import * as T from '../../src/index';
import type { Tensor } from '../../src/index';
import { expectAllClose, randomTensor, realsOf, seeded } from './support';

const F = (x: Tensor): Tensor<'f32'> => x as Tensor<'f32'>;
const C = (x: Tensor): Tensor<'c64'> => x as Tensor<'c64'>;

describe('stopGradient', () => {
  const r = seeded(3);
  const x = randomTensor(r, { shape: [2, 3], dtype: 'f32' });
  const z = randomTensor(r, { shape: [4], dtype: 'c64' });

  it('is the identity on values, for f32, c64, i32 and bool, and on pytrees', () => {
    expect(T.stopGradient(x).data64()).toEqual(x.data64());
    expect(T.stopGradient(z).data64()).toEqual(z.data64());
    const i = T.tensor([3, -4], 'i32');
    expect(Array.from(T.stopGradient(i).data())).toEqual([3, -4]);
    const tree = T.stopGradient({ a: x, b: [z, 7] });
    expect(tree.a.data64()).toEqual(x.data64());
    expect((tree.b[0] as Tensor).data64()).toEqual(z.data64());
    expect(tree.b[1]).toBe(7);
  });

  it('grad of Σ x·sg(x) is x (not 2x), and its second derivative is 0', () => {
    const f = (v: Tensor) => T.sum(T.mul(F(v), T.stopGradient(F(v))));
    expectAllClose(realsOf(T.grad(f)(x) as Tensor), realsOf(x), 0, 'grad');
    const gradSum = (v: Tensor) => T.sum(T.grad(f)(v) as Tensor<'f32'>);
    expect(Array.from((T.grad(gradSum)(x) as Tensor).data64())).toEqual(new Array(6).fill(0));
  });

  it('jvp of Σ x·sg(x) along t is ⟨x, t⟩; jvp of sg alone is exactly zero', () => {
    const t = randomTensor(r, { shape: [2, 3], dtype: 'f32' });
    const f = (v: Tensor) => T.sum(T.mul(F(v), T.stopGradient(F(v))));
    const expected = realsOf(x).reduce((s, v, k) => s + v * realsOf(t)[k], 0);
    expectAllClose([(T.jvp(f, [x], [t])[1] as Tensor).item() as number], [expected], 1e-12, 'jvp');
    expect(Array.from((T.jvp((v: Tensor) => T.stopGradient(v), [x], [t])[1] as Tensor).data64())).toEqual(new Array(6).fill(0));
  });

  it('on c64: grad of Re Σ conj(w)·z·sg(z) is w·conj(sg(z)) (∂L/∂x + i·∂L/∂y of a linear function)', () => {
    const w = randomTensor(r, { shape: [4], dtype: 'c64' });
    const f = (v: Tensor) => T.sum(T.real(T.mul(T.mul(T.conj(C(w)), C(v)), T.stopGradient(C(v)))));
    // L = Re(conj(w)·c·z) with c = sg(z) fixed: the gradient is conj(conj(w)·c) = w·conj(c).
    const expected = T.mul(C(w), T.conj(C(z)));
    expectAllClose(realsOf(T.grad(f)(z) as Tensor), realsOf(expected), 1e-12, 'grad');
  });

  it('under jit: the same values as without it, and the gradient of the closed form', async () => {
    const f = (v: Tensor) => T.sum(T.mul(T.sin(F(v)), T.stopGradient(T.exp(F(v)))));
    const plain = (v: Tensor) => T.sum(T.mul(T.sin(F(v)), T.exp(F(v))));
    expectAllClose(realsOf((await T.jit(f)(x)) as Tensor), realsOf(plain(x)), 1e-6, 'value');
    // d/dx Σ sin(x)·c = cos(x)·c with c = exp(x) held fixed.
    const expected = T.mul(T.cos(F(x)), T.exp(F(x)));
    expectAllClose(realsOf((await T.jit(T.grad(f))(x)) as Tensor), realsOf(expected), 1e-6, 'jit(grad)');
  });
});

describe('logsumexp holds its maximum shift constant', () => {
  const r = seeded(4);
  const x = randomTensor(r, { shape: [3, 5], dtype: 'f32' });

  it('grad of Σ logsumexp(x, axis 1)·w is w·softmax(x) per row (closed form)', () => {
    const w = [0.5, -1, 2];
    const f = (v: Tensor) => T.sum(T.mul(T.logsumexp(F(v), { axis: 1 }), T.tensor(w)));
    const g = realsOf(T.grad(f)(x) as Tensor);
    const xs = realsOf(x);
    const expected = xs.map((_, k) => {
      const row = Math.floor(k / 5);
      const e = Array.from({ length: 5 }, (_, j) => Math.exp(xs[row * 5 + j]));
      return (w[row] * Math.exp(xs[k])) / e.reduce((a, b) => a + b, 0);
    });
    expectAllClose(g, expected, 1e-12, 'grad');
  });

  it('the backward program of a log-softmax loss does not differentiate the maximum (no tie mask)', () => {
    const loss = (v: Tensor) => T.sum(T.mul(T.logSoftmax(1)(F(v)), T.tensor([1, 0, 0, 0, 0])));
    const fwd = T.makeIR(loss)(x).ir;
    const { ir } = vjpIR(fwd);
    const backward = ir.eqns.slice(fwd.eqns.length).map((e) => e.prim);
    // reduce_max's VJP compares x with the maximum (eq) and counts the ties (a reduce_sum).
    expect(backward).not.toContain('eq');
    expect(fwd.eqns.filter((e) => e.prim === 'stop_gradient')).toHaveLength(1);
  });
});
