/**
 * CPU templates of the FFT family along the last axis (rows are all leading axes), matching
 * the interpreter (compiler/interpreter/fft.ts):
 *
 *   fft    X_k = Σ_j x_j exp(-2πi·jk/n); the inverse uses exp(+2πi·jk/n) and carries the 1/n;
 *   rfft   f32 [..., n] -> c64 [..., n/2 + 1], the first ⌊n/2⌋ + 1 frequencies;
 *   irfft  c64 [..., n/2 + 1] -> f32 [..., n], the inverse of the Hermitian extension, ignoring
 *          Im X_0 and (even n) Im X_{n/2}.
 *
 * Strategies: powers of two by Stockham radix-4 stages (fft-stockham.ts), other lengths by
 * Bluestein's chirp-z with power-of-two FFTs (fft-bluestein.ts), even-length real transforms by
 * one half-length complex FFT and a split/merge pass (fft-real.ts), odd lengths by the full
 * complex transform. The steps of one transform form a pipeline (fft-pipeline.ts) run either
 * as one kernel with a unit per row (many rows) or as a kernel per step with rows split into
 * chunks of butterflies (few long rows). Views may have any strides; outputs are written
 * through their strides, and a contiguous output doubles as intermediate storage.
 */
import type { Kernel } from '../ir/types';
import { type Port, complexViewPort, cscale, num, packedRealPort, realViewPort } from './fft-ports';
import { type Form, type OutRows, type Step, assemble } from './fft-pipeline';
import { bluesteinSteps } from './fft-bluestein';
import { hermitianExtend, irfftMerge, rfftSplit } from './fft-real';
import { copyStep, isPowerOfTwo, stockhamSteps } from './fft-stockham';
import { type TemplateContext, type View, contiguousStrides } from './template';

export interface FFTOptions {
  /** 'rows' (a unit per row, all steps) or 'stages' (a kernel per step); chosen from the sizes when absent. */
  readonly form?: Form;
}

/** The transform of length n (scaled by 1/n when inverse) keeping outputs 0 .. count-1. */
function transformSteps(ctx: TemplateContext, n: number, inverse: boolean, count: number): Step[] {
  if (n === 1) return [copyStep(1)];
  if (!isPowerOfTwo(n)) return bluesteinSteps(ctx, n, inverse, count);
  if (count !== n) throw new Error(`cpu fft: a power-of-two transform keeps all ${n} outputs`);
  return stockhamSteps(ctx, n, inverse, inverse ? (_b, _k, z, t) => cscale(z, num(t, 1 / n)) : undefined);
}

const rowsOf = (v: View): number => v.shape.slice(0, -1).reduce((a, b) => a * b, 1);
const lastOf = (v: View): number => v.shape[v.shape.length - 1];

function check(what: string, ok: boolean, detail: string): void {
  if (!ok) throw new Error(`cpu ${what}: ${detail}`);
}

function checkViews(what: string, x: View, xType: string, out: View, outType: string, outLast: number): void {
  check(what, x.dtype === xType && out.dtype === outType, `expects ${xType} -> ${outType}, got ${x.dtype} -> ${out.dtype}`);
  check(what, x.shape.length >= 1 && out.shape.length === x.shape.length, `ranks ${x.shape.length} and ${out.shape.length}`);
  const lead = (v: View) => v.shape.slice(0, -1).join(',');
  check(what, lead(x) === lead(out) && lastOf(out) === outLast, `output shape [${out.shape}] for input [${x.shape}]`);
}

/** The output as planar room for intermediates, when it is contiguous. */
function outRows(out: View): OutRows | null {
  const want = contiguousStrides(out.shape, out.dtype);
  if (!out.strides.every((s, i) => s === want[i] || out.shape[i] === 1)) return null;
  return { buf: out.buf, offset: out.offset, rowStride: lastOf(out) * (out.dtype === 'c64' ? 2 : 1) };
}

function run(ctx: TemplateContext, rows: number, n: number, input: Port, steps: Step[], output: Port, out: View, opts: FFTOptions): Kernel[] {
  const form = opts.form ?? (rows >= ctx.threads || rows * n <= 4096 ? 'rows' : 'stages');
  return assemble(ctx, rows, input, steps, output, outRows(out), form);
}

/** c64 [..., n] -> c64 [..., n]: the DFT of each row, or its inverse (with the 1/n). */
export function fft(ctx: TemplateContext, x: View, inverse: boolean, out: View, opts: FFTOptions = {}): Kernel[] {
  const n = lastOf(x);
  checkViews(inverse ? 'ifft' : 'fft', x, 'c64', out, 'c64', n);
  if (n === 0) return [];
  return run(ctx, rowsOf(x), n, complexViewPort(x), transformSteps(ctx, n, inverse, n), complexViewPort(out), out, opts);
}

/** f32 [..., n] -> c64 [..., ⌊n/2⌋ + 1]: the non-negative frequencies of each real row. */
export function rfft(ctx: TemplateContext, x: View, out: View, opts: FFTOptions = {}): Kernel[] {
  const n = lastOf(x);
  const bins = Math.floor(n / 2) + 1;
  checkViews('rfft', x, 'f32', out, 'c64', bins);
  if (n === 0) return [];
  const rows = rowsOf(x);
  if (n % 2 === 1) return run(ctx, rows, n, realViewPort(x), transformSteps(ctx, n, false, bins), complexViewPort(out), out, opts);
  const steps = [...transformSteps(ctx, n / 2, false, n / 2), rfftSplit(ctx, n)];
  return run(ctx, rows, n, packedRealPort(x), steps, complexViewPort(out), out, opts);
}

/** c64 [..., ⌊n/2⌋ + 1] -> f32 [..., n]: the real rows whose rfft is X. */
export function irfft(ctx: TemplateContext, X: View, n: number, out: View, opts: FFTOptions = {}): Kernel[] {
  check('irfft', Number.isInteger(n) && n >= 1, `output length ${n}`);
  checkViews('irfft', X, 'c64', out, 'f32', n);
  check('irfft', lastOf(X) === Math.floor(n / 2) + 1, `${lastOf(X)} bins for n = ${n}`);
  const rows = rowsOf(X);
  if (n === 1) return run(ctx, rows, n, complexViewPort(X), [copyStep(1)], realViewPort(out), out, opts);
  if (n % 2 === 1) {
    return run(ctx, rows, n, complexViewPort(X), [hermitianExtend(n), ...transformSteps(ctx, n, true, n)], realViewPort(out), out, opts);
  }
  const steps = [irfftMerge(ctx, n), ...transformSteps(ctx, n / 2, true, n / 2)];
  return run(ctx, rows, n, complexViewPort(X), steps, packedRealPort(out), out, opts);
}
