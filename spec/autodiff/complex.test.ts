/**
 * The complex convention of grad/vjp: for a real loss L of z = x + iy the gradient is
 * ∂L/∂x + i·∂L/∂y (the gradient for the real inner product Re(conj(a)·b)), so a holomorphic f
 * with derivative f' pulls a cotangent c back to c·conj(f'(z)), and for L = Re(Σ c·f(z)) the
 * gradient is conj(c·f'(z)). Checked against finite differences on x and y separately and
 * against analytic derivatives computed here in plain complex arithmetic.
 */
import { describe, expect, it } from 'vitest';
import * as T from '../../src/index';
import type { Tensor } from '../../src/index';
import { expectAllClose, fdGradients, fromReals, randomTensor, realsOf, seeded } from './support';

type Cx = readonly [number, number];
const cmul = (a: Cx, b: Cx): Cx => [a[0] * b[0] - a[1] * b[1], a[0] * b[1] + a[1] * b[0]];
const cdiv = (a: Cx, b: Cx): Cx => {
  const d = b[0] * b[0] + b[1] * b[1];
  return [(a[0] * b[0] + a[1] * b[1]) / d, (a[1] * b[0] - a[0] * b[1]) / d];
};
const cexp = (a: Cx): Cx => [Math.exp(a[0]) * Math.cos(a[1]), Math.exp(a[0]) * Math.sin(a[1])];
const conj = (a: Cx): Cx => [a[0], -a[1]];

const C = (x: Tensor): Tensor<'c64'> => x as Tensor<'c64'>;
const complexes = (t: Tensor): Cx[] => {
  const d = t.data64();
  return Array.from({ length: d.length / 2 }, (_, k) => [d[2 * k], d[2 * k + 1]] as const);
};
const interleave = (zs: readonly Cx[]): number[] => zs.flatMap((z) => [z[0], z[1]]);
const cTensor = (zs: readonly Cx[]): Tensor<'c64'> => fromReals('c64', [zs.length], interleave(zs)) as Tensor<'c64'>;
const lossValue = (loss: (z: Tensor) => Tensor, z: Tensor): number => loss(z).item() as number;

describe('complex convention: for a real loss L of z = x + iy, grad L = ∂L/∂x + i·∂L/∂y', () => {
  const r = seeded(11);
  const z = randomTensor(r, { shape: [4], dtype: 'c64' });
  const w = randomTensor(r, { shape: [4], dtype: 'f32' });

  it('a non-holomorphic loss mixing real(), imag(), abs() and exp(): grad matches finite differences in x and in y', () => {
    const loss = (v: Tensor) =>
      T.add(T.sum(T.mul(T.real(C(v)), T.square(T.imag(C(v))))), T.sum(T.mul(T.abs(T.exp(T.mul(C(v), 0.5))), w as Tensor<'f32'>)));
    const g = T.grad(loss)(z) as Tensor;
    expect(g.dtype).toBe('c64');
    expectAllClose(realsOf(g), realsOf(fdGradients(loss, [z])[0]), 1e-7, 'grad of a real loss of c64');
  });

  it('L = Σ|z − a|² has grad 2(z − a), so z − η·grad is a descent step', () => {
    const a = randomTensor(r, { shape: [4], dtype: 'c64' });
    const loss = (v: Tensor) => T.sum(T.square(T.abs(T.sub(C(v), C(a)))));
    const g = T.grad(loss)(z) as Tensor;
    const expected = complexes(z).map((zk, k) => [2 * (zk[0] - complexes(a)[k][0]), 2 * (zk[1] - complexes(a)[k][1])]);
    expectAllClose(realsOf(g), expected.flat(), 1e-12, 'grad Σ|z − a|²');
    const stepped = T.sub(C(z), T.mul(C(g), 0.1));
    expect(lossValue(loss, stepped)).toBeLessThan(lossValue(loss, z));
  });

  it('real(), imag() and conj() pull back as documented: grad Σ w·real(z) = w, grad Σ w·imag(z) = i·w', () => {
    const gRe = T.grad((v: Tensor) => T.sum(T.mul(T.real(C(v)), w as Tensor<'f32'>)))(z) as Tensor;
    const gIm = T.grad((v: Tensor) => T.sum(T.mul(T.imag(C(v)), w as Tensor<'f32'>)))(z) as Tensor;
    const gConjIm = T.grad((v: Tensor) => T.sum(T.mul(T.imag(T.conj(C(v))), w as Tensor<'f32'>)))(z) as Tensor;
    const ws = Array.from(w.data64());
    expectAllClose(realsOf(gRe), ws.flatMap((x) => [x, 0]), 1e-15, 'grad of real part');
    expectAllClose(realsOf(gIm), ws.flatMap((x) => [0, x]), 1e-15, 'grad of imaginary part');
    expectAllClose(realsOf(gConjIm), ws.flatMap((x) => [0, -x]), 1e-15, 'grad of imag(conj z)');
  });
});

