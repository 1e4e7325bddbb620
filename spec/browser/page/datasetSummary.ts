/** A dataset's sizes, its targets, and a position-weighted checksum of its inputs: equal summaries mean equal datasets (up to a checksum collision). */
import type { Dataset } from '../../../src/data/dataset';

export interface DatasetSummary {
  readonly name: string;
  readonly size: number;
  readonly seqLen: number;
  readonly kind: string;
  readonly checksum: number;
  readonly targets: number[];
  readonly lengths?: number[];
}

export function datasetSummary(d: Dataset): DatasetSummary {
  let checksum = 0;
  const data = d.inputs.data;
  for (let i = 0; i < data.length; i++) checksum = (checksum + Math.fround(data[i]) * ((i % 9973) + 1)) % 1e9;
  const t = d.targets;
  const targets: number[] = t.kind === 'classes' ? Array.from(t.labels) : t.kind === 'regression' ? Array.from(t.values) : [];
  return { name: d.name, size: d.size, seqLen: d.seqLen, kind: d.inputs.kind, checksum, targets, ...(d.lengths ? { lengths: Array.from(d.lengths) } : {}) };
}
