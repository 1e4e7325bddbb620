/**
 * Second (and third) order: grad and jvp of programs that are themselves gradients. A
 * Hessian-vector product is computed two ways, as jvp of grad (forward over reverse) and as
 * grad of ⟨grad f, v⟩ (reverse over reverse), and both are compared with central differences of
 * the gradient. Programs cover elementwise chains, matmul, scans (cumsum, linear recurrence
 * real and complex, non-linear and complex associative scans) and the FFT.
 */
import { describe, expect, it } from 'vitest';
import * as T from '../../src/index';
import type { Tensor } from '../../src/index';
import { runningSoftmax } from './combines';
import { axpy, type Diff, expectAllClose, fromReals, likeWith, randomTensor, realsOf, seeded } from './support';

const F = (x: Tensor): Tensor<'f32'> => x as Tensor<'f32'>;
const C = (x: Tensor): Tensor<'c64'> => x as Tensor<'c64'>;

type Loss = (x: Tensor) => Tensor;
const gradFn = (f: Loss) => (x: Tensor): Tensor => T.grad(f)(x) as Tensor;

/** Re⟨a, b⟩ as a traced scalar, for f32 or c64 operands. */
const realInner = (a: Tensor, b: Tensor): Tensor =>
  a.dtype === 'c64' ? T.sum(T.real(T.mul(T.conj(C(a)), C(b)))) : T.sum(T.mul(F(a), F(b)));

const hvpForwardOverReverse = (f: Loss, x: Tensor, v: Tensor): Tensor => T.jvp(gradFn(f), [x], [v])[1] as Tensor;
const hvpReverseOverReverse = (f: Loss, x: Tensor, v: Tensor): Tensor => T.grad((y: Tensor) => realInner(gradFn(f)(y), v))(x) as Tensor;

function hvpFiniteDifferences(f: Loss, x: Tensor, v: Tensor, h = 1e-5): number[] {
  const plus = realsOf(gradFn(f)(axpy([x], h, [v])[0]));
  const minus = realsOf(gradFn(f)(axpy([x], -h, [v])[0]));
  return Array.from(plus, (p, i) => (p - minus[i]) / (2 * h));
}

interface SecondOrderCase {
  readonly name: string;
  readonly shape: readonly number[];
  readonly dtype: Diff;
  readonly domain?: 'contraction' | 'positive';
  readonly f: Loss;
}

const r0 = seeded(99);
const A = randomTensor(r0, { shape: [3, 4], dtype: 'f32' });
const bFixed = randomTensor(r0, { shape: [5, 2], dtype: 'f32' });
const bComplex = randomTensor(r0, { shape: [4, 2], dtype: 'c64' });
const wSpectrum = randomTensor(r0, { shape: [5], dtype: 'f32' });

const CASES: readonly SecondOrderCase[] = [
  {
    name: 'elementwise chain (sin, exp, tanh, logistic, sqrt, div)',
    shape: [4],
    dtype: 'f32',
    f: (x) => {
      const v = F(x);
      const a = T.mul(T.sin(v), T.exp(T.mul(v, 0.5)));
      const b = T.mul(T.square(T.tanh(v)), T.sigmoid(v));
      return T.sum(T.add(T.add(a, b), T.div(T.sqrt(T.add(T.square(v), 1)), T.add(T.square(v), 2))));
    },
  },
  { name: 'matmul: Σ log(1 + exp(A·x))', shape: [4], dtype: 'f32', f: (x) => T.sum(T.log(T.add(T.exp(T.matmul(F(A), F(x))), 1))) },
  {
    name: 'matmul of the argument with itself: Σ tanh(X·Xᵀ)',
    shape: [2, 3],
    dtype: 'f32',
    f: (x) => T.sum(T.tanh(T.matmul(F(x), T.mT(F(x))))),
  },
  { name: 'cumsum: Σ cumsum(tanh x)²', shape: [5], dtype: 'f32', f: (x) => T.sum(T.square(T.cumsum(T.tanh(F(x))))) },
  {
    name: 'linear recurrence in its coefficients, f32',
    shape: [5, 2],
    dtype: 'f32',
    domain: 'contraction',
    f: (a) => T.sum(T.square(T.linearRecurrence(F(a), F(bFixed), { axis: 0 }))),
  },
  {
    name: 'linear recurrence in its coefficients, c64, reversed',
    shape: [4, 2],
    dtype: 'c64',
    domain: 'contraction',
    f: (a) => T.sum(T.square(T.abs(T.linearRecurrence(C(a), C(bComplex), { axis: 0, reverse: true })))),
  },
  {
    name: 'non-linear associative scan (running softmax normaliser)',
    shape: [4],
    dtype: 'f32',
    f: (x) => {
      const [m, s] = T.associativeScan(runningSoftmax.combine, [F(x), T.ones([4])]);
      return T.sum(T.mul(T.add(F(m), T.log(F(s))), T.tensor([0.3, -1, 0.7, 2])));
    },
  },
  {
    name: 'associative scan over c64 pairs (the S5 reference\'s recurrence operator) in its coefficients',
    shape: [4, 2],
    dtype: 'c64',
    domain: 'contraction',
    f: (a) => {
      const [, x] = T.associativeScan(
        ([a1, b1], [a2, b2]) => [T.mul(C(a1), C(a2)), T.add(T.mul(C(a2), C(b1)), C(b2))],
        [C(a), C(bComplex)],
      );
      return T.sum(T.square(T.abs(C(x))));
    },
  },
  {
    name: 'rfft power spectrum: Σ w·|rfft(tanh x)|²',
    shape: [8],
    dtype: 'f32',
    f: (x) => T.sum(T.mul(T.square(T.abs(T.rfft(T.tanh(F(x))))), F(wSpectrum))),
  },
  {
    name: 'c64 argument through fft and exp',
    shape: [4],
    dtype: 'c64',
    f: (z) => T.sum(T.real(T.exp(T.mul(T.fft(C(z)), 0.3)))),
  },
];

