/**
 * Runs PRIMITIVE_TABLE (spec/core/primitives/table.ts): every primitive, at every dtype it
 * accepts, on shapes with size-1 and empty axes and with special values, evaluated eagerly
 * through its public op (the reference interpreter) and compared with an independent plain-TS
 * reference. Each case is also traced: the IR must contain the primitive and type-check, and
 * evaluating the traced IR must give the same reference values. Dtypes a primitive rejects must raise a
 * ShapeDtypeError naming it. Cases marked as known defects run as expected failures.
 */
import { describe, expect, it } from 'vitest';
import { ShapeDtypeError } from '../../compiler/errors';
import { evalIR } from '../../compiler/interpreter/index';
import type { Prim } from '../../compiler/primitives';
import { bind } from '../../compiler/tracer';
import type { Tensor } from '../../src/index';
import * as T from '../../src/index';
import { expectClose } from '../support/compare';
import { type RefArray, toTensor } from '../support/refArray';
import { seededRng } from '../support/seeded';
import { PRIMS, recordOf, summarizeTable } from './primitives/table';
import type { PrimCase } from './primitives/types';

const seedOf = (s: string): number => [...s].reduce((h, ch) => Math.imul(h ^ ch.charCodeAt(0), 16777619) >>> 0, 2166136261);
const asList = (r: Tensor | readonly Tensor[]): readonly Tensor[] => (Array.isArray(r) ? r : [r as Tensor]);

function checkOutputs(prim: Prim, c: PrimCase, outs: readonly { dtype: string }[], values: readonly RefArray[] | readonly Tensor[], how: string): void {
  expect(outs.length, `${prim} ${c.label}: number of outputs (${how})`).toBe(c.expected.length);
  values.forEach((v, i) => expectClose(v, c.expected[i], c.tol, `${prim} ${c.label} output ${i} (${how})`));
}

function runCase(prim: Prim, c: PrimCase): void {
  const eager = asList(c.apply(c.inputs.map(toTensor)));
  checkOutputs(prim, c, eager, eager, 'eager');

  const args = c.inputs.map(toTensor);
  const traced = T.makeIR((...xs: Tensor[]) => c.apply(xs))(...args);
  expect(traced.ir.eqns.map((e) => e.prim), `${prim} ${c.label}: the traced IR binds ${prim}`).toContain(prim);
  T.typecheck(traced.ir);
  const values = evalIR(traced.ir, traced.consts.map((t) => t.value()), args.map((t) => t.value()));
  const refs = values.map((v): RefArray => ({ dtype: v.dtype, shape: [...v.shape], data: Array.from(v.data) }));
  checkOutputs(prim, c, refs, refs, 'traced, then interpreted');
}

describe.each(PRIMS)('primitive %s', (prim) => {
  const record = recordOf(prim);

  for (const dtype of record.dtypes) {
    const cases = record.cases(seededRng(seedOf(`${prim}/${dtype}`)), dtype);
    for (const c of cases) {
      if (c.knownBug) it.fails(`${dtype} ${c.label} [known defect: ${c.knownBug}]`, () => runCase(prim, c));
      else it(`${dtype} ${c.label}`, () => runCase(prim, c));
    }
  }

  const rejects = record.rejects;
  if (rejects && rejects.dtypes.length > 0) {
    it(`rejects ${rejects.dtypes.join(', ')} with a ShapeDtypeError naming ${prim}`, () => {
      for (const d of rejects.dtypes) {
        const operands = rejects.operands(d).map(toTensor);
        let error: unknown;
        try {
          bind(prim, operands, rejects.params as never);
        } catch (e) {
          error = e;
        }
        expect(error, `${prim} on ${d}`).toBeInstanceOf(ShapeDtypeError);
        expect((error as Error).message.startsWith(`${prim}:`)).toBe(true);
        expect((error as Error).message).toContain(d);
      }
    });
  }
});

describe('the primitive table', () => {
  it('has a record, an entry point and a reference for every primitive', () => {
    const lines = summarizeTable();
    expect(lines).toHaveLength(PRIMS.length);
    for (const p of PRIMS) {
      const r = recordOf(p);
      expect(r.via.length, p).toBeGreaterThan(0);
      expect(r.reference.length, p).toBeGreaterThan(0);
      expect(r.dtypes.length, p).toBeGreaterThan(0);
    }
  });

  it('exercises an empty axis and a size-1 axis for every shape-polymorphic primitive', () => {
    const fixedShape = new Set<Prim>(['random_bits', 'irfft', 'rfft']);
    for (const p of PRIMS.filter((q) => !fixedShape.has(q))) {
      const r = recordOf(p);
      const shapes = r.dtypes.flatMap((d) => r.cases(seededRng(1), d)).flatMap((c) => [...c.inputs.map((x) => x.shape), ...c.expected.map((x) => x.shape)]);
      expect(shapes.some((s) => s.includes(0)), `${p}: an empty axis`).toBe(true);
      expect(shapes.some((s) => s.includes(1) || s.length === 0), `${p}: a size-1 axis or a scalar`).toBe(true);
    }
  });
});
