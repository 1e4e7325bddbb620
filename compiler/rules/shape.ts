/**
 * Shape and dtype inference: one rule per primitive, from operand abstract values and static
 * parameters to result abstract values. Rules throw RuleError with a reason; the tracer and
 * the typecheck pass add the op name, operands and call site.
 */
import { callShape } from '../calls';
import { type DType, isComplex, isFloating, realPart } from '../dtype';
import { check } from '../errors';
import type { AVal } from '../ir';
import type { Prim, PrimParams, PrimTable } from '../primitives';
import { type Shape, shapeEq, showShape, sizeOf } from '../shape';

export type ShapeRule<P extends Prim> = (avals: readonly AVal[], params: PrimParams[P]) => AVal[];

const av = (shape: Shape, dtype: DType): AVal => ({ shape: [...shape], dtype });

function arity(avals: readonly AVal[], n: number): void {
  check(avals.length === n, `expects ${n} operand(s), got ${avals.length}`);
}

function sameOperands(avals: readonly AVal[]): void {
  const [first, ...rest] = avals;
  for (const a of rest) {
    check(shapeEq(a.shape, first.shape), () => `operand shapes differ: ${avals.map((x) => showShape(x.shape)).join(' vs ')}`);
    check(a.dtype === first.dtype, () => `operand dtypes differ: ${avals.map((x) => x.dtype).join(' vs ')}`);
  }
}

const dtypeIn = (a: AVal, allowed: readonly DType[], what: string): void =>
  check(allowed.includes(a.dtype), `${what} needs ${allowed.join(' or ')}, got ${a.dtype}`);

/** A rule that ignores parameters fits every primitive's slot. */
type ParamlessRule = (avals: readonly AVal[]) => AVal[];

function unary(allowed: readonly DType[], out?: (d: DType) => DType): ParamlessRule {
  return (avals) => {
    arity(avals, 1);
    dtypeIn(avals[0], allowed, 'operand');
    return [av(avals[0].shape, out ? out(avals[0].dtype) : avals[0].dtype)];
  };
}

function binary(allowed: readonly DType[], out?: DType): ParamlessRule {
  return (avals) => {
    arity(avals, 2);
    sameOperands(avals);
    dtypeIn(avals[0], allowed, 'operands');
    return [av(avals[0].shape, out ?? avals[0].dtype)];
  };
}

const NUM: DType[] = ['f32', 'i32', 'c64'];
const REAL: DType[] = ['f32', 'i32'];
const FLOAT: DType[] = ['f32', 'c64'];
const ALL: DType[] = ['f32', 'i32', 'bool', 'c64'];

function checkAxes(axes: readonly number[], rank: number): void {
  const seen = new Set<number>();
  for (const a of axes) {
    check(Number.isInteger(a) && a >= 0 && a < rank, `axis ${a} out of range for rank ${rank}`);
    check(!seen.has(a), `axis ${a} repeated`);
    seen.add(a);
  }
}

function reduceShape(shape: Shape, axes: readonly number[]): number[] {
  checkAxes(axes, shape.length);
  return shape.filter((_, i) => !axes.includes(i));
}

function scanOperands(avals: readonly AVal[], axis: number): void {
  check(avals.length >= 1, 'needs at least one operand');
  const rank = avals[0].shape.length;
  check(axis >= 0 && axis < rank, `axis ${axis} out of range for rank ${rank}`);
  for (const a of avals) check(shapeEq(a.shape, avals[0].shape), 'scan operands must have identical shapes');
}

const lastAxis = (a: AVal): number => {
  check(a.shape.length >= 1, 'needs rank >= 1 (acts on the last axis)');
  return a.shape[a.shape.length - 1];
};

