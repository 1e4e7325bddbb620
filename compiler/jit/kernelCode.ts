/**
 * Kernel lowering of the non-fusible primitives whose gpu.js kernels are written as source by a
 * template of kernels/templates (Stockham and Bluestein FFTs, real FFTs through a half-length
 * complex FFT), whose operand reads may be fused expressions. Reductions, scatter-add, the
 * matrix product and the scans are kernel IR, built by lower.ts with gpuReduce.ts,
 * gpuScatter.ts, gpuMatmul.ts and gpuScan.ts.
 */
import type { PrimParams } from '../primitives';
import { fft as fftTemplate } from '../../kernels/templates/fft';
import { irfft as irfftTemplate, rfft as rfftTemplate } from '../../kernels/templates/fft-real';
import type { KernelLowering } from './codegen';

/** The lowering table used by the code generator (templates of kernels/). */
export const kernelCode: { [P in keyof PrimParams]?: KernelLowering<P> } = {
  fft: (b, [x], { inverse }) => [fftTemplate(b, { input: x, inverse })],
  rfft: (b, [x]) => [rfftTemplate(b, { input: x })],
  irfft: (b, [X], { n }) => [irfftTemplate(b, { input: X, n })],
};
