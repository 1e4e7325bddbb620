/**
 * Elementwise ops. Unary ops take the tensor directly (`pipe(x, T.exp)`); binary ops have a
 * data-first form `T.mul(x, y)` and a data-last form `T.mul(y)` for `pipe(x, T.mul(y))`.
 * Operands broadcast numpy-style; f32 meets c64 as c64; every other dtype mix needs T.cast,
 * which the types enforce at compile time.
 */
import type { DType, PromoteDType } from '../../compiler/dtype';
import type { Prim } from '../../compiler/primitives';
import { broadcastShapes, type Shape } from '../../compiler/shape';
import { bind1 } from '../../compiler/tracer';
import { Tensor } from '../tensor';
import { alignOperands, type Bcast, broadcastTo, castTo, type Compat, type TensorLike, tensorArg, tensorOrNumberArg } from './core';
import { ShapeDtypeError, userCallSite } from '../../compiler/errors';

type Real = 'f32' | 'i32';
type Floating = 'f32' | 'c64';

const unary =
  <In extends DType, Out extends DType | 'same'>(prim: Prim, name: string = prim) =>
  <D extends In, S extends Shape>(x: Tensor<D, S>): Tensor<Out extends 'same' ? D : Out, S> =>
    bind1(prim, [tensorArg(name, 'x', x)], {} as never) as never;

export const neg = unary<'f32' | 'i32' | 'c64', 'same'>('neg');
export const exp = unary<Floating, 'same'>('exp');
export const log = unary<'f32', 'same'>('log');
export const sin = unary<'f32', 'same'>('sin');
export const cos = unary<'f32', 'same'>('cos');
export const tanh = unary<'f32', 'same'>('tanh');
export const sigmoid = unary<'f32', 'same'>('logistic', 'sigmoid');
export const sqrt = unary<'f32', 'same'>('sqrt');
export const erf = unary<'f32', 'same'>('erf');
export const sign = unary<Real, 'same'>('sign');
export const floor = unary<'f32', 'same'>('floor');
export const logicalNot = unary<'bool', 'same'>('not', 'logicalNot');
export const real = unary<'c64', 'f32'>('real');
export const imag = unary<'c64', 'f32'>('imag');
export const conj = unary<'c64', 'same'>('conj');

/** |x|; for c64 the modulus, an f32 tensor. */
export const abs = <D extends 'f32' | 'i32' | 'c64', S extends Shape>(x: Tensor<D, S>): Tensor<D extends 'c64' ? 'f32' : D, S> =>
  bind1('abs', [tensorArg('abs', 'x', x)], {}) as never;

/** The argument of a complex number, atan2(imag, real). */
export const angle = <S extends Shape>(z: Tensor<'c64', S>): Tensor<'f32', S> => bind1('atan2', [imag(tensorArg('angle', 'z', z) as Tensor<'c64'>), real(z)], {}) as never;

export const square = <D extends 'f32' | 'i32' | 'c64', S extends Shape>(x: Tensor<D, S>): Tensor<D, S> => bind1('mul', [tensorArg('square', 'x', x), x], {}) as never;

export const cast = <D extends DType>(dtype: D) => {
  if (!['f32', 'i32', 'bool', 'c64'].includes(dtype)) throw new TypeError(`cast: unknown dtype ${JSON.stringify(dtype)} (f32, i32, bool or c64)`);
  return <S extends Shape>(x: Tensor<DType, S>): Tensor<D, S> => castTo(tensorArg(`cast('${dtype}')`, 'x', x), dtype) as never;
};

/** Makes a c64 tensor from real and imaginary parts (at least one a tensor: T.complex(T.scalar(0.5), 0.1) for a scalar). */
export function complex<S1 extends Shape, S2 extends Shape>(re: Tensor<'f32', S1>, im: Tensor<'f32', S2> | number): Tensor<'c64', Bcast<S1, S2>>;
export function complex<S2 extends Shape>(re: number, im: Tensor<'f32', S2>): Tensor<'c64', S2>;
export function complex(re: Tensor | number, im: Tensor | number): Tensor {
  const [r, i] = alignOperands('complex', [re, im], ['re', 'im']);
  if (r.dtype !== 'f32') throw new TypeError(`complex: re and im must be f32, got ${r.dtype}`);
  return bind1('complex', [r, i], {}) as never;
}