interface Holomorphic {
  readonly name: string;
  readonly f: (z: Tensor<'c64'>) => Tensor<'c64'>;
  readonly derivative: (z: Cx) => Cx;
}

const wFixed: Cx = [0.3, -1.2];
const HOLOMORPHIC: readonly Holomorphic[] = [
  { name: 'exp(z)', f: (z) => T.exp(z), derivative: cexp },
  { name: 'z²', f: (z) => T.mul(z, z), derivative: (z) => [2 * z[0], 2 * z[1]] },
  { name: 'z·w', f: (z) => T.mul(z, cTensor([wFixed])), derivative: () => wFixed },
  { name: '1/z', f: (z) => T.div(1, z), derivative: (z) => cdiv([-1, 0], cmul(z, z)) },
];

describe('holomorphic functions: grad Re(Σ c·f(z)) = conj(c·f′(z)) and jvp(f)(t) = f′(z)·t', () => {
  const r = seeded(12);
  const z = randomTensor(r, { shape: [3], dtype: 'c64', domain: 'awayFromZero' });
  const c = randomTensor(r, { shape: [3], dtype: 'c64' });
  const t = randomTensor(r, { shape: [3], dtype: 'c64' });

  it.each(HOLOMORPHIC)('$name: L = Re(Σ f(z)) has grad conj(f′(z))', ({ f, derivative }) => {
    const g = T.grad((v: Tensor) => T.sum(T.real(f(C(v)))))(z) as Tensor;
    expectAllClose(realsOf(g), interleave(complexes(z).map((zk) => conj(derivative(zk)))), 1e-12, 'grad Re f');
  });

  it.each(HOLOMORPHIC)('$name: L = Re(Σ c·f(z)) has grad conj(c·f′(z))', ({ f, derivative }) => {
    const g = T.grad((v: Tensor) => T.sum(T.real(T.mul(C(c), f(C(v))))))(z) as Tensor;
    const cs = complexes(c);
    expectAllClose(realsOf(g), interleave(complexes(z).map((zk, k) => conj(cmul(cs[k], derivative(zk))))), 1e-12, 'grad Re(c f)');
  });

  it.each(HOLOMORPHIC)('$name: L = Im(Σ f(z)) has grad i·conj(f′(z)) (Cauchy–Riemann)', ({ f, derivative }) => {
    const g = T.grad((v: Tensor) => T.sum(T.imag(f(C(v)))))(z) as Tensor;
    expectAllClose(realsOf(g), interleave(complexes(z).map((zk) => cmul([0, 1], conj(derivative(zk))))), 1e-12, 'grad Im f');
  });

  it.each(HOLOMORPHIC)('$name: jvp is multiplication by f′(z), and vjp by conj(f′(z))', ({ f, derivative }) => {
    const [, tangent] = T.jvp((v: Tensor) => f(C(v)), [z], [t]);
    const ts = complexes(t);
    expectAllClose(realsOf(tangent as Tensor), interleave(complexes(z).map((zk, k) => cmul(derivative(zk), ts[k]))), 1e-12, 'jvp');
    const [, back] = T.vjp((v: Tensor) => f(C(v)), z);
    const [ct] = back(t) as Tensor[];
    expectAllClose(realsOf(ct), interleave(complexes(z).map((zk, k) => cmul(conj(derivative(zk)), ts[k]))), 1e-12, 'vjp');
  });

  it('z·w differentiated in both arguments: grad_z = conj(c·w), grad_w = conj(c·z)', () => {
    const wT = randomTensor(r, { shape: [3], dtype: 'c64' });
    const [gz, gw] = T.grad((a: Tensor, b: Tensor) => T.sum(T.real(T.mul(C(c), T.mul(C(a), C(b))))), { argnums: [0, 1] })(z, wT) as Tensor[];
    const cs = complexes(c);
    expectAllClose(realsOf(gz), interleave(complexes(wT).map((wk, k) => conj(cmul(cs[k], wk)))), 1e-12, 'grad z');
    expectAllClose(realsOf(gw), interleave(complexes(z).map((zk, k) => conj(cmul(cs[k], zk)))), 1e-12, 'grad w');
  });

  it('conj is not holomorphic: jvp(conj)(t) = conj(t)', () => {
    const [, tangent] = T.jvp((v: Tensor) => T.conj(C(v)), [z], [t]);
    expectAllClose(realsOf(tangent as Tensor), interleave(complexes(t).map(conj)), 0, 'jvp conj');
  });
});
