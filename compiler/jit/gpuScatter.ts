/**
 * scatter-add for the gpu.js backends, as kernel IR (one unit per output float):
 * out[..., j, ...] = Σ_p [idx[p] = j] · upd[..., p, ...], a loop over the P index positions per
 * output element (gpu.js kernels cannot write where they like, so each output gathers the
 * updates aimed at it). Values are read through a caller-supplied reader, so a fused producer of
 * the updates or of the indices is computed in the loop.
 */
import { Block, START, add, bin, constant, cvt, i32, idiv, irem, select } from '../../kernels/ir/build';
import type { Expr, Kernel } from '../../kernels/ir/types';
import { OUTPUT } from '../../kernels/gpujs/render';
import { Coords } from './cpu/emit';
import { affine, type Ix } from './cpu/indexing';

/** The components (im only for c64) of a kernel's operand 0 or 1 at `axes`, computed in `block` (scatter: updates, indices; matmul: A, B). */
export type OperandReader = (block: Block, operand: 0 | 1, axes: readonly Ix[]) => { re: Expr; im?: Expr };

export interface ScatterSpec {
  readonly name: string;
  readonly outShape: readonly number[];
  readonly idxShape: readonly number[];
  readonly axis: number;
  readonly complex: boolean;
  /** Operand 0 is the updates, 1 the indices. */
  readonly read: OperandReader;
}

export function scatterAddKernel(spec: ScatterSpec): Kernel {
  const { outShape, idxShape, axis, complex } = spec;
  const P = idxShape.reduce((a, b) => a * b, 1);
  const units = outShape.reduce((a, b) => a * b, 1) * (complex ? 2 : 1);
  const block = new Block({ next: 0, prefix: '_s' });
  const element = complex ? block.bind(idiv(START, 2)) : START;
  const out = outShape.length ? Coords.fromFlat(outShape, affine(element)).axes : [];
  const target = block.bind((out[axis] as Ix & { kind: 'affine' }).base);
  const accRe = block.let(constant('f32', 0), '_acc');
  const accIm = complex ? block.let(constant('f32', 0), '_acc') : undefined;
  block.for(i32(0), i32(P), (p, body) => {
    const at = idxShape.length ? Coords.fromFlat(idxShape, affine(p)).axes : [];
    const index = body.bind(cvt(spec.read(body, 1, at).re, 'i32'));
    body.if(bin('eq', index, target), (hit) => {
      const v = spec.read(hit, 0, [...out.slice(0, axis), ...at, ...out.slice(axis + 1)]);
      hit.set(accRe, add(accRe, cvt(v.re, 'f32')));
      if (accIm) hit.set(accIm, add(accIm, v.im ?? constant('f32', 0)));
    });
  }, 1, '_p');
  if (accIm) block.store(OUTPUT, START, select(bin('eq', block.bind(irem(START, 2)), i32(0)), accRe, accIm));
  else block.store(OUTPUT, START, accRe);
  return { name: spec.name, units, unitCost: P, body: block.stmts };
}
