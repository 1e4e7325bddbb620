/**
 * Forward-mode rules: one per primitive, written independently of the reverse-mode table
 * (vjpRules.ts), so that checks relating the two (the dot-product identity
 * ⟨vjp(ct), t⟩ = ⟨ct, jvp(t)⟩, Jacobians by columns vs by rows) test both.
 *
 * A tangent has its primal's dtype; integer and boolean values carry none (null). Complex
 * convention: a c64 tangent is the direction dx + i·dy, so a holomorphic f maps it to f'(z)·dz
 * and a real-linear map (real, imag, conj, |z|) applies itself; with the cotangent convention
 * of vjpRules.ts the VJP is then the adjoint of the JVP under Re(conj(a)·b).
 */
import { applyElementwiseIR, traceCombine } from '../combine';
import { checkpointJvp, customJvpJvp, customVjpJvp } from './callRules';
import type { Prim, PrimParams, PrimTable } from '../primitives';
import type { Tensor } from '../tensor';
import { bind } from '../tracer';
import * as U from './ops';
import type { JvpRule, SubTransforms, Tangent } from './rules';

export type { JvpRule, Tangent } from './rules';

const isFloat = (t: Tensor): boolean => t.dtype === 'f32' || t.dtype === 'c64';

/** The tangent, or explicit zeros shaped like its primal. */
const dense = (t: Tangent, x: Tensor): Tensor => t ?? U.zerosLike(x);

/** Rule body for single-output primitives: binds the primitive, then derives the output tangent. */
const single =
  <P extends Prim>(prim: P, body: (ts: readonly Tangent[], inputs: readonly Tensor[], out: Tensor, params: PrimParams[P]) => Tangent): JvpRule<P> =>
  (ts, inputs, params) => {
    const out = bind(prim, inputs, params)[0];
    return [[out], [isFloat(out) ? body(ts, inputs, out, params) : null]];
  };

/** Primitives whose outputs do not vary (comparisons, integer sources, rounding). */
const zero = <P extends Prim>(prim: P): JvpRule<P> => (_, inputs, params) => {
  const outs = bind(prim, inputs, params);
  return [outs, outs.map(() => null)];
};

/**
 * Primitives linear in their float operands: the tangent is the primitive applied to the
 * tangents (zeros where an operand has none); non-float operands (indices) pass through.
 */
const linear = <P extends Prim>(prim: P): JvpRule<P> =>
  single(prim, (ts, inputs, _, params) => bind(prim, inputs.map((x, i) => (isFloat(x) ? dense(ts[i], x) : x)), params)[0]);

/** Holomorphic (or real) unary maps: t·f'(x), with f' computed from input and output. */
const chain = <P extends Prim>(prim: P, derivative: (x: Tensor, y: Tensor) => Tensor): JvpRule<P> =>
  single(prim, ([t], [x], y) => (t === null ? null : U.mul(t, derivative(x, y))));

/** Σ over operands of t_i·w_i, skipping symbolic zeros. */
function sumTerms(terms: readonly (Tensor | null)[]): Tangent {
  let acc: Tensor | null = null;
  for (const term of terms) if (term) acc = acc ? U.add(acc, term) : term;
  return acc;
}

const scale = (t: Tangent, w: () => Tensor): Tensor | null => (t === null ? null : U.mul(t, w()));

function expandReduced(r: Tensor, like: Tensor, axes: readonly number[]): Tensor {
  const dims = like.shape.map((_, i) => i).filter((i) => !axes.includes(i));
  return U.prim('broadcast_in_dim', [r], { shape: [...like.shape], dims });
}

/** x shifted by one step along a scan's direction (x_{t-1}, or x_{t+1} reversed), zero-filled. */
function previous(x: Tensor, axis: number, reverse: boolean): Tensor {
  const n = x.shape[axis];
  if (n === 0) return x;
  return reverse ? U.padAxis(U.sliceAxis(x, axis, 1, n - 1), axis, 0, 1) : U.padAxis(U.sliceAxis(x, axis, 0, n - 1), axis, 1, 0);
}

