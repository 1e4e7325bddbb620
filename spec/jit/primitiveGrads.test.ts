/**
 * Every primitive's VJP, compiled: for each program of the autodiff case table
 * (spec/autodiff/primitiveCases.ts, one or more per primitive, f32 and c64), the gradient of
 * the real loss L(x) = Σ Re(conj(ct) · f(x)) for a fixed random cotangent ct is computed by
 * jit(grad(L)) on every available backend and by grad(L) in the reference interpreter.
 *
 * On the backends with slow shader compilers (webgpu, headless-gl: tens to hundreds of ms per
 * kernel) the first case of each primitive runs; cpu and webasm run every case.
 *
 * Float32 tolerances (TOLERANCES.md): a gradient is the forward and adjoint operations
 * chained, so rtol 1e-4, atol 1e-4 relative to the largest gradient entry (atol grows with the
 * number of summed terms). Cases whose derivative is zero by construction (comparisons,
 * argmax, floor, sign, truncating casts, random bits) must give exactly zero.
 */
import { describe, it } from 'vitest';
import type { Prim } from '../../compiler/primitives';
import * as T from '../../src/index';
import type { Tensor } from '../../src/index';
import { PRIMITIVE_CASES } from '../autodiff/primitiveCases';
import { seededRng } from '../support/seeded';
import { describeEachBackend, isSlowCompiler } from './backends';
import { randomArg } from './inputs';
import { expectJitMatchesInterpreter, lossAlong } from './oracle';
import { gradTol, TOL } from './tolerances';

const PRIMS = Object.keys(PRIMITIVE_CASES) as Prim[];


describeEachBackend('jit(grad(primitive)) = interpreter grad', (backend) => {
  PRIMS.forEach((prim, pi) => {
    describe(prim, () => {
      const cases = isSlowCompiler(backend) ? PRIMITIVE_CASES[prim].slice(0, 1) : PRIMITIVE_CASES[prim];
      cases.forEach((c, ci) => {
        it(c.label, async () => {
          const r = seededRng(104729 * pi + ci);
          const xs = c.args.map((a) => randomArg(r, { shape: a.shape, dtype: a.dtype, domain: a.domain }));
          const out = c.f(...xs);
          const ct = randomArg(r, { shape: out.shape, dtype: out.dtype });
          const argnums = xs.map((_, i) => i);
          const g = T.grad(lossAlong(c.f, ct), { argnums });
          const terms = Math.max(...xs.map((x) => x.size), out.size);
          await expectJitMatchesInterpreter(g, xs, backend, c.zero ? TOL.exact : gradTol(terms), c.label);
        });
      });
    });
  });
});
