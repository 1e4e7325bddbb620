/**
 * Composition stress: random programs of 5–15 ops (elementwise, broadcasting, reductions,
 * matmul, transposes, gathers, scans, FFTs) drawn by fast-check as a DAG over [3,3] tensors.
 * On each, f, grad, valueAndGrad, vjp and jvp must agree with each other, and with central
 * finite differences of f. Ops are kept bounded (tanh-squashed, scaled by 1/3) so that long
 * chains stay well conditioned.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import * as T from '../../src/index';
import type { Tensor } from '../../src/index';
import {
  centralDifference,
  checkDotProductIdentity,
  dot,
  expectAllClose,
  expectNear,
  jvpOf,
  randomTensor,
  realsOf,
  seeded,
  vjpOf,
} from './support';
import { tropical } from './combines';

const F = (x: Tensor): Tensor<'f32'> => x as Tensor<'f32'>;
const N = 3;

interface Step {
  readonly op: OpName;
  /** Operand picks, taken modulo the number of nodes built so far. */
  readonly i: number;
  readonly j: number;
  readonly axis: 0 | 1;
  readonly reverse: boolean;
}

type Binary = (a: Tensor<'f32'>, b: Tensor<'f32'>, s: Step) => Tensor;

const gatherRows = T.tensor([2, 0, 2], 'i32');

/** Every op maps two [3,3] f32 nodes (the second sometimes unused) to a new [3,3] f32 node. */
const OPS = {
  sin: (a) => T.sin(a),
  tanh: (a) => T.tanh(a),
  logistic: (a) => T.sigmoid(a),
  rational: (a) => T.div(a, T.add(T.square(a), 1)),
  expTanh: (a) => T.exp(T.tanh(a)),
  add: (a, b) => T.mul(T.add(a, b), 0.5),
  sub: (a, b) => T.mul(T.sub(a, b), 0.5),
  mul: (a, b) => T.mul(a, b),
  div: (a, b) => T.div(a, T.add(T.square(b), 1)),
  maximum: (a, b) => T.maximum(a, b),
  matmul: (a, b) => T.mul(T.matmul(a, b), 1 / N),
  matmulT: (a, b) => T.mul(T.matmul(a, T.mT(b)), 1 / N),
  transpose: (a) => T.transpose(a),
  centre: (a, _, s) => T.sub(a, T.mean(a, { axis: s.axis, keepdims: true })),
  rowScale: (a, b) => T.mul(a, T.tanh(T.sum(b, { axis: 0 }))),
  logSoftmax: (a, _, s) => T.logSoftmax(s.axis)(a),
  maxScale: (a, b, s) => T.mul(a, T.max(b, { axis: s.axis, keepdims: true })),
  cumsum: (a, _, s) => T.mul(T.cumsum(a, { axis: s.axis, reverse: s.reverse }), 1 / N),
  linrec: (a, b, s) => T.linearRecurrence(T.mul(T.tanh(a), 0.9), b, { axis: s.axis, reverse: s.reverse }),
  tropicalScan: (a, b, s) => T.mul(F(T.associativeScan(tropical.combine, [a, b], { axis: s.axis, reverse: s.reverse })[1]), 1 / N),
  fftConv: (a, b) => T.mul(T.irfft(T.mul(T.rfft(a), T.rfft(b)), N), 1 / N),
  fftMix: (a, b) => T.mul(T.real(T.fft(T.complex(a, b))), 1 / N),
  take: (a, _, s) => T.take(a, gatherRows, s.axis),
  reverse: (a, _, s) => T.reverse(a, s.axis),
  shiftPad: (a) => T.pad(T.slice(a, [[0, N - 1], null]), [[1, 0], [0, 0]]),
  select: (a, b) => T.where(T.greater(a, b), T.square(a), b),
} satisfies Record<string, Binary>;

type OpName = keyof typeof OPS;
const OP_NAMES = Object.keys(OPS) as OpName[];

const stepArb: fc.Arbitrary<Step> = fc.record({
  op: fc.constantFrom(...OP_NAMES),
  i: fc.nat(20),
  j: fc.nat(20),
  axis: fc.constantFrom(0 as const, 1 as const),
  reverse: fc.boolean(),
});
const programArb = fc.array(stepArb, { minLength: 5, maxLength: 15 });

