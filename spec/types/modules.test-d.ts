/**
 * Compile-time checks of the subpath modules: fit returns the parameter and state types of its
 * init, optimizer updates keep the parameter tree type, layers keep f32.
 */
import { describe, expectTypeOf, it } from 'vitest';
import type { Tensor } from '../../src/index';
import * as T from '../../src/index';
import { BatchNorm, Dense, type BatchNormStats } from '../../src/api/nn';
import { adamw, applyUpdates } from '../../src/api/optim';
import { fit } from '../../src/api/train';

interface Params {
  readonly w: Tensor<'f32'>;
}
declare const params: Params;
declare const grads: Params;
declare const x: Tensor<'f32'>;

describe('subpath module types', () => {
  it('fit returns the init types', () => {
    const run = () =>
      fit({
        init: { params, state: { count: T.scalar(0) } },
        loss: (p: Params, s: { count: Tensor<'f32', readonly []> }, b: Tensor<'f32'>) => ({ loss: T.sum(T.mul(p.w, b)), state: s }),
        optimizer: adamw(0.1),
        trainBatches: () => [] as Tensor<'f32'>[],
        epochs: 1,
      });
    expectTypeOf<Awaited<ReturnType<typeof run>>['params']>().toEqualTypeOf<Params>();
    expectTypeOf<Awaited<ReturnType<typeof run>>['state']>().toEqualTypeOf<{ count: Tensor<'f32', readonly []> }>();
  });

  it('optimizer updates keep the tree type', () => {
    const opt = adamw(0.1);
    const r = opt.update(grads, opt.init(params), params);
    expectTypeOf(r.updates).toEqualTypeOf<Params>();
    expectTypeOf(applyUpdates(params, r.updates)).toEqualTypeOf<Params>();
  });

  it('layers take and give f32; BatchNorm returns its state', () => {
    expectTypeOf(Dense.apply(Dense.init(T.random.key(0), 2, 3), x)).toEqualTypeOf<Tensor<'f32'>>();
    const bn = BatchNorm.init(3);
    expectTypeOf(BatchNorm.apply(bn.params, bn.state, x, { train: true }).state).toEqualTypeOf<BatchNormStats>();
  });
});
