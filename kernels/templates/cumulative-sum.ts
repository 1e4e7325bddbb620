/**
 * Cumulative sum along an axis (inclusive, optionally reversed) of real or
 * complex data: the tree scan with addition as the operator.
 */
import { type Epilogue, type Operand } from '../operand';
import { PlanBuilder } from '../plan';
import { associativeScan } from './associative-scan';

export interface CumulativeSumOptions {
  readonly name?: string;
  readonly input: Operand;
  readonly axis: number;
  readonly reverse?: boolean;
  readonly fanout?: number;
  readonly epilogue?: Epilogue;
}

export function cumulativeSum(builder: PlanBuilder, opts: CumulativeSumOptions): Operand {
  const { input } = opts;
  const complex = input.dtype === 'c64';
  return associativeScan(builder, {
    name: opts.name ?? 'cumsum',
    shape: input.shape,
    axis: opts.axis,
    reverse: opts.reverse,
    fanout: opts.fanout,
    epilogue: opts.epilogue,
    bindings: input.bindings,
    components: complex ? 2 : 1,
    element: (coords) => (complex ? [input.read(coords, 're'), input.read(coords, 'im')] : [input.read(coords, 're')]),
    combine: (l, r) => l.map((x, i) => `${x} + ${r[i]}`),
    output: complex ? { components: [0, 1], dtype: 'c64' } : { components: [0], dtype: 'f32' },
  });
}
