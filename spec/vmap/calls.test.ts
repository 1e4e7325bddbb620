/**
 * vmap of the call primitives (checkpoint, customVjp, customJvp) and of stopGradient: values
 * against a loop over the batch, and gradients through the batched call against closed forms,
 * so a batched call that dropped the user's rule (and differentiated the body instead) fails.
 */
import { describe, expect, it } from 'vitest';
import * as T from '../../src/index';
import type { Tensor } from '../../src/index';

type F = Tensor<'f32'>;
import { expectClose, loopMap } from './support';

const B = 3;
const xs = T.tensor([[0.3, -1.2, 0.7], [1.5, 0.2, -0.4], [-0.9, 0.6, 1.1]], 'f32');
const w = T.tensor([0.5, -2.0, 1.25], 'f32');

/** sin with a deliberately scaled rule: d/dx = 3·cos(x), so only the rule can produce it. */
const scaledSinVjp = T.customVjp(
  (x: F) => T.sin(x),
  ([x], _out, ct) => [T.mul(T.mul(ct as unknown as F, T.cos(x as F)), 3)],
);
const scaledSinJvp = T.customJvp(
  (x: F) => T.sin(x),
  ([x], [t]) => [T.sin(x), T.mul(T.mul(t as F, T.cos(x)), 3)],
);

describe('vmap of calls', () => {
  it('checkpoint: values equal the loop over the batch; gradients equal the unwrapped function', () => {
    const body = (x: F, v: F) => T.sum(T.mul(T.tanh(T.mul(x, v)), x));
    const f = (x: F) => T.checkpoint(body)(x, w);
    expectClose(T.vmap(f)(xs), loopMap(f as never, [xs], [0], B));
    const g = T.grad((x: F) => T.sum(T.vmap(f)(x)))(xs);
    const plain = T.grad((x: F) => T.sum(T.vmap((y: F) => body(y, w))(x)))(xs);
    expectClose(g, plain, { rtol: 1e-5, atol: 1e-6 });
  });

  it('checkpoint capturing a batched value', () => {
    const f = (x: F) => T.checkpoint((y: F) => T.mul(T.exp(y), x))(T.mul(x, 2));
    expectClose(T.vmap(f)(xs), loopMap(f as never, [xs], [0], B));
  });

  it('customVjp: the batched call keeps the user rule (gradient 3·cos x)', () => {
    expectClose(T.vmap(scaledSinVjp)(xs), loopMap(scaledSinVjp as never, [xs], [0], B));
    const g = T.grad((x: F) => T.sum(T.vmap(scaledSinVjp)(x)))(xs);
    expectClose(g, T.mul(T.cos(xs), 3), { rtol: 1e-5, atol: 1e-6 });
    const gAxis1 = T.grad((x: F) => T.sum(T.vmap(scaledSinVjp, { inAxes: 1 })(x)))(xs);
    expectClose(gAxis1, T.mul(T.cos(xs), 3), { rtol: 1e-5, atol: 1e-6 });
  });

  it('customJvp: the batched call keeps the user rule, forward and reverse', () => {
    expectClose(T.vmap(scaledSinJvp)(xs), loopMap(scaledSinJvp as never, [xs], [0], B));
    const ones = T.ones(xs.shape);
    const [, tangent] = T.jvp((x: F) => T.vmap(scaledSinJvp)(x), [xs], [ones]) as [Tensor, Tensor];
    expectClose(tangent, T.mul(T.cos(xs), 3), { rtol: 1e-5, atol: 1e-6 });
    const g = T.grad((x: F) => T.sum(T.vmap(scaledSinJvp)(x)))(xs);
    expectClose(g, T.mul(T.cos(xs), 3), { rtol: 1e-5, atol: 1e-6 });
  });

  it('stopGradient under vmap: value unchanged, gradient zero through it', () => {
    const f = (x: F) => T.add(T.mul(T.stopGradient(x), x), T.mul(x, 0));
    expectClose(T.vmap(f)(xs), loopMap(f as never, [xs], [0], B));
    const g = T.grad((x: F) => T.sum(T.vmap(f)(x)))(xs);
    expectClose(g, xs, { rtol: 1e-6, atol: 1e-7 });
  });

  it('jit(vmap(customVjp)) keeps the rule', async () => {
    const g = T.jit(T.grad((x: F) => T.sum(T.vmap(scaledSinVjp)(x))));
    const out = await g(xs);
    expect(out.shape).toEqual([B, 3]);
    expectClose(out, T.mul(T.cos(xs), 3), { rtol: 1e-5, atol: 1e-6 });
  });
});
