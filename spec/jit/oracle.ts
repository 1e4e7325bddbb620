/**
 * The oracle of the jit specs: the reference interpreter. A function is evaluated eagerly on
 * concrete tensors (float64) and compiled with jit for one backend (float32 kernels); every
 * output leaf must agree within a tolerance (see TOLERANCES.md). A failure names the backend,
 * the output leaf, the element's index and both values.
 */
import { expect } from 'vitest';
import type { BackendName } from '../../kernels/backends';
import * as T from '../../src/index';
import type { Tensor } from '../../src/index';
import type { JitTolerance } from './tolerances';

const leavesOf = (tree: unknown): Tensor[] => T.tree.flatten(tree)[0] as Tensor[];

const indexOf = (flat: number, shape: readonly number[]): number[] => {
  const idx = shape.map(() => 0);
  let rest = flat;
  for (let i = shape.length - 1; i >= 0; i--) {
    idx[i] = rest % shape[i];
    rest = Math.floor(rest / shape[i]);
  }
  return idx;
};

/**
 * undefined when `actual` is within tolerance of `expected`, else a located message. Element i
 * passes when |a − e| <= rtol·|e| + atol·scale, scale = max(1, max_j |e_j|) over the leaf
 * unless the tolerance names one (so cancellation in one element is judged against the size
 * of the values around it); NaN matches NaN and an infinity matches itself.
 */
export function leafMismatch(actual: Tensor, expected: Tensor, tol: JitTolerance): string | undefined {
  if (actual.dtype !== expected.dtype) return `dtype ${actual.dtype}, expected ${expected.dtype}`;
  if (actual.shape.join() !== expected.shape.join()) return `shape [${actual.shape}], expected [${expected.shape}]`;
  const a = actual.data64();
  const e = expected.data64();
  const scale = tol.scale ?? Math.max(1, ...Array.from(e, (v) => (Number.isFinite(v) ? Math.abs(v) : 0)));
  const lanes = expected.dtype === 'c64' ? 2 : 1;
  for (let i = 0; i < e.length; i++) {
    const ok = Number.isNaN(e[i])
      ? Number.isNaN(a[i])
      : !Number.isFinite(e[i])
        ? a[i] === e[i]
        : Math.abs(a[i] - e[i]) <= tol.rtol * Math.abs(e[i]) + tol.atol * scale;
    if (!ok) {
      const part = lanes === 2 ? (i % 2 ? ' (im)' : ' (re)') : '';
      const at = indexOf(Math.floor(i / lanes), expected.shape);
      return `element [${at.join(',')}]${part} of ${expected.dtype}[${expected.shape}]: got ${a[i]}, expected ${e[i]} (rtol ${tol.rtol}, atol ${tol.atol} × scale ${scale.toPrecision(3)})`;
    }
  }
  return undefined;
}

/** Compares two output trees leaf by leaf; undefined when all agree. */
export function treeMismatch(actual: unknown, expected: unknown, tol: JitTolerance): string | undefined {
  const as = leavesOf(actual);
  const es = leavesOf(expected);
  if (as.length !== es.length) return `${as.length} output leaves, expected ${es.length}`;
  for (let i = 0; i < es.length; i++) {
    const m = leafMismatch(as[i], es[i], tol);
    if (m) return `output leaf ${i}: ${m}`;
  }
  return undefined;
}

/**
 * f evaluated by the interpreter and by jit on `backend` agree. Returns the compiled function
 * (for callers that inspect `.lower`).
 */
export async function expectJitMatchesInterpreter<A extends unknown[]>(
  f: (...args: A) => unknown,
  args: A,
  backend: BackendName,
  tol: JitTolerance,
  label = '',
): Promise<T.Jitted<A, unknown>> {
  const expected = f(...args);
  const compiled = T.jit(f, { backend });
  const actual = await compiled(...args);
  const m = treeMismatch(actual, expected, tol);
  if (m) expect.fail(`${label ? `${label}: ` : ''}jit on ${backend} vs interpreter: ${m}`);
  return compiled;
}

/** L(xs) = Σ Re(conj(ct)·f(xs)) = Σ Re f·Re ct + Im f·Im ct: an f32 scalar whose gradient is the VJP of ct. */
export function lossAlong(f: (...xs: Tensor[]) => Tensor, ct: Tensor): (...xs: Tensor[]) => Tensor {
  return (...xs) => {
    const y = f(...xs);
    if (y.dtype !== 'c64') return T.sum(T.mul(y as Tensor<'f32'>, ct as Tensor<'f32'>));
    const z = y as Tensor<'c64'>;
    const w = ct as Tensor<'c64'>;
    return T.add(T.sum(T.mul(T.real(z), T.real(w))), T.sum(T.mul(T.imag(z), T.imag(w))));
  };
}