const TWO_OVER_SQRT_PI = 2 / Math.sqrt(Math.PI);

export const jvpRules: PrimTable<{ [P in Prim]: JvpRule<P> }> = {
  neg: single('neg', ([t]) => (t === null ? null : U.neg(t))),
  exp: chain('exp', (_, y) => y),
  log: single('log', ([t], [x]) => (t === null ? null : U.div(t, x))),
  sin: chain('sin', (x) => U.cos(x)),
  cos: chain('cos', (x) => U.neg(U.sin(x))),
  tanh: chain('tanh', (_, y) => U.sub(1, U.mul(y, y))),
  logistic: chain('logistic', (_, y) => U.mul(y, U.sub(1, y))),
  sqrt: single('sqrt', ([t], _, y) => (t === null ? null : U.div(t, U.mul(y, 2)))),
  erf: chain('erf', (x) => U.mul(U.exp(U.neg(U.mul(x, x))), TWO_OVER_SQRT_PI)),
  abs: single('abs', ([t], [x], r) => {
    if (t === null) return null;
    if (x.dtype !== 'c64') return U.mul(t, U.sign(x));
    // d|z| = Re(conj(z)·dz)/|z|, taken as 0 at z = 0.
    const zero = U.eq(r, 0);
    const safe = U.select(zero, U.add(r, 1), r);
    const along = U.real(U.mul(U.conj(x), t));
    return U.select(zero, U.zerosLike(r), U.div(along, safe));
  }),
  sign: zero('sign'),
  floor: zero('floor'),
  not: zero('not'),
  add: linear('add'),
  sub: linear('sub'),
  mul: single('mul', ([ta, tb], [a, b]) => sumTerms([scale(ta, () => b), scale(tb, () => a)])),
  div: single('div', ([ta, tb], [, b], y) => {
    // d(a/b) = (da − y·db)/b
    const num = sumTerms([ta, tb === null ? null : U.neg(U.mul(tb, y))]);
    return num === null ? null : U.div(num, b);
  }),
  pow: single('pow', ([ta, tb], [a, b], y) => {
    const positive = U.gt(a, 0);
    const logA = () => U.log(U.select(positive, a, U.add(U.zerosLike(a), 1)));
    return sumTerms([scale(ta, () => U.mul(b, U.prim('pow', [a, U.sub(b, 1)], {}))), scale(tb, () => U.mul(y, logA()))]);
  }),
  max: single('max', ([ta, tb], [a, b]) => {
    // Ties split the tangent equally (the reverse rule's convention).
    const wA = () => U.add(U.cast(U.gt(a, b), 'f32'), U.mul(U.cast(U.eq(a, b), 'f32'), 0.5));
    return sumTerms([scale(ta, wA), scale(tb, () => U.sub(1, wA()))]);
  }),
  min: single('min', ([ta, tb], [a, b]) => {
    const wA = () => U.add(U.cast(U.lt(a, b), 'f32'), U.mul(U.cast(U.eq(a, b), 'f32'), 0.5));
    return sumTerms([scale(ta, wA), scale(tb, () => U.sub(1, wA()))]);
  }),
  atan2: single('atan2', ([ty, tx], [y, x]) => {
    // d atan2(y, x) = (x·dy − y·dx)/(x² + y²)
    const num = sumTerms([scale(ty, () => x), tx === null ? null : U.neg(U.mul(tx, y))]);
    return num === null ? null : U.div(num, U.add(U.mul(x, x), U.mul(y, y)));
  }),
  and: zero('and'),
  or: zero('or'),
  lt: zero('lt'),
  le: zero('le'),
  gt: zero('gt'),
  ge: zero('ge'),
  eq: zero('eq'),
  ne: zero('ne'),
  select: single('select', ([, tt, tf], [p, t, f]) => (tt === null && tf === null ? null : U.select(p, dense(tt, t), dense(tf, f)))),
  cast: single('cast', ([t], [x], y) => (t === null || !isFloat(x) ? null : U.cast(t, y.dtype))),
  complex: linear('complex'),
  real: linear('real'),
  imag: linear('imag'),
  conj: linear('conj'),
  broadcast_in_dim: linear('broadcast_in_dim'),
  reshape: linear('reshape'),
  transpose: linear('transpose'),
  slice: linear('slice'),
  // The padding value is a constant: tangents are padded with zeros.
  pad: single('pad', ([t], [x], _, params) => bind('pad', [dense(t, x)], { ...params, value: 0 })[0]),
  concat: linear('concat'),
  reverse: linear('reverse'),
  gather: linear('gather'),
  scatter_add: linear('scatter_add'),
  reduce_sum: linear('reduce_sum'),
  reduce_max: single('reduce_max', ([t], [x], y, { axes }) => {
    if (t === null) return null;
    // The mean of the tangent over the positions attaining the maximum.
    const hit = U.cast(U.eq(x, expandReduced(y, x, axes)), 'f32');
    const count = U.prim('reduce_sum', [hit], { axes: [...axes] });
    return U.div(U.prim('reduce_sum', [U.mul(t, hit)], { axes: [...axes] }), count);
  }),
  argmax: zero('argmax'),
  matmul: single('matmul', ([ta, tb], [a, b]) =>
    sumTerms([ta === null ? null : U.prim('matmul', [ta, b], {}), tb === null ? null : U.prim('matmul', [a, tb], {})]),
  ),
  cumsum: linear('cumsum'),
  linrec: single('linrec', ([ta, tb], [a], x, { axis, reverse }) => {
    // dx_t = a_t·dx_{t-1} + (da_t·x_{t-1} + db_t): the same recurrence, driven by the tangents.
    const drive = sumTerms([ta === null ? null : U.mul(ta, previous(x, axis, reverse)), tb]);
    return drive === null ? null : U.prim('linrec', [a, drive], { axis, reverse });
  }),
  assoc_scan: (ts, xs, params, sub) => scanJvp(ts, xs, params, sub),
  fft: linear('fft'),
  rfft: linear('rfft'),
  irfft: linear('irfft'),
  stop_gradient: zero('stop_gradient'),
  custom_vjp: customVjpJvp,
  custom_jvp: customJvpJvp,
  checkpoint: checkpointJvp,
  iota: zero('iota'),
  random_bits: zero('random_bits'),
};

