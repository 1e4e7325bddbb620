/**
 * The S5-style example (examples/s5_style.ts) against a plain loop: ZOH discretisation, the
 * recurrence x_k = Λ̄ x_{k−1} + B̄ u_k and y_k = 2 Re(C̃ x_k) + D u_k written with scalar complex
 * arithmetic. Also: its traced IR type-checks and evaluates to the same values, and the
 * example's main runs.
 */
import { describe, expect, it } from 'vitest';
import { evalIR } from '../../compiler/interpreter/index';
import { discretizeZoh, main, paramSpecs, type S5Params, s5Layer } from '../../examples/s5_style';
import type { Tensor } from '../../src/index';
import * as T from '../../src/index';
import { expectClose } from '../support/compare';
import { cAdd, cDiv, cExp, cMul, cSub, type Cx } from '../support/naive/scalar';
import { type RefArray } from '../support/refArray';
import { seededRng } from '../support/seeded';

const [P, H, L] = [5, 3, 12];

/** Random parameters as plain numbers (c64 interleaved), in S5's ranges. */
function plainParams(seed: number) {
  const rng = seededRng(seed);
  const many = (n: number, f: () => number) => Array.from({ length: n }, f);
  return {
    lambda: many(P, () => 0).flatMap((_, n) => [-0.5, Math.PI * (n + rng.next())]),
    delta: many(P, () => Math.exp(rng.uniform(Math.log(0.001), Math.log(0.1)))),
    bTilde: many(2 * P * H, () => rng.normal() / Math.sqrt(2 * P)),
    cTilde: many(2 * H * P, () => rng.normal() * Math.SQRT1_2),
    d: many(H, () => rng.normal()),
    u: many(L * H, () => rng.normal()),
  };
}
type Plain = ReturnType<typeof plainParams>;

const at = (xs: readonly number[], i: number): Cx => [xs[2 * i], xs[2 * i + 1]];

/** The layer as scalar loops. */
function s5Loop(p: Plain): RefArray {
  const lambdaBar = Array.from({ length: P }, (_, n) => cExp(cMul(at(p.lambda, n), [p.delta[n], 0])));
  const bBar = (n: number, h: number): Cx => cMul(cDiv(cSub(lambdaBar[n], [1, 0]), at(p.lambda, n)), at(p.bTilde, n * H + h));
  let x: Cx[] = Array.from({ length: P }, (): Cx => [0, 0]);
  const y: number[] = [];
  for (let k = 0; k < L; k++) {
    x = x.map((xn, n) => {
      let bu: Cx = [0, 0];
      for (let h = 0; h < H; h++) bu = cAdd(bu, cMul(bBar(n, h), [p.u[k * H + h], 0]));
      return cAdd(cMul(lambdaBar[n], xn), bu);
    });
    for (let h = 0; h < H; h++) {
      let cx: Cx = [0, 0];
      for (let n = 0; n < P; n++) cx = cAdd(cx, cMul(at(p.cTilde, h * P + n), x[n]));
      y.push(2 * cx[0] + p.d[h] * p.u[k * H + h]);
    }
  }
  return { dtype: 'f32', shape: [L, H], data: y };
}

function tensors(p: Plain): { params: S5Params; u: Tensor<'f32'> } {
  return {
    params: {
      lambda: T.tensor(p.lambda, 'c64', [P]),
      delta: T.tensor(p.delta, 'f32', [P]),
      bTilde: T.tensor(p.bTilde, 'c64', [P, H]),
      cTilde: T.tensor(p.cTilde, 'c64', [H, P]),
      d: T.tensor(p.d, 'f32', [H]),
    },
    u: T.tensor(p.u, 'f32', [L, H]),
  };
}

describe('S5-style example', () => {
  it.each([1, 2, 3])('matches the plain loop (seed %i)', (seed) => {
    const p = plainParams(seed);
    const { params, u } = tensors(p);
    expectClose(s5Layer(params, u), s5Loop(p), { rtol: 1e-10, atol: 1e-10 });
  });

  it('discretises by zero-order hold', () => {
    const p = plainParams(4);
    const { lambdaBar, bBar } = discretizeZoh(tensors(p).params);
    const lb = Array.from({ length: P }, (_, n) => cExp(cMul(at(p.lambda, n), [p.delta[n], 0])));
    expectClose(lambdaBar, { dtype: 'c64', shape: [P], data: lb.flat() }, { rtol: 1e-12, atol: 1e-14 });
    // |Λ̄| = exp(Re Λ · Δ) < 1: the discretised system is stable.
    expect(Array.from(T.abs(lambdaBar).data64()).every((m) => m < 1)).toBe(true);
    expect(bBar.shape).toEqual([P, H]);
  });

  it('traces to an IR that type-checks, uses matmul, exp and the linear recurrence, and evaluates to the same values', () => {
    const program = T.makeIR(s5Layer)(paramSpecs(P, H), T.spec([L, H]));
    T.typecheck(program.ir);
    const prims = program.ir.eqns.map((e) => e.prim);
    for (const prim of ['exp', 'matmul', 'linrec', 'real'] as const) expect(prims).toContain(prim);
    const p = plainParams(5);
    const { params, u } = tensors(p);
    // Inputs in the order of the flattened arguments: record keys sorted, then u.
    const args = [params.bTilde, params.cTilde, params.d, params.delta, params.lambda, u].map((t) => t.value());
    const [y] = evalIR(program.ir, program.consts.map((t) => t.value()), args);
    expectClose({ dtype: y.dtype, shape: y.shape, data: Array.from(y.data) }, s5Loop(p), { rtol: 1e-10, atol: 1e-10 });
  });

  it("the example's main prints the IR and returns a finite f32[16,3] output", () => {
    const lines: string[] = [];
    const y = main((line) => lines.push(line));
    expect(lines.join('\n')).toContain('linrec[axis=0 reverse=false]');
    expect(y.shape).toEqual([16, 3]);
    expect(Array.from(y.data64()).every(Number.isFinite)).toBe(true);
  });
});