export const shapeRules: PrimTable<{ [P in Prim]: ShapeRule<P> }> = {
  neg: unary(NUM),
  exp: unary(FLOAT),
  log: unary(['f32']),
  sin: unary(['f32']),
  cos: unary(['f32']),
  tanh: unary(['f32']),
  logistic: unary(['f32']),
  sqrt: unary(['f32']),
  erf: unary(['f32']),
  abs: unary(NUM, realPart),
  sign: unary(REAL),
  floor: unary(['f32']),
  not: unary(['bool']),
  add: binary(NUM),
  sub: binary(NUM),
  mul: binary(NUM),
  div: binary(NUM),
  pow: binary(['f32']),
  max: binary(REAL),
  min: binary(REAL),
  atan2: binary(['f32']),
  and: binary(['bool']),
  or: binary(['bool']),
  lt: binary(REAL, 'bool'),
  le: binary(REAL, 'bool'),
  gt: binary(REAL, 'bool'),
  ge: binary(REAL, 'bool'),
  eq: binary(ALL, 'bool'),
  ne: binary(ALL, 'bool'),
  select: (avals) => {
    arity(avals, 3);
    const [pred, t, f] = avals;
    check(pred.dtype === 'bool', `predicate must be bool, got ${pred.dtype}`);
    check(shapeEq(pred.shape, t.shape), 'predicate and branches must have identical shapes');
    sameOperands([t, f]);
    return [av(t.shape, t.dtype)];
  },
  cast: (avals, { dtype }) => {
    arity(avals, 1);
    check(!(isComplex(avals[0].dtype) && dtype !== 'c64'), 'cannot cast c64 to a real dtype; use real(), imag() or abs()');
    return [av(avals[0].shape, dtype)];
  },
  complex: binary(['f32'], 'c64'),
  real: unary(['c64'], () => 'f32'),
  imag: unary(['c64'], () => 'f32'),
  conj: unary(['c64']),
  broadcast_in_dim: (avals, { shape, dims }) => {
    arity(avals, 1);
    const x = avals[0];
    check(dims.length === x.shape.length, `dims ${showShape(dims)} must name one output axis per operand axis`);
    dims.forEach((d, i) => {
      check(d >= 0 && d < shape.length, `dim ${d} out of range for output rank ${shape.length}`);
      check(i === 0 || d > dims[i - 1], 'dims must be strictly increasing');
      check(x.shape[i] === 1 || x.shape[i] === shape[d], `operand axis ${i} (size ${x.shape[i]}) cannot broadcast to size ${shape[d]}`);
    });
    return [av(shape, x.dtype)];
  },
  reshape: (avals, { shape }) => {
    arity(avals, 1);
    check(shape.every((d) => Number.isInteger(d) && d >= 0), `invalid target shape ${showShape(shape)}`);
    check(sizeOf(shape) === sizeOf(avals[0].shape), `cannot reshape ${showShape(avals[0].shape)} to ${showShape(shape)}: sizes differ`);
    return [av(shape, avals[0].dtype)];
  },
  transpose: (avals, { perm }) => {
    arity(avals, 1);
    const s = avals[0].shape;
    check(perm.length === s.length, `perm ${showShape(perm)} does not match rank ${s.length}`);
    checkAxes(perm, s.length);
    return [av(perm.map((p) => s[p]), avals[0].dtype)];
  },
  slice: (avals, { start, limit }) => {
    arity(avals, 1);
    const s = avals[0].shape;
    check(start.length === s.length && limit.length === s.length, 'start and limit need one entry per axis');
    s.forEach((d, i) =>
      check(0 <= start[i] && start[i] <= limit[i] && limit[i] <= d, `axis ${i}: slice [${start[i]}, ${limit[i]}) out of bounds for size ${d}`),
    );
    return [av(s.map((_, i) => limit[i] - start[i]), avals[0].dtype)];
  },
  pad: (avals, { lo, hi }) => {
    arity(avals, 1);
    const s = avals[0].shape;
    check(lo.length === s.length && hi.length === s.length, 'lo and hi need one entry per axis');
    check([...lo, ...hi].every((p) => Number.isInteger(p) && p >= 0), 'padding must be non-negative integers');
    return [av(s.map((d, i) => d + lo[i] + hi[i]), avals[0].dtype)];
  },
  concat: (avals, { axis }) => {
    check(avals.length >= 1, 'needs at least one operand');
    const first = avals[0];
    check(axis >= 0 && axis < first.shape.length, `axis ${axis} out of range for rank ${first.shape.length}`);
    let total = 0;
    for (const a of avals) {
      check(a.dtype === first.dtype, 'operand dtypes differ');
      check(a.shape.length === first.shape.length && a.shape.every((d, i) => i === axis || d === first.shape[i]), `shapes differ off axis ${axis}`);
      total += a.shape[axis];
    }
    return [av(first.shape.map((d, i) => (i === axis ? total : d)), first.dtype)];
  },
  reverse: (avals, { axes }) => {
    arity(avals, 1);
    checkAxes(axes, avals[0].shape.length);
    return [av(avals[0].shape, avals[0].dtype)];
  },
  gather: (avals, { axis }) => {
    arity(avals, 2);
    const [x, idx] = avals;
    check(idx.dtype === 'i32', `indices must be i32, got ${idx.dtype}`);
    check(axis >= 0 && axis < x.shape.length, `axis ${axis} out of range for rank ${x.shape.length}`);
    return [av([...x.shape.slice(0, axis), ...idx.shape, ...x.shape.slice(axis + 1)], x.dtype)];
  },
  scatter_add: (avals, { axis, size }) => {
    arity(avals, 2);
    const [upd, idx] = avals;
    check(idx.dtype === 'i32', `indices must be i32, got ${idx.dtype}`);
    const k = idx.shape.length;
    check(
      shapeEq(upd.shape.slice(axis, axis + k), idx.shape),
      `updates ${showShape(upd.shape)} must hold the index shape ${showShape(idx.shape)} at axis ${axis}`,
    );
    return [av([...upd.shape.slice(0, axis), size, ...upd.shape.slice(axis + k)], upd.dtype)];
  },
  reduce_sum: (avals, { axes }) => {
    arity(avals, 1);
    dtypeIn(avals[0], NUM, 'operand');
    return [av(reduceShape(avals[0].shape, axes), avals[0].dtype)];
  },
  reduce_max: (avals, { axes }) => {
    arity(avals, 1);
    dtypeIn(avals[0], REAL, 'operand');
    return [av(reduceShape(avals[0].shape, axes), avals[0].dtype)];
  },
  argmax: (avals, { axis }) => {
    arity(avals, 1);
    dtypeIn(avals[0], REAL, 'operand');
    check(avals[0].shape[axis] > 0, 'argmax over an empty axis');
    return [av(reduceShape(avals[0].shape, [axis]), 'i32')];
  },
  matmul: (avals) => {
    arity(avals, 2);
    const [a, b] = avals;
    check(a.dtype === b.dtype, `dtypes differ: ${a.dtype} vs ${b.dtype}`);
    dtypeIn(a, NUM, 'operands');
    check(a.shape.length >= 2 && b.shape.length >= 2, 'operands need rank >= 2');
    check(a.shape.length === b.shape.length, `ranks differ: ${a.shape.length} vs ${b.shape.length}`);
    const r = a.shape.length;
    check(shapeEq(a.shape.slice(0, r - 2), b.shape.slice(0, r - 2)), 'batch dimensions differ');
    check(a.shape[r - 1] === b.shape[r - 2], `contracting dimensions differ: ${a.shape[r - 1]} vs ${b.shape[r - 2]}`);
    return [av([...a.shape.slice(0, r - 1), b.shape[r - 1]], a.dtype)];
  },
  cumsum: (avals, { axis }) => {
    arity(avals, 1);
    dtypeIn(avals[0], NUM, 'operand');
    scanOperands(avals, axis);
    return [av(avals[0].shape, avals[0].dtype)];
  },
  linrec: (avals, { axis }) => {
    arity(avals, 2);
    sameOperands(avals);
    dtypeIn(avals[0], FLOAT, 'operands');
    scanOperands(avals, axis);
    return [av(avals[0].shape, avals[0].dtype)];
  },
  assoc_scan: (avals, { axis, combine }) => {
    scanOperands(avals, axis);
    const { ir } = combine;
    const n = avals.length;
    check(ir.inVars.length === 2 * n, `combine takes ${ir.inVars.length} scalars; the scan has ${n} operands, so it needs ${2 * n}`);
    check(ir.outAtoms.length === n, `combine returns ${ir.outAtoms.length} values, expected ${n}`);
    avals.forEach((a, i) => {
      for (const v of [ir.inVars[i], ir.inVars[n + i], ir.outAtoms[i]]) {
        check(v.aval.shape.length === 0 && v.aval.dtype === a.dtype, `combine slot ${i} must be a ${a.dtype} scalar`);
      }
    });
    return avals.map((a) => av(a.shape, a.dtype));
  },
  fft: (avals) => {
    arity(avals, 1);
    dtypeIn(avals[0], ['c64'], 'operand');
    lastAxis(avals[0]);
    return [av(avals[0].shape, 'c64')];
  },
  rfft: (avals) => {
    arity(avals, 1);
    dtypeIn(avals[0], ['f32'], 'operand');
    const n = lastAxis(avals[0]);
    check(n >= 1, 'rfft of an empty axis');
    return [av([...avals[0].shape.slice(0, -1), Math.floor(n / 2) + 1], 'c64')];
  },
  irfft: (avals, { n }) => {
    arity(avals, 1);
    dtypeIn(avals[0], ['c64'], 'operand');
    const m = lastAxis(avals[0]);
    check(Number.isInteger(n) && n >= 1, `output length n=${n} must be a positive integer`);
    check(m === Math.floor(n / 2) + 1, `irfft to n=${n} needs ${Math.floor(n / 2) + 1} frequencies, got ${m}`);
    return [av([...avals[0].shape.slice(0, -1), n], 'f32')];
  },
  stop_gradient: unary(ALL),
  custom_vjp: (avals, { body }) => callShape(body, avals),
  custom_jvp: (avals, { body }) => callShape(body, avals),
  checkpoint: (avals, { body }) => callShape(body, avals),
  iota: (avals, { shape, axis, dtype }) => {
    arity(avals, 0);
    check(axis >= 0 && axis < shape.length, `axis ${axis} out of range for rank ${shape.length}`);
    check(isFloating(dtype) || dtype === 'i32', `iota dtype must be numeric, got ${dtype}`);
    return [av(shape, dtype)];
  },
  random_bits: (avals, { shape }) => {
    arity(avals, 1);
    check(avals[0].dtype === 'i32' && shapeEq(avals[0].shape, [2]), `key must be i32[2], got ${avals[0].dtype}${showShape(avals[0].shape)}`);
    return [av(shape, 'i32')];
  },
};
