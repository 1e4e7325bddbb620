/**
 * Compile-time checks that transformations keep the user's types: grad and valueAndGrad return
 * the differentiated argument's tree type (with aux, a pair), vjp's pullback returns the primals'
 * types, jvp the output's, jit a Promise of the result, and the tree helpers the tree's type.
 */
import { describe, expectTypeOf, it } from 'vitest';
import type { Tensor } from '../../src/index';
import * as T from '../../src/index';

interface Params {
  readonly w: Tensor<'f32', readonly [3, 2]>;
  readonly layers: readonly { readonly b: Tensor<'f32'>; readonly z: Tensor<'c64'> }[];
}
declare const params: Params;
declare const x: Tensor<'f32', readonly [4, 3]>;
declare const loss: (p: Params, x: Tensor<'f32', readonly [4, 3]>) => Tensor<'f32', readonly []>;
declare const lossAux: (p: Params, x: Tensor<'f32', readonly [4, 3]>) => readonly [Tensor<'f32'>, { count: Tensor<'i32'> }];

describe('grad and valueAndGrad', () => {
  it('return the argument tree type', () => {
    expectTypeOf(T.grad(loss)(params, x)).toEqualTypeOf<Params>();
    expectTypeOf(T.grad(loss, { argnums: 1 })(params, x)).toEqualTypeOf<Tensor<'f32', readonly [4, 3]>>();
    expectTypeOf(T.grad(loss, { argnums: [1, 0] })(params, x)).toEqualTypeOf<[Tensor<'f32', readonly [4, 3]>, Params]>();
  });

  it('pair the gradient with aux', () => {
    expectTypeOf(T.grad(lossAux, { hasAux: true })(params, x)).toEqualTypeOf<[Params, { count: Tensor<'i32'> }]>();
    const [value, g] = T.valueAndGrad(lossAux, { hasAux: true })(params, x);
    expectTypeOf(value).toEqualTypeOf<readonly [Tensor<'f32'>, { count: Tensor<'i32'> }]>();
    expectTypeOf(g).toEqualTypeOf<Params>();
  });

  it('infer from an annotated lambda', () => {
    const g = T.grad((p: Params) => T.sum(p.w))(params);
    expectTypeOf(g.w).toEqualTypeOf<Tensor<'f32', readonly [3, 2]>>();
  });

  it('of a jitted function is jitted, with the same types', () => {
    const fast = T.grad(T.jit(loss));
    expectTypeOf(fast(params, x)).toEqualTypeOf<Promise<Params>>();
  });

  it('reject a wrong argument', () => {
    // @ts-expect-error x has the wrong shape type
    T.grad(loss)(params, params.w);
  });
});

describe('vjp, jvp, jit', () => {
  it('vjp returns the output and a pullback typed as the primals', () => {
    const [out, back] = T.vjp(loss, params, x);
    expectTypeOf(out).toEqualTypeOf<Tensor<'f32', readonly []>>();
    expectTypeOf(back(T.scalar(1))).toEqualTypeOf<[Params, Tensor<'f32', readonly [4, 3]>]>();
  });

  it('jvp returns the output type twice', () => {
    const [y, dy] = T.jvp((a: Tensor<'f32'>) => ({ y: T.exp(a) }), [x], [x]);
    expectTypeOf(y).toEqualTypeOf<{ y: Tensor<'f32'> }>();
    expectTypeOf(dy).toEqualTypeOf<{ y: Tensor<'f32'> }>();
  });

  it('jit returns a Promise of the result type', () => {
    const f = T.jit((p: Params, a: Tensor<'f32', readonly [4, 3]>) => ({ y: T.matmul(a, p.w) }));
    expectTypeOf(f(params, x)).toEqualTypeOf<Promise<{ y: Tensor<'f32', readonly [4, 2]> }>>();
  });
});

describe('tree helpers', () => {
  it('keep the tree type', () => {
    expectTypeOf(T.tree.treeMap(params, (l) => T.mul(l, 2))).toEqualTypeOf<Params>();
    expectTypeOf(T.tree.treeZip([params, params], ([a, b]) => T.add(a, b))).toEqualTypeOf<Params>();
    expectTypeOf(T.tree.leaves(params)).toEqualTypeOf<Tensor[]>();
  });
});