/** A binary op in both forms; the type parameters check dtype compatibility. */
export interface BinaryOp<Allowed extends DType, Out extends DType | 'promote'> {
  <A extends Allowed, S extends Shape, B extends Compat<A> & Allowed = Compat<A> & A & Allowed, SB extends Shape = S>(
    x: Tensor<A, S>,
    y: Tensor<B, SB> | number,
  ): Tensor<Out extends 'promote' ? PromoteDType<A, B> : Out, Bcast<S, SB>>;
  <B extends Allowed, SB extends Shape>(x: number, y: Tensor<B, SB>): Tensor<Out extends 'promote' ? B : Out, SB>;
  (y: number): <A extends Allowed, S extends Shape>(x: Tensor<A, S>) => Tensor<Out extends 'promote' ? A : Out, S>;
  <B extends Allowed, SB extends Shape = Shape>(
    y: Tensor<B, SB> | number,
  ): <A extends Compat<B> & Allowed, S extends Shape>(x: Tensor<A, S>) => Tensor<Out extends 'promote' ? PromoteDType<A, B> : Out, Bcast<S, SB>>;
}

/**
 * Data-first with two arguments, data-last with exactly one: an explicit `undefined` second
 * argument (a missing value, not the data-last form) is an error naming y.
 */
function binary<Allowed extends DType, Out extends DType | 'promote'>(prim: Prim, name: string = prim): BinaryOp<Allowed, Out> {
  const apply = (x: TensorLike, y: TensorLike): Tensor => bind1(prim, alignOperands(name, [x, y]), {} as never);
  return ((...args: TensorLike[]) => {
    if (args.length === 1) {
      const y = tensorOrNumberArg(name, 'y', args[0]);
      return (x: Tensor) => apply(tensorArg(`${name}(y)`, 'x', x), y);
    }
    if (args.length !== 2) throw new TypeError(`${name}: takes (x, y), or (y) for pipe; got ${args.length} arguments`);
    return apply(args[0], args[1]);
  }) as BinaryOp<Allowed, Out>;
}

type Num = 'f32' | 'i32' | 'c64';
export const add = binary<Num, 'promote'>('add');
export const sub = binary<Num, 'promote'>('sub');
export const mul = binary<Num, 'promote'>('mul');
export const div = binary<Num, 'promote'>('div');
export const pow = binary<'f32', 'promote'>('pow');
export const maximum = binary<Real, 'promote'>('max', 'maximum');
export const minimum = binary<Real, 'promote'>('min', 'minimum');
export const atan2 = binary<'f32', 'promote'>('atan2');
export const logicalAnd = binary<'bool', 'bool'>('and', 'logicalAnd');
export const logicalOr = binary<'bool', 'bool'>('or', 'logicalOr');
export const less = binary<Real, 'bool'>('lt', 'less');
export const lessEqual = binary<Real, 'bool'>('le', 'lessEqual');
export const greater = binary<Real, 'bool'>('gt', 'greater');
export const greaterEqual = binary<Real, 'bool'>('ge', 'greaterEqual');
export const equal = binary<DType, 'bool'>('eq', 'equal');
export const notEqual = binary<DType, 'bool'>('ne', 'notEqual');

/** where(cond, a, b): a where cond is true, else b (all three broadcast together). */
export function where<D extends DType>(cond: Tensor<'bool'>, a: Tensor<D> | number, b: Tensor<D> | number): Tensor<D> {
  tensorArg('where', 'cond', cond);
  if (cond.dtype !== 'bool') throw new TypeError(`where: argument cond must be a bool tensor, got ${cond.dtype}[${cond.shape.join(',')}] (compare with T.less, T.equal, …)`);
  const [x, y] = alignOperands('where', [a, b], ['a', 'b']);
  const shape = broadcastShapes(cond.shape, x.shape);
  if (!shape) throw new ShapeDtypeError('where', [cond.aval, x.aval], 'condition and values do not broadcast', userCallSite());
  return bind1('select', [broadcastTo(cond, shape, 'where'), broadcastTo(x, shape, 'where'), broadcastTo(y, shape, 'where')], {}) as never;
}
