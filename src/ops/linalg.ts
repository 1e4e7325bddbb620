/**
 * matmul with numpy semantics: rank-1 operands are promoted (and the added axis removed),
 * leading batch axes broadcast. The static types reject operands of rank < 1 and inner
 * dimensions that are known to differ.
 */
import type { DType } from '../../compiler/dtype';
import { ShapeDtypeError, userCallSite } from '../../compiler/errors';
import { broadcastShapes, type Shape } from '../../compiler/shape';
import { bind1 } from '../../compiler/tracer';
import { Tensor } from '../tensor';
import { broadcastTo, tensorArg } from './core';

type Last<S extends Shape> = S extends readonly [...unknown[], infer K extends number] ? K : number;
type SecondLast<S extends Shape> = S extends readonly [...unknown[], infer K extends number, number] ? K : number;
type Known<N extends number> = number extends N ? false : true;
type DimsAgree<A extends number, B extends number> = Known<A> extends true ? (Known<B> extends true ? ([A] extends [B] ? true : false) : true) : true;
type RankOk<S extends Shape> = S extends readonly [] ? false : true;

type InnerB<SB extends Shape> = SB extends readonly [number] ? Last<SB> : SecondLast<SB>;

/** undefined when the operands can be multiplied, else the message saying why. */
export type MatmulProblem<SA extends Shape, SB extends Shape> = RankOk<SA> extends false
  ? 'matmul: the left operand is a scalar'
  : RankOk<SB> extends false
    ? 'matmul: the right operand is a scalar'
    : DimsAgree<Last<SA>, InnerB<SB>> extends false
      ? `matmul: inner dimensions differ (${Last<SA>} vs ${InnerB<SB>})`
      : undefined;

/**
 * A brand no tensor carries: the operand of a statically wrong matmul must also be this, so the
 * compiler's message quotes the reason ("... is not assignable to ... MatmulMismatch<'matmul:
 * inner dimensions differ (3 vs 4)'>").
 */
export interface MatmulMismatch<Reason extends string> {
  readonly matmulError: Reason;
}

/** unknown (no constraint) when the operands can be multiplied, else the branded reason. */
export type MatmulCheck<SA extends Shape, SB extends Shape> = MatmulProblem<SA, SB> extends infer P extends string ? MatmulMismatch<P> : unknown;

type MatmulShape<SA extends Shape, SB extends Shape> = SA extends readonly [...infer BA extends number[], infer M extends number, number]
  ? SB extends readonly [...infer BB extends number[], number, infer N extends number]
    ? [BA] extends [BB]
      ? readonly [...BA, M, N]
      : Shape
    : Shape
  : Shape;

function matmulImpl(a: Tensor, b: Tensor): Tensor {
  const fail = (reason: string): never => {
    throw new ShapeDtypeError('matmul', [a.aval, b.aval], reason, userCallSite());
  };
  if (a.ndim === 0 || b.ndim === 0) fail('operands must have rank >= 1');
  if (a.dtype !== b.dtype) fail(`dtypes differ (${a.dtype} vs ${b.dtype}); cast one operand`);
  const a2 = a.ndim === 1 ? bind1('reshape', [a], { shape: [1, a.shape[0]] }) : a;
  const b2 = b.ndim === 1 ? bind1('reshape', [b], { shape: [b.shape[0], 1] }) : b;
  const [M, K] = a2.shape.slice(-2);
  const [K2, N] = b2.shape.slice(-2);
  if (K !== K2) fail(`inner dimensions differ: ${K} vs ${K2}`);
  const batch = broadcastShapes(a2.shape.slice(0, -2), b2.shape.slice(0, -2)) ?? fail('batch dimensions do not broadcast');
  const out = bind1('matmul', [broadcastTo(a2, [...batch, M, K], 'matmul'), broadcastTo(b2, [...batch, K, N], 'matmul')], {});
  const shape = [...batch, ...(a.ndim === 1 ? [] : [M]), ...(b.ndim === 1 ? [] : [N])];
  return a.ndim === 1 || b.ndim === 1 ? bind1('reshape', [out], { shape }) : out;
}

export function matmul<D extends DType, SA extends Shape, SB extends Shape>(a: Tensor<D, SA>, b: Tensor<NoInfer<D>, SB> & MatmulCheck<SA, SB>): Tensor<D, MatmulShape<SA, SB>>;
export function matmul<D extends DType, SB extends Shape>(b: Tensor<D, SB>): <SA extends Shape>(a: Tensor<D, SA> & MatmulCheck<SA, SB>) => Tensor<D, MatmulShape<SA, SB>>;
export function matmul(...args: unknown[]): unknown {
  const [a, b] = args;
  if (args.length === 1) {
    const right = tensorArg('matmul', 'b', a);
    return (x: Tensor) => matmulImpl(tensorArg('matmul(b)', 'a', x), right);
  }
  return matmulImpl(tensorArg('matmul', 'a', a), tensorArg('matmul', 'b', b));
}
