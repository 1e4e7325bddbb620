/**
 * Gradients of the FFT family against the adjoints of the DFT, built from the O(n²) reference DFT:
 * fft (W_kj = e^{−2πijk/n}) pulls back by W^H, ifft by W/n, rfft by Re of the half-spectrum
 * synthesis, irfft by (c_k/n)·Σ_j ct_j e^{−2πijk/n} with c_k = 1 at DC (and at Nyquist for even
 * n) and 2 elsewhere. The DC and Nyquist tests are built so that a factor-of-2 slip at either
 * end of the half spectrum fails them.
 */
import { describe, expect, it } from 'vitest';
import * as T from '../../src/index';
import type { Tensor } from '../../src/index';
import { naive, type RefArray } from '../support/index';
import { expectAllClose, fromReals, randomTensor, realsOf, seeded } from './support';

const C = (x: Tensor): Tensor<'c64'> => x as Tensor<'c64'>;
const F = (x: Tensor): Tensor<'f32'> => x as Tensor<'f32'>;

const asRef = (t: Tensor): RefArray => ({ dtype: t.dtype, shape: [...t.shape], data: Array.from(t.data64()) });

const vjp1 = (f: (x: Tensor) => Tensor, x: Tensor, ct: Tensor): Tensor => (T.vjp(f, x)[1](ct) as Tensor[])[0];

describe('fft / ifft pull back by the adjoint DFT', () => {
  it.each([8, 6, 5, 1])('n = %i', (n) => {
    const r = seeded(20 + n);
    const x = randomTensor(r, { shape: [n], dtype: 'c64' });
    const ct = randomTensor(r, { shape: [n], dtype: 'c64' });
    // W^H ct = Σ_k ct_k e^{+2πijk/n} = n·idft(ct); (W/n) ct = dft(ct)/n.
    const adjointFft = naive.dft(asRef(ct), true).data.map((v) => v * n);
    const adjointIfft = naive.dft(asRef(ct), false).data.map((v) => v / n);
    expectAllClose(realsOf(vjp1((v) => T.fft(C(v)), x, ct)), adjointFft, 1e-12, 'fft: W^H ct');
    expectAllClose(realsOf(vjp1((v) => T.ifft(C(v)), x, ct)), adjointIfft, 1e-12, 'ifft: W ct / n');
  });
});

describe('rfft pulls back by Re of the half-spectrum synthesis', () => {
  it.each([8, 7, 2, 1])('n = %i', (n) => {
    const r = seeded(30 + n);
    const m = Math.floor(n / 2) + 1;
    const x = randomTensor(r, { shape: [n], dtype: 'f32' });
    const ct = randomTensor(r, { shape: [m], dtype: 'c64' });
    // Re Σ_{k<m} ct_k e^{+2πijk/n}: the real part of n·idft of ct zero-padded to length n.
    const padded = { dtype: 'c64' as const, shape: [n], data: [...ct.data64(), ...Array(2 * (n - m)).fill(0)] };
    const expected = naive.dft(padded, true).data.filter((_, i) => i % 2 === 0).map((v) => v * n);
    expectAllClose(realsOf(vjp1((v) => T.rfft(F(v)), x, ct)), expected, 1e-12, 'rfft vjp');
  });

  it('L = Re rfft(x)[0] (the DC bin) has grad 1 everywhere, for odd and even n', () => {
    for (const n of [7, 8]) {
      const x = randomTensor(seeded(n), { shape: [n], dtype: 'f32' });
      const g = T.grad((v: Tensor) => T.sum(T.real(T.sliceAxis(T.rfft(F(v)), 0, 0, 1))))(x) as Tensor;
      expectAllClose(realsOf(g), Array(n).fill(1), 1e-14, `DC, n=${n}`);
    }
  });

  it('L = Re rfft(x)[n/2] (the Nyquist bin, n even) has grad (−1)^j', () => {
    const n = 8;
    const x = randomTensor(seeded(3), { shape: [n], dtype: 'f32' });
    const g = T.grad((v: Tensor) => T.sum(T.real(T.sliceAxis(T.rfft(F(v)), 0, n / 2, n / 2 + 1))))(x) as Tensor;
    expectAllClose(realsOf(g), Array.from({ length: n }, (_, j) => (j % 2 ? -1 : 1)), 1e-14, 'Nyquist');
  });

  it('L = Im rfft(x)[k] for an interior k has grad −sin(2πjk/n)', () => {
    const [n, k] = [7, 2];
    const x = randomTensor(seeded(4), { shape: [n], dtype: 'f32' });
    const g = T.grad((v: Tensor) => T.sum(T.imag(T.sliceAxis(T.rfft(F(v)), 0, k, k + 1))))(x) as Tensor;
    expectAllClose(realsOf(g), Array.from({ length: n }, (_, j) => -Math.sin((2 * Math.PI * j * k) / n)), 1e-14, 'interior bin');
  });
});

