/**
 * Float32 tolerances of the jit specs (the reasoning is in TOLERANCES.md). The kernels compute
 * in float32 on every backend; the oracle is the float64 interpreter on the same float32
 * inputs. Element i of an output passes when
 *
 *     |jit_i − interp_i| <= rtol·|interp_i| + atol·scale,   scale = max(1, max_j |interp_j|),
 *
 * so an element that cancels (a sum near zero, sin near π) is judged against the magnitude of
 * the values it was computed from. Bounds for sums grow with the number of terms n.
 */

export interface JitTolerance {
  readonly rtol: number;
  readonly atol: number;
  /** The magnitude atol is relative to; default max(1, max_j |interp_j|) over the output leaf. */
  readonly scale?: number;
}

/** float32 unit roundoff, 2^-24. */
export const F32_EPS = 2 ** -24;

export const TOL = {
  /** Data movement, comparisons, selects, casts, floor/sign, argmax, integer arithmetic: bit-exact. */
  exact: { rtol: 0, atol: 0 },
  /** A value computed exactly, then stored in a float32 buffer (random bits beyond 2^24). */
  stored: { rtol: F32_EPS, atol: 0 },
  /** One rounded arithmetic operation (+ − × ÷, complex products): a few ulps. */
  arith: { rtol: 1e-6, atol: 1e-6 },
  /** Library functions (exp, log, sin, tanh by exp, erf by A&S 7.1.26, pow, atan2): GPU math is a few ulps to ~1e-6. */
  transcendental: { rtol: 1e-5, atol: 1e-5 },
} as const satisfies Record<string, JitTolerance>;

/** A sum of n products (reduce_sum, matmul, cumsum, scatter_add, linear recurrences): error grows like n·eps. */
export const sumTol = (n: number): JitTolerance => ({ rtol: 1e-5, atol: Math.max(1e-6, 4 * n * F32_EPS * 8) });

/**
 * A direct DFT of length n: each term's twiddle is cos/sin of a float32 angle 2πm/n (error up
 * to ~ 2π·eps in the angle), summed over n terms.
 */
export const fftTol = (n: number): JitTolerance => ({ rtol: 1e-5, atol: Math.max(1e-5, 2e-6 * n) });

/** Compiled gradients: a chain of the forward and adjoint operations, each within its own bound. */
export const gradTol = (n = 1): JitTolerance => ({ rtol: 1e-4, atol: Math.max(1e-4, 1e-5 * n) });

/**
 * Random programs of up to 30 operations, mixing all of the above. A program's output can
 * cancel to nearly zero from intermediates of any size (x − x after a few matmuls), so the
 * absolute part is relative to the largest intermediate value the interpreter saw.
 */
export const programTol = (largestIntermediate: number): JitTolerance => ({ rtol: 1e-4, atol: 1e-4, scale: Math.max(1, largestIntermediate) });