/** The DAG as a function of its two inputs; every node feeds the output so that every op matters. */
function buildProgram(steps: readonly Step[], weights: readonly Tensor[]) {
  const nodes = (x0: Tensor, x1: Tensor): Tensor<'f32'>[] => {
    const out = [F(x0), F(x1)];
    for (const s of steps) out.push(F(OPS[s.op](out[s.i % out.length], out[s.j % out.length], s)));
    return out;
  };
  const last = (x0: Tensor, x1: Tensor): Tensor => {
    const ns = nodes(x0, x1);
    return ns[ns.length - 1];
  };
  const loss = (x0: Tensor, x1: Tensor): Tensor =>
    T.sum(T.stack(nodes(x0, x1).map((n, k) => T.sum(T.mul(T.tanh(n), F(weights[k % weights.length]))))));
  return { last, loss };
}

describe('random composite programs: f, grad, vjp and jvp agree', () => {
  const r = seeded(2024);
  const weights = Array.from({ length: 4 }, () => randomTensor(r, { shape: [N, N], dtype: 'f32' }));
  const opsRun = new Set<OpName>();

  it('scalar loss: valueAndGrad = (f, grad), vjp(1) = grad, jvp(t) = ⟨grad, t⟩ ≈ finite differences', () => {
    fc.assert(
      fc.property(programArb, fc.integer({ min: 0, max: 1e6 }), (steps, seed) => {
        steps.forEach((st) => opsRun.add(st.op));
        const { loss } = buildProgram(steps, weights);
        const rr = seeded(seed);
        const xs = [0, 1].map(() => randomTensor(rr, { shape: [N, N], dtype: 'f32' }));
        const ts = [0, 1].map(() => randomTensor(rr, { shape: [N, N], dtype: 'f32' }));
        const value = loss(xs[0], xs[1]).item() as number;
        const [v, grads] = T.valueAndGrad(loss, { argnums: [0, 1] })(xs[0], xs[1]) as [Tensor, Tensor[]];
        expectNear(v.item() as number, value, 1e-13, 'valueAndGrad value vs f');
        const g2 = T.grad(loss, { argnums: [0, 1] })(xs[0], xs[1]) as Tensor[];
        grads.forEach((g, k) => expectAllClose(realsOf(g2[k]), realsOf(g), 1e-13, `grad vs valueAndGrad, argument ${k}`));
        const back = vjpOf(loss, xs, T.scalar(1));
        back.forEach((g, k) => expectAllClose(realsOf(g), realsOf(grads[k]), 1e-13, `vjp(1) vs grad, argument ${k}`));
        const directional = dot(grads, ts);
        expectNear(jvpOf(loss, xs, ts).item() as number, directional, 1e-10, 'jvp(t) vs ⟨grad, t⟩', Math.sqrt(dot(grads, grads) * dot(ts, ts)));
        expectNear(centralDifference(loss, xs, ts).item() as number, directional, 1e-6, 'finite differences vs ⟨grad, t⟩');
      }),
      { seed: 11, numRuns: 20 },
    );
  });

  it('matrix output: ⟨vjp(ct), t⟩ = ⟨ct, jvp(t)⟩, and jvp(t) ≈ finite differences', () => {
    fc.assert(
      fc.property(programArb, fc.integer({ min: 0, max: 1e6 }), (steps, seed) => {
        steps.forEach((st) => opsRun.add(st.op));
        const { last } = buildProgram(steps, weights);
        const rr = seeded(seed);
        const xs = [0, 1].map(() => randomTensor(rr, { shape: [N, N], dtype: 'f32' }));
        checkDotProductIdentity(last, xs, rr);
        const ts = [0, 1].map(() => randomTensor(rr, { shape: [N, N], dtype: 'f32' }));
        expectAllClose(realsOf(jvpOf(last, xs, ts)), realsOf(centralDifference(last, xs, ts)), 1e-6, 'jvp vs finite differences');
      }),
      { seed: 12, numRuns: 20 },
    );
  });

  it('the runs above exercised every op of the generator', () => {
    expect([...opsRun].sort()).toEqual([...OP_NAMES].sort());
  });
});
