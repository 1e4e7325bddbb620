/**
 * Gather (numpy `take` along an axis): with input shape
 * [...pre, D, ...post] and integer-valued f32 indices of shape I,
 *
 *   out[...p, ...i, ...q] = in[...p, idx[...i], ...q],   shape [...pre, ...I, ...post]
 *
 * Negative indices count from the end (idx + D). Kernels cannot raise, so an
 * index outside [-D, D) is clamped into range on the device; validate host
 * index arrays with `checkGatherIndices` to get an error naming the bad one.
 */
import { type Epilogue, type Operand, identityEpilogue } from '../operand';
import { PlanBuilder, assertCallerBindings, mergeBindings } from '../plan';
import { exactInteger, indexLiteral } from '../source';
import { elementwise } from './elementwise';

export interface GatherOptions {
  readonly name?: string;
  readonly input: Operand;
  /** f32 operand holding integer values. */
  readonly indices: Operand;
  readonly axis: number;
  readonly epilogue?: Epilogue;
}

/** Throws naming the first index outside [-extent, extent) or not an integer. */
export function checkGatherIndices(indices: ArrayLike<number>, extent: number, where = 'gather'): void {
  for (let i = 0; i < indices.length; i++) {
    const v = indices[i];
    if (!Number.isInteger(v) || v < -extent || v >= extent) {
      throw new Error(`${where}: index ${v} at position ${i} is not an integer in [${-extent}, ${extent})`);
    }
  }
}

export function gather(builder: PlanBuilder, opts: GatherOptions): Operand {
  const name = opts.name ?? 'gather';
  const where = `gather '${name}'`;
  const { input, indices, axis } = opts;
  const rank = input.shape.length;
  if (!Number.isInteger(axis) || axis < 0 || axis >= rank) {
    throw new Error(`${where}: axis ${axis} out of range for shape [${input.shape.join(', ')}]`);
  }
  if (indices.dtype !== 'f32') throw new Error(`${where}: indices must be f32 (integer-valued), got ${indices.dtype}`);
  const D = input.shape[axis];
  const pre = input.shape.slice(0, axis);
  const post = input.shape.slice(axis + 1);
  const I = indices.shape;
  const epilogue = opts.epilogue ?? identityEpilogue(input.dtype);
  assertCallerBindings(epilogue.bindings, where);
  return elementwise(builder, {
    name,
    shape: [...pre, ...I, ...post],
    dtype: epilogue.dtype,
    bindings: mergeBindings(where, input.bindings, indices.bindings, epilogue.bindings),
    body: (coords, part) => {
      const idxCoords = coords.slice(pre.length, pre.length + I.length);
      const source = [...coords.slice(0, pre.length), '_ix', ...coords.slice(pre.length + I.length)];
      return {
        statements: [
          `const _raw = Math.floor(${indices.read(idxCoords, 're')} + 0.5);`,
          `const _wrapped = _raw < 0.0 ? _raw + ${indexLiteral(exactInteger(D))} : _raw;`,
          `const _ix = Math.max(0.0, Math.min(_wrapped, ${indexLiteral(exactInteger(D - 1))}));`,
        ],
        value: epilogue.apply({ re: input.read(source, 're'), im: input.read(source, 'im') }, coords, part),
      };
    },
  });
}
