/**
 * Complex FFT along the last axis, batched over the leading axes, for any
 * length: Stockham (powers of two) or Bluestein (everything else).
 *
 *   forward  X_k = sum_j x_j exp(-2 pi i jk / n)
 *   inverse  x_j = (1/n) sum_k X_k exp(+2 pi i jk / n)   (numpy's "backward" norm)
 *
 * The input operand's reads fuse into the first kernel and the epilogue into
 * the last. Real (f32) inputs are transformed as complex with im = 0; see
 * fft-real.ts for the half-length real transforms.
 */
import { type Epilogue, type Operand, identityEpilogue, scaleValue, transformThenEpilogue } from '../operand';
import { PlanBuilder, assertCallerBindings } from '../plan';
import { bluesteinFFT } from './fft-bluestein';
import { stockhamFFT } from './fft-stockham';
import { isPowerOfTwo } from './fft-tables';

export interface FFTOptions {
  readonly name?: string;
  /** Shape [...batch, n]. */
  readonly input: Operand;
  readonly inverse?: boolean;
  /** Stockham radix (default 4). */
  readonly radix?: 2 | 4;
  /** Only the first `outputLength` frequencies (or samples) per batch are written. */
  readonly outputLength?: number;
  readonly epilogue?: Epilogue;
  /** Internal callers may bind template ('_'-prefixed) parameters. */
  readonly internal?: boolean;
}

/** Length-n transform of the last axis, scaled by 1/n when inverse. */
export function fft(builder: PlanBuilder, opts: FFTOptions): Operand {
  const name = opts.name ?? (opts.inverse ? 'ifft' : 'fft');
  const { input } = opts;
  if (input.shape.length < 1) throw new Error(`fft '${name}': input must have at least one axis`);
  if (!opts.internal) {
    assertCallerBindings(input.bindings, `fft '${name}' input`);
    if (opts.epilogue) assertCallerBindings(opts.epilogue.bindings, `fft '${name}' epilogue`);
  }
  const n = input.shape[input.shape.length - 1];
  const base = opts.epilogue ?? identityEpilogue('c64');
  const epilogue = opts.inverse && n > 1 ? transformThenEpilogue(scaleValue(1 / n), base) : base;
  const common = { name, input, inverse: opts.inverse, radix: opts.radix, outputLength: opts.outputLength, epilogue };
  return isPowerOfTwo(n) ? stockhamFFT(builder, common) : bluesteinFFT(builder, common);
}
