/**
 * Reverse-mode rules: one per primitive. A rule receives the cotangents of the equation's
 * outputs (null = symbolic zero), its primal inputs and outputs, and its parameters, and
 * returns one cotangent per input (null where the input is not differentiable or gets zero).
 *
 * Complex convention: for a real loss L of z = x + iy the cotangent is ∂L/∂x + i·∂L/∂y, i.e.
 * the gradient for the real inner product Re(conj(a)·b). So a holomorphic f with derivative
 * f' pulls ct back to ct·conj(f'(z)), and a complex-linear map pulls back by its adjoint.
 */
import { concreteTensor, type Tensor } from '../tensor';
import type { Prim, PrimParams, PrimTable } from '../primitives';
import type { Cotangent, VjpRule } from './rules';
import { checkpointVjp, customJvpVjp, customVjpVjp } from './callRules';
import { scanVjp } from './scanVjp';
import * as U from './ops';

export type { Cotangent, VjpRule } from './rules';

/** Rule body for single-output primitives whose output cotangent is non-null. */
const single =
  <P extends Prim>(body: (ct: Tensor, inputs: readonly Tensor[], out: Tensor, params: PrimParams[P]) => Cotangent[]): VjpRule<P> =>
  (cts, inputs, outputs, params) =>
    cts[0] === null ? inputs.map(() => null) : body(cts[0], inputs, outputs[0], params);

const nonDiff: VjpRule<Prim> = (_, inputs) => inputs.map(() => null);

const isFloat = (t: Tensor): boolean => t.dtype === 'f32' || t.dtype === 'c64';
const onlyFloat = (t: Tensor, ct: Tensor): Cotangent => (isFloat(t) ? ct : null);

/** Sums a cotangent down to the shape of a broadcast_in_dim operand. */
function unbroadcast(ct: Tensor, operand: Tensor, dims: readonly number[]): Tensor {
  const summed = ct.shape.map((_, i) => i).filter((i) => !dims.includes(i) || operand.shape[dims.indexOf(i)] === 1 && ct.shape[i] !== 1);
  const s = summed.length ? U.prim('reduce_sum', [ct], { axes: summed }) : ct;
  return s.shape.join() === operand.shape.join() ? s : U.prim('reshape', [s], { shape: [...operand.shape] });
}

/** Broadcasts a reduced tensor back over the reduced axes of `like`. */
function expandReduced(r: Tensor, like: Tensor, axes: readonly number[]): Tensor {
  const dims = like.shape.map((_, i) => i).filter((i) => !axes.includes(i));
  return U.prim('broadcast_in_dim', [r], { shape: [...like.shape], dims });
}

/** Shifts along an axis by one step of a scan's direction, filling with zero. */
function shift(x: Tensor, axis: number, towardsEnd: boolean): Tensor {
  const n = x.shape[axis];
  if (n === 0) return x;
  return towardsEnd ? U.padAxis(U.sliceAxis(x, axis, 0, n - 1), axis, 1, 0) : U.padAxis(U.sliceAxis(x, axis, 1, n - 1), axis, 0, 1);
}

const TWO_OVER_SQRT_PI = 2 / Math.sqrt(Math.PI);