describe.each(CASES)('Hessian-vector products: $name', (c) => {
  const r = seeded(c.name.length);
  const x = randomTensor(r, { shape: c.shape, dtype: c.dtype, domain: c.domain });
  const v = randomTensor(r, { shape: c.shape, dtype: c.dtype });

  it('jvp of grad (forward over reverse) matches finite differences of grad', () => {
    expectAllClose(realsOf(hvpForwardOverReverse(c.f, x, v)), hvpFiniteDifferences(c.f, x, v), 1e-6, 'H·v by jvp(grad)');
  });

  it('grad of ⟨grad f, v⟩ (reverse over reverse) matches finite differences of grad', () => {
    expectAllClose(realsOf(hvpReverseOverReverse(c.f, x, v)), hvpFiniteDifferences(c.f, x, v), 1e-6, 'H·v by grad⟨grad, v⟩');
  });
});

describe('higher-order structure', () => {
  it('the Hessian built from grad of grad is symmetric and matches finite differences of grad', () => {
    const f: Loss = (x) => T.sum(T.mul(T.sin(T.matmul(F(A), F(x))), T.cumsum(T.tanh(T.matmul(F(A), F(x))))));
    const x = randomTensor(seeded(5), { shape: [4], dtype: 'f32' });
    const basis = (i: number) => fromReals('f32', [4], [0, 1, 2, 3].map((j) => (j === i ? 1 : 0)));
    const H = [0, 1, 2, 3].map((i) => Array.from(realsOf(hvpReverseOverReverse(f, x, basis(i)))));
    for (let i = 0; i < 4; i++) {
      for (let j = 0; j < i; j++) expect(H[i][j], `H[${i}][${j}] vs H[${j}][${i}]`).toBeCloseTo(H[j][i], 12);
      expectAllClose(H[i], hvpFiniteDifferences(f, x, basis(i)), 1e-6, `Hessian row ${i}`);
    }
  });

  it('grad of grad of grad of x³·exp(x) is the analytic third derivative (x³ + 9x² + 18x + 6)·eˣ', () => {
    const f = (x: Tensor) => T.mul(T.pow(F(x), 3), T.exp(F(x)));
    const third = T.grad(T.grad(T.grad(f) as (x: Tensor) => Tensor) as (x: Tensor) => Tensor);
    for (const x of [-1.3, 0.4, 1.1]) {
      const expected = (x ** 3 + 9 * x ** 2 + 18 * x + 6) * Math.exp(x);
      expect((third(T.scalar(x)) as Tensor).item() as number).toBeCloseTo(expected, 10);
    }
  });

  it('grad of a jvp (reverse over forward) equals the Hessian-vector product too', () => {
    const f = CASES[0].f;
    const x = randomTensor(seeded(6), { shape: [4], dtype: 'f32' });
    const v = randomTensor(seeded(7), { shape: [4], dtype: 'f32' });
    const directional = (y: Tensor): Tensor => T.jvp(f, [y], [v])[1] as Tensor;
    const g = T.grad(directional)(x) as Tensor;
    expectAllClose(realsOf(g), hvpFiniteDifferences(f, x, v), 1e-6, '∇⟨∇f, v⟩ via jvp');
  });

  it('jvp of grad on a c64 argument is real-linear in the tangent: H(2v + i·u) = 2Hv + H(i·u)', () => {
    const c = CASES[CASES.length - 1];
    const x = randomTensor(seeded(8), { shape: c.shape, dtype: 'c64' });
    const v = randomTensor(seeded(9), { shape: c.shape, dtype: 'c64' });
    const u = randomTensor(seeded(10), { shape: c.shape, dtype: 'c64' });
    const ur = realsOf(u);
    const iu = likeWith(u, Array.from(ur, (_, k) => (k % 2 === 0 ? -ur[k + 1] : ur[k - 1])));
    const combined = likeWith(v, Array.from(realsOf(v), (vk, k) => 2 * vk + realsOf(iu)[k]));
    const lhs = realsOf(hvpForwardOverReverse(c.f, x, combined));
    const hv = realsOf(hvpForwardOverReverse(c.f, x, v));
    const hiu = realsOf(hvpForwardOverReverse(c.f, x, iu));
    expectAllClose(lhs, Array.from(hv, (a, k) => 2 * a + hiu[k]), 1e-12, 'real linearity');
  });
});
