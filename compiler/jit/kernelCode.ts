/**
 * Kernel lowering of the non-fusible primitives whose gpu.js kernels are written as source by a
 * template of kernels/templates (tree scans, Stockham and Bluestein FFTs, real FFTs through a
 * half-length complex FFT), whose operand reads may be fused expressions. Reductions,
 * scatter-add and the matrix product are kernel IR, built by lower.ts with gpuReduce.ts,
 * gpuScatter.ts and gpuMatmul.ts.
 */
import type { Dtype, Operand } from '../../kernels/operand';
import { mergeBindings } from '../../kernels/plan';
import type { AVal } from '../ir';
import type { PrimParams } from '../primitives';
import { cumulativeSum } from '../../kernels/templates/cumulative-sum';
import { linearRecurrence } from '../../kernels/templates/linear-recurrence';
import { associativeScan as treeScan } from '../../kernels/templates/associative-scan';
import { fft as fftTemplate } from '../../kernels/templates/fft';
import { irfft as irfftTemplate, rfft as rfftTemplate } from '../../kernels/templates/fft-real';
import { combineExpressions } from './combineCode';
import type { KernelLowering } from './codegen';

const storage = (a: AVal): Dtype => (a.dtype === 'c64' ? 'c64' : 'f32');
const bindingsOf = (where: string, ops: readonly Operand[]) => mergeBindings(where, ...ops.map((o) => o.bindings));

/** A trailing-component view of a scan result with k components: operand `i` of the scan. */
function componentView(all: Operand, shape: readonly number[], dtype: Dtype, first: number): Operand {
  const layout = all.layout;
  return {
    shape,
    dtype,
    bindings: all.bindings,
    layout: layout && { buffer: layout.buffer, offset: layout.offset + first * layout.strides[shape.length], strides: layout.strides.slice(0, shape.length) },
    read: (coords, part) => (dtype === 'f32' && part === 'im' ? '0.0' : all.read([...coords, String(part === 're' ? first : first + 1)], 're')),
  };
}

const treeAssocScan: KernelLowering<'assoc_scan'> = (b, xs, { axis, reverse, combine }, outs) => {
  const widths = xs.map((x) => (x.dtype === 'c64' ? 2 : 1));
  const firsts = widths.map((_, i) => widths.slice(0, i).reduce((s, w) => s + w, 0));
  const k = widths.reduce((s, w) => s + w, 0);
  const all = treeScan(b, {
    name: 'scan',
    shape: xs[0].shape,
    axis,
    reverse,
    components: k,
    bindings: bindingsOf('scan', xs),
    element: (coords) => xs.flatMap((x) => (x.dtype === 'c64' ? [x.read(coords, 're'), x.read(coords, 'im')] : [x.read(coords, 're')])),
    combine: (l, r) => combineExpressions(combine, widths, l, r),
    output: k === 1 ? { components: [0], dtype: 'f32' } : { components: Array.from({ length: k }, (_, i) => i), dtype: 'f32' },
  });
  if (k === 1) return [all];
  return outs.map((o, i) => componentView(all, xs[0].shape, storage(o), firsts[i]));
};

/** The lowering table used by the code generator (templates of kernels/). */
export const kernelCode: { [P in keyof PrimParams]?: KernelLowering<P> } = {
  cumsum: (b, [x], { axis, reverse }) => [cumulativeSum(b, { input: x, axis, reverse })],
  linrec: (b, [a, x], { axis, reverse }) => [linearRecurrence(b, { a, b: x, axis, reverse })],
  assoc_scan: treeAssocScan,
  fft: (b, [x], { inverse }) => [fftTemplate(b, { input: x, inverse })],
  rfft: (b, [x]) => [rfftTemplate(b, { input: x })],
  irfft: (b, [X], { n }) => [irfftTemplate(b, { input: X, n })],
};