describe('irfft pulls back by (c_k/n)·rfft(ct) with c_k = 1 at DC and Nyquist, 2 elsewhere', () => {
  it.each([8, 7, 6, 1])('n = %i against (c_k/n)·rdft(ct) from the naive DFT', (n) => {
    const r = seeded(40 + n);
    const m = Math.floor(n / 2) + 1;
    const X = randomTensor(r, { shape: [m], dtype: 'c64' });
    const ct = randomTensor(r, { shape: [n], dtype: 'f32' });
    const spectrum = naive.rdft(asRef(ct)).data;
    const expected = spectrum.map((v, i) => {
      const k = Math.floor(i / 2);
      const c = k === 0 || 2 * k === n ? 1 : 2;
      return (c / n) * v;
    });
    expectAllClose(realsOf(vjp1((v) => T.irfft(C(v), n), X, ct)), expected, 1e-12, 'irfft vjp');
  });

  it('a loss that sees only the DC bin (Σ_j x_j): grad is 1 at X_0 and 0 at every other bin', () => {
    for (const n of [7, 8]) {
      const m = Math.floor(n / 2) + 1;
      const X = randomTensor(seeded(n), { shape: [m], dtype: 'c64' });
      const g = T.grad((v: Tensor) => T.sum(T.irfft(C(v), n)))(X) as Tensor;
      expectAllClose(realsOf(g), [1, 0, ...Array(2 * (m - 1)).fill(0)], 1e-14, `DC, n=${n}`);
    }
  });

  it('a loss that sees only the Nyquist bin (Σ_j (−1)^j x_j, n even): grad is 1 at X_{n/2} and 0 elsewhere', () => {
    const n = 8;
    const alternating = fromReals('f32', [n], Array.from({ length: n }, (_, j) => (j % 2 ? -1 : 1)));
    const X = randomTensor(seeded(5), { shape: [n / 2 + 1], dtype: 'c64' });
    const g = T.grad((v: Tensor) => T.sum(T.mul(T.irfft(C(v), n), F(alternating))))(X) as Tensor;
    expectAllClose(realsOf(g), [...Array(2 * (n / 2)).fill(0), 1, 0], 1e-14, 'Nyquist');
  });

  it('the imaginary parts of the DC and Nyquist bins do not reach the output: zero gradient, confirmed by finite differences', () => {
    const n = 8;
    const X = randomTensor(seeded(6), { shape: [5], dtype: 'c64' });
    const w = randomTensor(seeded(7), { shape: [n], dtype: 'f32' });
    const loss = (v: Tensor) => T.sum(T.mul(T.irfft(C(v), n), F(w)));
    const g = realsOf(T.grad(loss)(X) as Tensor);
    const base = realsOf(X);
    for (const coord of [1, 2 * (n / 2) + 1]) {
      expect(g[coord], `grad at real coordinate ${coord}`).toBe(0);
      const bumped = fromReals('c64', [5], base.map((v, i) => (i === coord ? v + 0.5 : v)));
      expect((loss(bumped).item() as number) - (loss(X).item() as number)).toBeCloseTo(0, 12);
    }
  });
});

describe('round trips', () => {
  it.each([7, 8])('grad of Σ w·irfft(rfft(x), n) is w (the identity map), n = %i', (n) => {
    const w = randomTensor(seeded(n), { shape: [n], dtype: 'f32' });
    const x = randomTensor(seeded(n + 1), { shape: [n], dtype: 'f32' });
    const g = T.grad((v: Tensor) => T.sum(T.mul(T.irfft(T.rfft(F(v)), n), F(w))))(x) as Tensor;
    expectAllClose(realsOf(g), realsOf(w), 1e-12, 'identity');
  });

  it.each([6, 8])('grad of Re Σ conj(w)·ifft(fft(z)) is w, n = %i', (n) => {
    const w = randomTensor(seeded(n), { shape: [n], dtype: 'c64' });
    const z = randomTensor(seeded(n + 1), { shape: [n], dtype: 'c64' });
    const g = T.grad((v: Tensor) => T.sum(T.real(T.mul(T.conj(C(w)), T.ifft(T.fft(C(v)))))))(z) as Tensor;
    expectAllClose(realsOf(g), realsOf(w), 1e-12, 'identity');
  });
});
