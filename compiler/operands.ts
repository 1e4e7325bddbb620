/**
 * Operand plumbing for binding elementwise primitives: turning JS numbers into tensors, dtype
 * promotion and numpy-style broadcasting, all done explicitly (cast, broadcast_in_dim) before
 * a primitive is bound, so the IR's elementwise primitives always see equal shapes and dtypes.
 * The frontend ops (src/ops) and the differentiation rules (compiler/autodiff) both bind
 * through these.
 */
import { type DType, promote } from './dtype';
import { ShapeDtypeError, userCallSite } from './errors';
import { ndarray } from './ndarray';
import { broadcastShapes, type Shape, shapeEq } from './shape';
import { concreteTensor, Tensor } from './tensor';
import { bind1 } from './tracer';

export type TensorLike = Tensor | number;

/** A few words on what a value is, for messages about arguments that are not tensors. */
export function describeValue(x: unknown): string {
  if (x === undefined) return 'undefined';
  if (x === null) return 'null';
  if (x instanceof Tensor) return `a ${x.dtype}[${x.shape.join(',')}] tensor`;
  if (Array.isArray(x)) return `an array of ${x.length} element(s) (make it a tensor with T.tensor)`;
  if (ArrayBuffer.isView(x)) return `a ${x.constructor.name} (make it a tensor with T.tensor)`;
  if (typeof x === 'function') return 'a function';
  if (typeof x === 'number') return `the number ${x}`;
  if (typeof x === 'string') return `the string ${JSON.stringify(x.length > 40 ? `${x.slice(0, 40)}…` : x)}`;
  if (typeof x === 'object') {
    if ((x as { kind?: unknown }).kind === 'spec') return 'a shape spec (T.spec) outside a transformation';
    const keys = Object.keys(x);
    return keys.length ? `an object with keys ${keys.slice(0, 5).join(', ')}${keys.length > 5 ? ', …' : ''}` : 'an empty object';
  }
  return `a ${typeof x}`;
}

/** x itself when it is a tensor; otherwise a TypeError naming the op and the argument. */
export function tensorArg(op: string, name: string, x: unknown): Tensor {
  if (x instanceof Tensor) return x;
  throw new TypeError(`${op}: argument ${name} must be a tensor, got ${describeValue(x)}`);
}

/** x itself when it is a tensor or a JS number (a scalar of the other operand's dtype). */
export function tensorOrNumberArg(op: string, name: string, x: unknown): TensorLike {
  if (x instanceof Tensor || typeof x === 'number') return x;
  throw new TypeError(`${op}: argument ${name} must be a tensor or a number, got ${describeValue(x)}`);
}

/** Names of the operands of an n-ary op in messages: x, y, then operand 3, 4, … */
const operandName = (i: number): string => (i === 0 ? 'x' : i === 1 ? 'y' : `${i + 1}`);

/** Dtypes that may meet D in a binary op without a cast: f32 and c64 mix, others must match. */
export type Compat<D extends DType> = D extends 'f32' | 'c64' ? 'f32' | 'c64' : D;

export function scalarTensor(value: number, dtype: DType): Tensor {
  const a = ndarray(dtype, []);
  a.data[0] = dtype === 'bool' ? +!!value : dtype === 'i32' ? Math.trunc(value) | 0 : value;
  return concreteTensor(a);
}

/** A JS number adopts the dtype of the tensor it meets (a "weak" type, as in JAX). */
export function lift(x: TensorLike, like: DType): Tensor {
  return x instanceof Tensor ? x : scalarTensor(x, like === 'bool' ? 'f32' : like);
}

export function castTo(x: Tensor, dtype: DType): Tensor {
  return x.dtype === dtype ? x : bind1('cast', [x], { dtype });
}

export function broadcastTo(x: Tensor, shape: Shape, op = 'broadcastTo'): Tensor {
  if (shapeEq(x.shape, shape)) return x;
  const offset = shape.length - x.ndim;
  const ok = offset >= 0 && x.shape.every((d, i) => d === 1 || d === shape[offset + i]);
  if (!ok) throw new ShapeDtypeError(op, [x.aval], `cannot broadcast to [${shape.join(',')}]`, userCallSite());
  return bind1('broadcast_in_dim', [x], { shape: [...shape], dims: x.shape.map((_, i) => offset + i) });
}

/** Promotes and broadcasts operands of an n-ary elementwise op. */
export function alignOperands(op: string, xs: readonly TensorLike[], names: readonly string[] = []): Tensor[] {
  xs.forEach((x, i) => tensorOrNumberArg(op, names[i] ?? operandName(i), x));
  const tensors = xs.filter((x): x is Tensor => x instanceof Tensor);
  if (tensors.length === 0) throw new TypeError(`${op}: at least one operand must be a tensor`);
  let dtype = tensors[0].dtype;
  for (const t of tensors.slice(1)) {
    const p = promote(dtype, t.dtype);
    if (!p) {
      throw new ShapeDtypeError(op, tensors.map((x) => x.aval), `dtypes ${dtype} and ${t.dtype} need an explicit cast`, userCallSite());
    }
    dtype = p;
  }
  let shape: Shape = [];
  for (const t of tensors) {
    const b = broadcastShapes(shape, t.shape);
    if (!b) throw new ShapeDtypeError(op, tensors.map((x) => x.aval), 'shapes do not broadcast', userCallSite());
    shape = b;
  }
  return xs.map((x) => broadcastTo(castTo(lift(x, dtype), dtype), shape, op));
}
