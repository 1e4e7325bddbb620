/**
 * Kernel lowering of the non-fusible primitives whose gpu.js kernels are written as source by a
 * template of kernels/templates (tiled matmul with the backend's measured strategy, tree scans,
 * Stockham and Bluestein FFTs, real FFTs through a half-length complex FFT), whose operand reads
 * may be fused expressions; scatter-add is a plain loop per output element. Reductions are kernel
 * IR, built by lower.ts with gpuReduce.ts.
 */
import { elementwise, type Emitted } from '../../kernels/templates/elementwise';
import type { Dtype, Operand, Part } from '../../kernels/operand';
import { mergeBindings, type PlanBuilder } from '../../kernels/plan';
import type { AVal } from '../ir';
import type { PrimParams } from '../primitives';
import { sizeOf } from '../shape';
import { unravel } from '../../kernels/source';
import { matmul as tiledMatmul, matmulStrategy } from '../../kernels/templates/matmul';
import { cumulativeSum } from '../../kernels/templates/cumulative-sum';
import { linearRecurrence } from '../../kernels/templates/linear-recurrence';
import { associativeScan as treeScan } from '../../kernels/templates/associative-scan';
import { fft as fftTemplate } from '../../kernels/templates/fft';
import { irfft as irfftTemplate, rfft as rfftTemplate } from '../../kernels/templates/fft-real';
import { combineExpressions } from './combineCode';
import type { KernelLowering } from './codegen';

const storage = (a: AVal): Dtype => (a.dtype === 'c64' ? 'c64' : 'f32');
const bindingsOf = (where: string, ops: readonly Operand[]) => mergeBindings(where, ...ops.map((o) => o.bindings));

function launch(b: PlanBuilder, name: string, out: AVal, inputs: readonly Operand[], body: (coords: readonly string[], part: Part) => Emitted): Operand {
  return elementwise(b, { name, shape: out.shape.length ? out.shape : [1], dtype: storage(out), bindings: bindingsOf(name, inputs), body: (c, p) => body(out.shape.length ? c : [], p) });
}

const scatterAdd: KernelLowering<'scatter_add'> = (b, [upd, idx], { axis }, [out]) => {
  const P = sizeOf(idx.shape);
  return [
    launch(b, 'scatter_add', out, [upd, idx], (coords, part) => {
      const p = unravel('_p', idx.shape);
      const at = [...coords.slice(0, axis), ...p, ...coords.slice(axis + 1)];
      return {
        statements: ['let _acc = 0.0;', `for (let _p = 0; _p < ${P}; _p++) {`, `  if (${idx.read(p, 're')} == ${coords[axis]}) {`, `    _acc += ${upd.read(at, part)};`, '  }', '}'],
        value: '_acc',
      };
    }),
  ];
};

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
  matmul: (b, [x, y], _p, _o, _i, ctx) => [tiledMatmul(b, { a: x, b: y, ...matmulStrategy(ctx.backend) })],
  cumsum: (b, [x], { axis, reverse }) => [cumulativeSum(b, { input: x, axis, reverse })],
  linrec: (b, [a, x], { axis, reverse }) => [linearRecurrence(b, { a, b: x, axis, reverse })],
  assoc_scan: treeAssocScan,
  fft: (b, [x], { inverse }) => [fftTemplate(b, { input: x, inverse })],
  rfft: (b, [x]) => [rfftTemplate(b, { input: x })],
  irfft: (b, [X], { n }) => [irfftTemplate(b, { input: X, n })],
  scatter_add: scatterAdd,
};
