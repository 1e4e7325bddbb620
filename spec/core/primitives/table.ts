/**
 * PRIMITIVE_TABLE: one test record per primitive of compiler/primitives.ts. Its type is a
 * mapped type over `Prim`, so adding a primitive without a record here is a compile error.
 * `summarizeTable()` lists, per primitive, the public entry point, the dtypes exercised and
 * the independent reference.
 */
import type { Prim } from '../../../compiler/primitives';
import { callRecords } from './calls';
import { elementwiseRecords } from './elementwise';
import { reductionRecords } from './reductions';
import { scanRecords } from './scans';
import { spectralRecords } from './spectral';
import { structuralRecords } from './structural';
import type { PrimitiveTable, PrimRecord } from './types';

export const PRIMITIVE_TABLE: PrimitiveTable = {
  ...elementwiseRecords,
  ...structuralRecords,
  ...reductionRecords,
  ...scanRecords,
  ...spectralRecords,
  ...callRecords,
};

export const PRIMS = Object.keys(PRIMITIVE_TABLE) as Prim[];

export const recordOf = <P extends Prim>(p: P): PrimRecord<P> => PRIMITIVE_TABLE[p] as PrimRecord<P>;

/** One line per primitive: name | entry point | dtypes | reference. */
export function summarizeTable(): string[] {
  return PRIMS.map((p) => {
    const r = recordOf(p);
    return `${p} | ${r.via} | ${r.dtypes.join(', ')} | ${r.reference}`;
  });
}
