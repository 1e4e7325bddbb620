/**
 * Every primitive compiled with jit, on every available backend, against the reference
 * interpreter evaluating the same function eagerly in float64 (JIT_PRIMITIVE_CASES: scalars,
 * size-1 axes, non-power-of-two lengths, real and complex where the primitive allows).
 *
 * Float32 tolerances (TOLERANCES.md has the reasoning). Element i passes when
 *   |jit_i − interp_i| <= rtol·|interp_i| + atol·max(1, max_j |interp_j|):
 *   - exact (rtol 0, atol 0): views, comparisons, select, casts, floor, sign, argmax, max,
 *     integer arithmetic: the same float32 inputs give the same bits;
 *   - stored (rtol 2^-24): exact integers above 2^24 (random bits) rounded into float32 buffers;
 *   - arith (1e-6, 1e-6): one rounded operation (+ − × ÷, complex products, |z|);
 *   - transcendental (1e-5, 1e-5): exp, log, sin, cos, tanh, logistic, erf, pow, atan2;
 *   - sums of n terms (reductions, matmul, scans, scatter_add): rtol 1e-5, atol max(1e-6, 32n·2^-24);
 *   - direct DFTs of length n: rtol 1e-5, atol max(1e-5, 2e-6·n).
 * Each case also checks that the primitive survives the pass pipeline into the compiled IR, so
 * the comparison exercises that primitive's code generation (stop_gradient and the calls, which
 * the pipeline removes or inlines, are checked to be gone). Cases exposing an open defect
 * (knownDefects.ts) run as expected failures on the backends it affects.
 */
import { describe, expect, it } from 'vitest';
import type { Prim } from '../../compiler/primitives';
import type { Tensor } from '../../src/index';
import { describeEachBackend } from './backends';
import { itUnless } from './knownDefects';
import { randomArgs } from './inputs';
import { expectJitMatchesInterpreter } from './oracle';
import { JIT_PRIMITIVE_CASES } from './primitiveCases';

const PRIMS = Object.keys(JIT_PRIMITIVE_CASES) as Prim[];

/** Primitives the pass pipeline removes by design (stop_gradient and calls only matter to differentiation). */
const REMOVED_BY_PASSES: ReadonlySet<Prim> = new Set<Prim>(['stop_gradient', 'custom_vjp', 'custom_jvp', 'checkpoint']);

describe('the jit primitive table', () => {
  it.each(PRIMS)('%s has at least one case', (prim) => {
    expect(JIT_PRIMITIVE_CASES[prim].length).toBeGreaterThan(0);
  });
});

describeEachBackend('jit(primitive) = interpreter', (backend) => {
  PRIMS.forEach((prim, pi) => {
    describe(prim, () => {
      JIT_PRIMITIVE_CASES[prim].forEach((c, ci) => {
        (c.defect ? itUnless(c.defect, backend) : it)(c.label, async () => {
          const xs = randomArgs(7919 * pi + ci, c.args);
          const compiled = await expectJitMatchesInterpreter(c.f, xs, backend, c.tol, c.label);
          const lowered = await compiled.lower(...(xs as Tensor[]));
          const prims = lowered.ir.eqns.map((e) => e.prim);
          if (REMOVED_BY_PASSES.has(prim)) expect(prims, `${prim} is removed before lowering`).not.toContain(prim);
          else expect(prims, `${prim} is in the compiled IR`).toContain(prim);
        });
      });
    });
  });
});
