/**
 * Every primitive, differentiated: for each case of PRIMITIVE_CASES, (a) jvp and vjp against
 * central finite differences in random directions, (b) the dot-product identity
 * ⟨vjp(ct), t⟩ = ⟨ct, jvp(t)⟩ under the real inner product Re(conj(a)·b), and (c) the full
 * Jacobian built column by column with jvp, row by row with vjp, and by finite differences.
 * Cases marked zero (comparisons, argmax, floor, sign, not/and/or, random bits, truncating
 * casts) must give exactly zero cotangents and tangents.
 */
import { describe, expect, it } from 'vitest';
import type { Prim } from '../../compiler/primitives';
import { PRIMITIVE_CASES, type PrimCase } from './primitiveCases';
import { checkAgainstFiniteDifferences, checkDotProductIdentity, checkJacobians, checkZeroDerivative, randomTensor, seeded, usesPrimitive } from './support';

const inputsOf = (c: PrimCase, seed: number) => {
  const r = seeded(seed);
  return { r, xs: c.args.map((a) => randomTensor(r, a)) };
};

const prims = Object.keys(PRIMITIVE_CASES) as Prim[];

describe('the primitive case table', () => {
  it.each(prims)('%s has at least one case, and every case applies it', (prim) => {
    const cases = PRIMITIVE_CASES[prim];
    expect(cases.length).toBeGreaterThan(0);
    for (const c of cases) expect(usesPrimitive(c.f, inputsOf(c, 1).xs, prim), c.label).toBe(true);
  });
});

prims.forEach((prim, pi) => {
  describe(prim, () => {
    PRIMITIVE_CASES[prim].forEach((c, ci) => {
      const seed = 1000 * pi + ci;
      if (c.zero) {
        it(`${c.label}: zero cotangents and tangents (not differentiable)`, () => {
          const { r, xs } = inputsOf(c, seed);
          checkZeroDerivative(c.f, xs, r, c.varies);
        });
        return;
      }
      it(`${c.label}: jvp and vjp match finite differences`, () => {
        const { r, xs } = inputsOf(c, seed);
        checkAgainstFiniteDifferences(c.f, xs, r);
      });
      it(`${c.label}: ⟨vjp(ct), t⟩ = ⟨ct, jvp(t)⟩`, () => {
        const { r, xs } = inputsOf(c, seed);
        checkDotProductIdentity(c.f, xs, r);
      });
      it(`${c.label}: Jacobian forward = reverse = finite differences`, () => {
        const { xs } = inputsOf(c, seed);
        checkJacobians(c.f, xs);
      });
    });
  });
});
