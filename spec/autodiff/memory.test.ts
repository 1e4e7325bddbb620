/**
 * What the backward program stores. vjpIR(ir) is an ordinary IR, so its cost can be read off it:
 * for a linear recurrence the backward pass must be one reversed linear recurrence, keeping
 * only O(activations) from the forward pass (the inputs and the states x_t, O(L·N)), and never
 * the O(L log L) internals of a parallel scan. Sizes are measured at two sequence lengths so that
 * the scaling, not a constant, is what is checked.
 */
import { describe, expect, it } from 'vitest';
import { jvpIR, vjpIR } from '../../compiler/autodiff/transform';
import type { IR, Var } from '../../compiler/ir';
import * as T from '../../src/index';
import type { Tensor } from '../../src/index';
import { matrixProduct, runningSoftmax } from './combines';

const N = 4;
const elements = (v: Var): number => v.aval.shape.reduce((a, b) => a * b, 1) * (v.aval.dtype === 'c64' ? 2 : 1);

/** An S5-like program: a time-invariant complex coefficient, inputs b_t, a real readout and loss. */
const ssmLoss = (lambdaBar: Tensor, b: Tensor, c: Tensor) =>
  T.sum(T.square(T.real(T.mul(T.linearRecurrence(lambdaBar as Tensor<'c64'>, b as Tensor<'c64'>, { axis: 0 }), c as Tensor<'c64'>))));

const forwardIR = (L: number): IR => T.makeIR(ssmLoss)(T.spec([N], 'c64'), T.spec([L, N], 'c64'), T.spec([L, N], 'c64')).ir;

interface Census {
  readonly eqns: number;
  readonly prims: string[];
  readonly largest: number;
  readonly total: number;
  /** Elements of forward-pass values that the backward part reads (what must be stored). */
  readonly residuals: number;
}

function census(L: number): Census {
  const fwd = forwardIR(L);
  const { ir } = vjpIR(fwd);
  const outs = ir.eqns.flatMap((e) => e.outputs);
  const forwardPart = ir.eqns.slice(0, fwd.eqns.length);
  expect(forwardPart.map((e) => e.prim), 'the VJP program starts by replaying the forward pass').toEqual(fwd.eqns.map((e) => e.prim));
  const forwardVars = new Set<Var>([...ir.inVars.slice(0, 3), ...forwardPart.flatMap((e) => e.outputs)]);
  const read = new Set<Var>();
  for (const e of ir.eqns.slice(fwd.eqns.length)) for (const a of e.inputs) if (forwardVars.has(a as Var)) read.add(a as Var);
  return {
    eqns: ir.eqns.length,
    prims: ir.eqns.map((e) => e.prim),
    largest: Math.max(...outs.map(elements)),
    total: outs.reduce((s, v) => s + elements(v), 0),
    residuals: [...read].reduce((s, v) => s + elements(v), 0),
  };
}

describe('memory of the backward pass of a linear recurrence', () => {
  const [short, mid, long] = [census(16), census(32), census(64)];

  it('the backward of linrec is one reversed linrec: two linrec equations in all, no generic scan', () => {
    expect(short.prims.filter((p) => p === 'linrec')).toHaveLength(2);
    expect(short.prims).not.toContain('assoc_scan');
    const { ir } = vjpIR(forwardIR(16));
    const directions = ir.eqns.filter((e) => e.prim === 'linrec').map((e) => (e.params as { reverse: boolean }).reverse);
    expect(directions).toEqual([false, true]);
  });

  it('the program does not grow with the sequence length (same equations at L = 16 and L = 64)', () => {
    expect(long.prims).toEqual(short.prims);
  });

  it('no intermediate is larger than one [L, N] complex array (no O(L log L) scan buffers)', () => {
    expect(short.largest).toBe(16 * N * 2);
    expect(long.largest).toBe(64 * N * 2);
  });

  it('all intermediates together, and the residuals kept from the forward pass, are affine in L (O(L·N), not O(L log L))', () => {
    // From L = 16 to 32 to 64 an affine size exactly doubles its increment; L·log L would not.
    expect(long.total - mid.total).toBe(2 * (mid.total - short.total));
    expect(long.residuals - mid.residuals).toBe(2 * (mid.residuals - short.residuals));
    // The backward part reads a handful of [L, N] arrays of the forward pass (the states x_t,
    // the broadcast coefficient, the readout), a number that does not depend on L.
    expect(long.residuals).toBeLessThanOrEqual(6 * 64 * N * 2);
  });
});

describe('cost of forward mode on generic associative scans', () => {
  const lossOf = (combine: T.Combine) => (...xs: Tensor[]) => T.sum(T.stack(T.associativeScan(combine, xs).map((y) => T.sum(y as Tensor<'f32'>))));
  const scans = (p: IR) => p.eqns.filter((e) => e.prim === 'assoc_scan');
  const widest = (p: IR): number => Math.max(0, ...scans(p).map((e) => e.inputs.length));
  const cases = [
    { name: 'running softmax (k = 2)', combine: runningSoftmax.combine, k: 2 },
    { name: '2×2 matrix product (k = 4)', combine: matrixProduct.combine, k: 4 },
  ];

  it('the VJP of a k-operand scan is one reversed scan over k×k Jacobians and k cotangents (k² + k operands)', () => {
    const ir = T.makeIR(lossOf(runningSoftmax.combine))(T.spec([8]), T.spec([8])).ir;
    expect(widest(vjpIR(ir).ir)).toBe(2 * 2 + 2);
  });

  it.each(cases)('jvp of a k-operand scan is one scan over (value, tangent) pairs, width 2k: $name', ({ combine, k }) => {
    const ir = T.makeIR(lossOf(combine))(...Array.from({ length: k }, () => T.spec([8]))).ir;
    const jvp = jvpIR(ir).ir;
    expect(scans(jvp)).toHaveLength(1);
    expect(widest(jvp)).toBe(2 * k);
    // The scan computes values and tangents together; every other forward equation (the sums,
    // reshapes and concat of the loss) appears twice, once for values and once for tangents:
    // 2n − 1 equations for n forward ones (13 for the softmax scan, 21 for the matrix-product
    // scan, which took 4,069 when forward mode was the transposed reverse mode).
    expect(jvp.eqns.length).toBe(2 * ir.eqns.length - 1);
  });
});
