/**
 * jit composed with grad, on every available backend: for each function f, the interpreter's
 * f and grad(f) are the reference, and jit(f), jit(grad(f)) and grad(jit(f)) must agree with
 * them. grad of a jitted function is specified to be jit(grad(f)), an async function.
 * Functions cover real and complex parameters, parameter trees, scans, FFTs and matmul.
 * Tolerances: tolerances.ts (transcendental chains for values, gradTol for gradients).
 */
import { expect, it } from 'vitest';
import * as T from '../../src/index';
import type { Tensor } from '../../src/index';
import { describeEachBackend } from './backends';
import { itUnless } from './knownDefects';
import { arg, type ArgSpec, randomArgs } from './inputs';
import { expectJitMatchesInterpreter, treeMismatch } from './oracle';
import { gradTol, type JitTolerance } from './tolerances';

const F = (x: Tensor): Tensor<'f32'> => x as Tensor<'f32'>;
const C = (x: Tensor): Tensor<'c64'> => x as Tensor<'c64'>;

interface Composed {
  readonly name: string;
  readonly args: readonly ArgSpec[];
  /** Arguments from the flat random tensors (to build parameter trees). */
  readonly shape: (xs: Tensor[]) => unknown[];
  readonly f: (...args: never[]) => Tensor;
  readonly tol: JitTolerance;
}

/** A two-layer perceptron's squared error, parameters in a tree {w1, w2}. */
const mlp: Composed = {
  name: 'two-layer perceptron with a parameter tree',
  args: [arg([5, 4], 'f32', 'small'), arg([4, 3], 'f32', 'small'), arg([6, 5]), arg([6, 3])],
  shape: ([w1, w2, x, y]) => [{ w1, w2 }, x, y],
  f: ((p: { w1: Tensor<'f32'>; w2: Tensor<'f32'> }, x: Tensor<'f32'>, y: Tensor<'f32'>) =>
    T.mean(T.square(T.sub(T.matmul(T.tanh(T.matmul(x, p.w1)), p.w2), y)))) as never,
  tol: gradTol(30),
};

/** A complex parameter z: L = Σ |z ⊙ x + conj(z)|² + Re(Σ z²). */
const complexParam: Composed = {
  name: 'complex parameter',
  args: [arg([7], 'c64'), arg([7])],
  shape: ([z, x]) => [z, x],
  f: ((z: Tensor<'c64'>, x: Tensor<'f32'>) => T.add(T.sum(T.square(T.abs(T.add(T.mul(z, x), T.conj(z))))), T.real(T.sum(T.mul(z, z))))) as never,
  tol: gradTol(7),
};

/** A diagonal SSM convolved by FFT: complex poles λ, a linear recurrence and a spectral filter. */
const scanAndFft: Composed = {
  name: 'complex recurrence, cumsum and FFT',
  args: [arg([6, 2], 'c64', 'contraction'), arg([6, 2]), arg([2, 6])],
  shape: ([lambda, u, w]) => [lambda, u, w],
  f: ((lambda: Tensor<'c64'>, u: Tensor<'f32'>, w: Tensor<'f32'>) => {
    const x = T.linearRecurrence(lambda, T.cast('c64')(u), { axis: 0 });
    const spectrum = T.fft(T.transpose(T.add(x, T.cast('c64')(T.cumsum(u, { axis: 0 })))));
    return T.sum(T.mul(T.abs(spectrum), w));
  }) as never,
  tol: gradTol(12),
};

const FUNCTIONS: readonly Composed[] = [mlp, complexParam, scanAndFft];


describeEachBackend('jit and grad composed', (backend) => {
  FUNCTIONS.forEach((c, i) => {
    const inputs = (): unknown[] => c.shape(randomArgs(6007 + i, c.args));
    const f = c.f as (...args: unknown[]) => Tensor;

    // Each f ends in a full reduction (the loss), which headless-gl cannot compile yet.
    it(`${c.name}: jit(f) = f`, async () => {
      await expectJitMatchesInterpreter(f, inputs(), backend, c.tol);
    });

    it(`${c.name}: jit(grad(f)) = grad(f)`, async () => {
      await expectJitMatchesInterpreter(T.grad(f), inputs(), backend, c.tol);
    });

    it(`${c.name}: grad(jit(f)) is an async function equal to grad(f)`, async () => {
      const xs = inputs();
      const result = (T.grad(T.jit(f, { backend }) as never) as (...a: unknown[]) => unknown)(...xs);
      expect(result).toBeInstanceOf(Promise);
      const m = treeMismatch(await result, T.grad(f)(...xs), c.tol);
      expect(m, m).toBeUndefined();
    });

    // grad(jit(f, opts)) once dropped opts and compiled for the default backend.
    it(`${c.name}: grad(jit(f)) compiles for jit(f)'s backend`, async () => {
      const gradOfJitted = T.grad(T.jit(f, { backend }) as never) as unknown as T.Jitted<unknown[], unknown>;
      expect(String(await gradOfJitted.lower(...inputs()))).toMatch(new RegExp(`kernels on ${backend}:`));
    });
  });
});
