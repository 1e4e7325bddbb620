/**
 * The VJP of a generic associative scan, as a scan (the construction Futhark uses).
 *
 * Forward (in scan order): y_0 = x_0, y_t = y_{t-1} ⊕ x_t, over tuples of k scalars.
 * With D_t = ∂(y_{t-1} ⊕ x_t)/∂y_{t-1} and E_t = ∂(y_{t-1} ⊕ x_t)/∂x_t (k×k, per position),
 * the total cotangent of y_t is g_t = ct_t + D_{t+1}^H g_{t+1}: an affine recurrence run
 * backwards, itself an associative scan over pairs (M, v) with (M_l, v_l)·(M_r, v_r) =
 * (M_r M_l, M_r v_l + v_r). Then ct_{x_0} = g_0 and ct_{x_t} = E_t^H g_t.
 * D and E rows come from the combine's own VJP with one-hot cotangents, applied elementwise.
 * Reversed scans are flip, scan, flip, and so is their VJP.
 *
 * c64 operands are scanned as pairs of f32 operands (real and imaginary parts), so the
 * Jacobians above are real and the combine need not be holomorphic; the cotangent of each c64
 * operand is then ∂L/∂x + i·∂L/∂y, the library's convention.
 */
import type { Tensor } from '../tensor';
import { applyElementwiseIR, traceCombine } from '../combine';
import type { PrimParams } from '../primitives';
import { bind } from '../tracer';
import * as U from './ops';
import type { Cotangent, SubTransforms } from './rules';

type Mat = Tensor[][];

export function scanVjp(
  cts: readonly Cotangent[],
  xs: readonly Tensor[],
  ys: readonly Tensor[],
  params: PrimParams['assoc_scan'],
  sub: SubTransforms,
): Cotangent[] {
  const { axis, reverse, combine } = params;
  if (xs.some((x) => x.dtype === 'c64')) return complexScanVjp(cts, xs, ys, params, sub);
  if (xs.some((x) => x.dtype !== 'f32')) {
    throw new Error(`differentiating associativeScan needs f32 or c64 operands, got ${xs.map((x) => x.dtype).join(', ')}`);
  }
  const flip = (t: Tensor): Tensor => (reverse ? U.prim('reverse', [t], { axes: [axis] }) : t);
  const k = xs.length;
  const L = xs[0].shape[axis];
  const ct = cts.map((c, i) => flip(c ?? U.zerosLike(ys[i])));
  const x = xs.map(flip);
  const y = ys.map(flip);
  if (L <= 1) return ct;

  // Jacobians at positions 1..L-1 of the combine's left (y_{t-1}) and right (x_t) operands.
  const yPrev = y.map((t) => U.sliceAxis(t, axis, 0, L - 1));
  const xCur = x.map((t) => U.sliceAxis(t, axis, 1, L - 1));
  const shape = yPrev[0].shape;
  const combineVjp = sub.vjpIR(combine.ir);
  const combineConsts = combine.consts.map((c) => U.broadcastScalar(U.constTensor(c), shape));
  const nc = combineConsts.length;
  const D: Mat = [];
  const E: Mat = [];
  for (let i = 0; i < k; i++) {
    const oneHot = Array.from({ length: k }, (_, j) => U.fill(shape, j === i ? 1 : 0));
    const outs = applyElementwiseIR(combineVjp.ir, combineVjp.consts, [...combineConsts, ...yPrev, ...xCur, ...oneHot], shape);
    const row = outs.slice(k + nc); // cotangents of (left..., right...) for output i
    D.push(row.slice(0, k));
    E.push(row.slice(k, 2 * k));
  }
  // g_t = ct_t + D_{t+1}^T g_{t+1}: element t carries (M_t = D_{t+1}^T, v_t = ct_t), M_{L-1} = 0.
  const M: Mat = D.map((row) => row.map((d) => U.padAxis(d, axis, 0, 1)));
  const Mt: Mat = M[0].map((_, j) => M.map((row) => row[j]));
  const flatM = Mt.flat();
  const affine = traceCombine((left, right) => composeAffine(left, right, k), [...flatM, ...ct].map((t) => t.dtype));
  const scanned = bind('assoc_scan', [...flatM, ...ct], { axis, reverse: true, combine: affine });
  const g = scanned.slice(k * k);
  // ct_{x_t} = E_t^T g_t for t >= 1, g_0 for t = 0.
  const gRest = g.map((t) => U.sliceAxis(t, axis, 1, L - 1));
  const ctX = Array.from({ length: k }, (_, j) => {
    let acc: Tensor | undefined;
    for (let i = 0; i < k; i++) {
      const term = U.mul(E[i][j], gRest[i]);
      acc = acc ? U.add(acc, term) : term;
    }
    return flip(bind('concat', [U.sliceAxis(g[j], axis, 0, 1), acc as Tensor], { axis })[0]);
  });
  return ctX;
}

/** (M_l, v_l)·(M_r, v_r) = (M_r M_l, M_r v_l + v_r), with k×k matrices stored row-major. */
function composeAffine(left: Tensor[], right: Tensor[], k: number): Tensor[] {
  const at = (t: Tensor[], i: number, j: number): Tensor => t[i * k + j];
  const vL = left.slice(k * k);
  const vR = right.slice(k * k);
  const out: Tensor[] = [];
  for (let i = 0; i < k; i++) {
    for (let j = 0; j < k; j++) {
      let acc = U.mul(at(right, i, 0), at(left, 0, j));
      for (let m = 1; m < k; m++) acc = U.add(acc, U.mul(at(right, i, m), at(left, m, j)));
      out.push(acc);
    }
  }
  for (let i = 0; i < k; i++) {
    let acc = vR[i];
    for (let m = 0; m < k; m++) acc = U.add(acc, U.mul(at(right, i, m), vL[m]));
    out.push(acc);
  }
  return out;
}

/** The VJP of a scan with c64 operands, through the same scan over real and imaginary parts. */
function complexScanVjp(
  cts: readonly Cotangent[],
  xs: readonly Tensor[],
  ys: readonly Tensor[],
  params: PrimParams['assoc_scan'],
  sub: SubTransforms,
): Cotangent[] {
  const isC = xs.map((x) => x.dtype === 'c64');
  const split = (t: Tensor, i: number): Tensor[] => (isC[i] ? [U.real(t), U.imag(t)] : [t]);
  const join = (parts: Tensor[]): Tensor[] => {
    let pos = 0;
    return isC.map((c) => (c ? U.complex(parts[pos++], parts[pos++]) : parts[pos++]));
  };
  const consts = params.combine.consts.map((c) => U.constTensor(c));
  const k = xs.length;
  const realCombine = traceCombine((left, right) => {
    const outs = applyElementwiseIR(params.combine.ir, consts, [...join(left), ...join(right)], []);
    return outs.flatMap(split);
  }, xs.flatMap((x, i) => (isC[i] ? ['f32', 'f32'] : ['f32'])) as Tensor['dtype'][]);
  const realXs = xs.flatMap(split);
  const realCts = cts.flatMap((c, i) => (c === null ? (isC[i] ? [null, null] : [null]) : split(c, i)));
  const realCtX = scanVjp(realCts, realXs, ys.flatMap(split), { ...params, combine: realCombine }, sub);
  const dense = realCtX.map((c, j) => c ?? U.zerosLike(realXs[j]));
  return join(dense).slice(0, k);
}
