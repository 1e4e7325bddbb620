/**
 * From data batches (src/data, typed arrays) to the tensors a step consumes: inputs f32[B, L, C]
 * or token ids i32[B, L], targets (labels i32[B] or values f32[B, dim]), lengths i32[B] for
 * padded tasks, and per-row weights f32[B].
 *
 * Evaluation batches are padded to the full batch size by repeating their first row with
 * weight 0, so every batch of a run has the same shapes and a compiled step is reused instead
 * of compiled again for the last, smaller batch.
 */
import * as T from '../index';
import { type Dataset, takeRows } from '../data/dataset';
import type { TargetTensors } from './loss';

export interface BatchTensors {
  readonly inputs: T.Tensor;
  /** Absent for datasets without targets (prediction inputs). */
  readonly targets?: TargetTensors;
  readonly lengths?: T.Tensor<'i32'>;
  /** 1 for real rows, 0 for padding rows. */
  readonly weights: T.Tensor<'f32'>;
}

/** The rows of `batch` repeated (row 0) up to `size` rows; `real` says how many are genuine. */
function padRows(batch: Dataset, size: number): { rows: Dataset; real: number } {
  if (batch.size >= size) return { rows: batch, real: batch.size };
  if (batch.size === 0) throw new RangeError(`batch of "${batch.name}" is empty`);
  const order = Int32Array.from({ length: size }, (_, i) => (i < batch.size ? i : 0));
  return { rows: takeRows(batch, order, batch.name), real: batch.size };
}

/** Tensors of a batch, padded to `padTo` rows when given. */
export function batchTensors(batch: Dataset, padTo?: number): BatchTensors & { readonly real: number } {
  const { rows, real } = padTo === undefined ? { rows: batch, real: batch.size } : padRows(batch, padTo);
  const B = rows.size;
  const L = rows.seqLen;
  const inputs =
    rows.inputs.kind === 'float'
      ? T.tensor(rows.inputs.data, 'f32', [B, L, rows.inputs.channels])
      : T.tensor(rows.inputs.data, 'i32', [B, L]);
  const t = rows.targets;
  const targets: TargetTensors | undefined =
    t.kind === 'classes'
      ? { kind: 'classes', labels: T.tensor(t.labels, 'i32', [B]) }
      : t.kind === 'regression'
        ? { kind: 'regression', values: T.tensor(t.values, 'f32', [B, t.dim]) }
        : undefined;
  const weights = T.tensor(Float32Array.from({ length: B }, (_, i) => (i < real ? 1 : 0)), 'f32', [B]);
  return {
    inputs,
    ...(targets ? { targets } : {}),
    ...(rows.lengths ? { lengths: T.tensor(rows.lengths, 'i32', [B]) } : {}),
    weights,
    real,
  };
}