export const vjpRules: PrimTable<{ [P in Prim]: VjpRule<P> }> = {
  neg: single((ct, [x]) => [onlyFloat(x, U.neg(ct))]),
  exp: single((ct, _, y) => [U.mul(ct, U.conj(y))]),
  log: single((ct, [x]) => [U.div(ct, x)]),
  sin: single((ct, [x]) => [U.mul(ct, U.cos(x))]),
  cos: single((ct, [x]) => [U.neg(U.mul(ct, U.sin(x)))]),
  tanh: single((ct, _, y) => [U.mul(ct, U.sub(1, U.mul(y, y)))]),
  logistic: single((ct, _, y) => [U.mul(ct, U.mul(y, U.sub(1, y)))]),
  sqrt: single((ct, _, y) => [U.div(U.mul(ct, 0.5), y)]),
  erf: single((ct, [x]) => [U.mul(ct, U.mul(U.exp(U.neg(U.mul(x, x))), TWO_OVER_SQRT_PI))]),
  abs: single((ct, [x]) => {
    if (x.dtype !== 'c64') return [onlyFloat(x, U.mul(ct, U.sign(x)))];
    // d|z| pulls back to ct·z/|z| (0 at z = 0).
    const r = U.prim('abs', [x], {});
    const zero = U.eq(r, 0);
    const unit = U.select(zero, U.zerosLike(x), U.div(x, U.cast(U.select(zero, U.add(r, 1), r), 'c64')));
    return [U.mul(U.cast(ct, 'c64'), unit)];
  }),
  sign: nonDiff,
  floor: nonDiff,
  not: nonDiff,
  real: single((ct) => [U.complex(ct, U.zerosLike(ct))]),
  imag: single((ct) => [U.complex(U.zerosLike(ct), ct)]),
  conj: single((ct) => [U.conj(ct)]),
  cast: single((ct, [x]) => {
    if (!isFloat(x) || !isFloat(ct)) return [null];
    return [x.dtype === 'f32' && ct.dtype === 'c64' ? U.real(ct) : ct];
  }),
  add: single((ct, [a, b]) => [onlyFloat(a, ct), onlyFloat(b, ct)]),
  sub: single((ct, [a, b]) => [onlyFloat(a, ct), onlyFloat(b, U.neg(ct))]),
  mul: single((ct, [a, b]) => [onlyFloat(a, U.mul(ct, U.conj(b))), onlyFloat(b, U.mul(ct, U.conj(a)))]),
  div: single((ct, [a, b], y) => {
    if (!isFloat(a)) return [null, null];
    const ctA = U.div(ct, U.conj(b));
    return [ctA, U.neg(U.mul(ctA, U.conj(y)))];
  }),
  pow: single((ct, [a, b], y) => {
    const dA = U.mul(ct, U.mul(b, U.prim('pow', [a, U.sub(b, 1)], {})));
    const positive = U.gt(a, 0);
    const logA = U.log(U.select(positive, a, U.add(U.zerosLike(a), 1)));
    return [dA, U.mul(ct, U.mul(y, logA))];
  }),
  max: single((ct, [a, b]) => {
    if (!isFloat(a)) return [null, null];
    const wA = U.add(U.cast(U.gt(a, b), 'f32'), U.mul(U.cast(U.eq(a, b), 'f32'), 0.5));
    return [U.mul(ct, wA), U.mul(ct, U.sub(1, wA))];
  }),
  min: single((ct, [a, b]) => {
    if (!isFloat(a)) return [null, null];
    const wA = U.add(U.cast(U.lt(a, b), 'f32'), U.mul(U.cast(U.eq(a, b), 'f32'), 0.5));
    return [U.mul(ct, wA), U.mul(ct, U.sub(1, wA))];
  }),
  atan2: single((ct, [y, x]) => {
    const r2 = U.add(U.mul(x, x), U.mul(y, y));
    return [U.div(U.mul(ct, x), r2), U.neg(U.div(U.mul(ct, y), r2))];
  }),
  and: nonDiff,
  or: nonDiff,
  lt: nonDiff,
  le: nonDiff,
  gt: nonDiff,
  ge: nonDiff,
  eq: nonDiff,
  ne: nonDiff,
  select: single((ct, [p, t]) => {
    if (!isFloat(t)) return [null, null, null];
    const z = U.zerosLike(ct);
    return [null, U.select(p, ct, z), U.select(p, z, ct)];
  }),
  complex: single((ct) => [U.real(ct), U.imag(ct)]),
  broadcast_in_dim: single((ct, [x], _, { dims }) => [onlyFloat(x, unbroadcast(ct, x, dims))]),
  reshape: single((ct, [x]) => [onlyFloat(x, U.prim('reshape', [ct], { shape: [...x.shape] }))]),
  transpose: single((ct, [x], _, { perm }) => {
    const inverse = perm.map((_, i) => perm.indexOf(i));
    return [onlyFloat(x, U.prim('transpose', [ct], { perm: inverse }))];
  }),
  slice: single((ct, [x], _, { start, limit }) => [
    onlyFloat(x, U.prim('pad', [ct], { lo: [...start], hi: x.shape.map((d, i) => d - limit[i]), value: 0 })),
  ]),
  pad: single((ct, [x], _, { lo }) => [onlyFloat(x, U.prim('slice', [ct], { start: [...lo], limit: x.shape.map((d, i) => lo[i] + d) }))]),
  concat: single((ct, xs, _, { axis }) => {
    let pos = 0;
    return xs.map((x) => {
      const piece = U.sliceAxis(ct, axis, pos, x.shape[axis]);
      pos += x.shape[axis];
      return onlyFloat(x, piece);
    });
  }),
  reverse: single((ct, [x], _, { axes }) => [onlyFloat(x, U.prim('reverse', [ct], { axes: [...axes] }))]),
  gather: single((ct, [x, idx], _, { axis }) => [onlyFloat(x, U.prim('scatter_add', [ct, idx], { axis, size: x.shape[axis] })), null]),
  scatter_add: single((ct, [u, idx], _, { axis }) => [onlyFloat(u, U.prim('gather', [ct, idx], { axis })), null]),
  reduce_sum: single((ct, [x], _, { axes }) => [onlyFloat(x, expandReduced(ct, x, axes))]),
  reduce_max: single((ct, [x], y, { axes }) => {
    if (!isFloat(x)) return [null];
    // Ties share the cotangent equally.
    const hit = U.cast(U.eq(x, expandReduced(y, x, axes)), 'f32');
    const count = U.prim('reduce_sum', [hit], { axes: [...axes] });
    return [U.mul(expandReduced(U.div(ct, count), x, axes), hit)];
  }),
  argmax: nonDiff,
  matmul: single((ct, [a, b]) => {
    if (!isFloat(a)) return [null, null];
    return [U.prim('matmul', [ct, U.conj(U.swapLast(b))], {}), U.prim('matmul', [U.conj(U.swapLast(a)), ct], {})];
  }),
  cumsum: single((ct, [x], _, { axis, reverse }) => [onlyFloat(x, U.prim('cumsum', [ct], { axis, reverse: !reverse }))]),
  linrec: single((ct, [a], x, { axis, reverse }) => {
    // g_t = ct_t + conj(a_{t+1}) g_{t+1}: a linear recurrence run the other way.
    const aNext = shift(U.conj(a), axis, reverse);
    const g = U.prim('linrec', [aNext, ct], { axis, reverse: !reverse });
    const xPrev = shift(x, axis, !reverse);
    return [U.mul(g, U.conj(xPrev)), g];
  }),
  assoc_scan: (cts, inputs, outputs, params, sub) => scanVjp(cts, inputs, outputs, params, sub),
  fft: single((ct, [x], _, { inverse }) => {
    const n = x.shape[x.ndim - 1];
    // fft: F x pulls back by F^H = n·ifft; ifft = F^H x / n pulls back by F / n.
    return [inverse ? U.div(U.prim('fft', [ct], { inverse: false }), n) : U.mul(U.prim('fft', [ct], { inverse: true }), n)];
  }),
  rfft: single((ct, [x]) => {
    const n = x.shape[x.ndim - 1];
    const full = U.padAxis(ct, ct.ndim - 1, 0, n - ct.shape[ct.ndim - 1]);
    return [U.mul(U.real(U.prim('fft', [full], { inverse: true })), n)];
  }),
  irfft: single((ct, [X], _, { n }) => {
    // x = irfft(X) weighs X_k by w_k/n with w = 1 at DC (and Nyquist for even n), 2 elsewhere;
    // the imaginary parts of those end frequencies do not reach x at all.
    const m = X.shape[X.ndim - 1];
    const weights = Array.from({ length: m }, (_, k) => (k === 0 || 2 * k === n ? 1 : 2) / n);
    const w = U.prim('reshape', [tensorOf(weights)], { shape: [m] });
    return [U.mul(U.prim('rfft', [ct], {}), U.cast(w, 'c64'))];
  }),
  stop_gradient: nonDiff,
  custom_vjp: customVjpVjp,
  custom_jvp: customJvpVjp,
  checkpoint: checkpointVjp,
  iota: nonDiff,
  random_bits: nonDiff,
};

function tensorOf(values: readonly number[]): Tensor {
  return concreteTensor({ dtype: 'f32', shape: [values.length], data: Float64Array.from(values) });
}