/**
 * Forward mode through y_t = y_{t-1} ⊕ x_t: one scan over k values and k tangents, whose
 * combine is the JVP of ⊕, ((y, ẏ), (x, ẋ)) ↦ (y ⊕ x, ∂⊕/∂y·ẏ + ∂⊕/∂x·ẋ). It is associative
 * because it is the first-order part of ⊕ over dual numbers. Width 2k, whatever the combine.
 */
function scanJvp(ts: readonly Tangent[], xs: readonly Tensor[], params: PrimParams['assoc_scan'], sub: SubTransforms): [Tensor[], Tangent[]] {
  const { combine } = params;
  const k = xs.length;
  const combineJvp = sub.jvpIR(combine.ir);
  const consts = combine.consts.map((c) => U.constTensor(c));
  const constTangents = consts.map((c) => U.zerosLike(c));
  const pairCombine = traceCombine(
    (left, right) =>
      applyElementwiseIR(
        combineJvp.ir,
        combineJvp.consts,
        [...consts, ...left.slice(0, k), ...right.slice(0, k), ...constTangents, ...left.slice(k), ...right.slice(k)],
        [],
      ),
    [...xs, ...xs].map((x) => x.dtype),
  );
  if (xs.some((x) => !isFloat(x))) {
    throw new Error(`forward-mode differentiation of associativeScan needs f32 or c64 operands, got ${xs.map((x) => x.dtype).join(', ')}`);
  }
  const tangents = xs.map((x, i) => dense(ts[i], x));
  const outs = bind('assoc_scan', [...xs, ...tangents], { ...params, combine: pairCombine });
  return [outs.slice(0, k), outs.slice(k)];
}
