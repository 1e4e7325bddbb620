/**
 * Bluestein's chirp-z FFT for lengths that are not powers of two.
 *
 * With w_k = exp(-pi i k^2 / n) and nk = (n^2 + k^2 - (k - n)^2) / 2,
 *
 *   X_k = w_k * sum_j (x_j w_j) conj(w_{k-j}),
 *
 * a circular convolution once zero-padded to m >= 2n - 1 (a power of two):
 *
 *   a_j = x_j w_j (j < n, else 0),  X_k = w_k * IFFT_m(FFT_m(a) * H)_k / m,
 *
 * where H = FFT_m(h), h_j = conj(w_j) for |j| < n, is a host table. The
 * inverse transform conjugates the chirp. Both premultiplications fuse into
 * the first Stockham stage's reads and the chirp postmultiplication into the
 * last stage's epilogue: two Stockham FFTs of length m and nothing else.
 */
import { type Epilogue, type Operand, type ValueTransform, bufferRead, identityEpilogue, transformThenEpilogue } from '../operand';
import { PlanBuilder, mergeBindings } from '../plan';
import { int, literal } from '../source';
import { bluesteinFilterSpectrum, chirp, nextPowerOfTwo } from './fft-tables';
import { stockhamFFT } from './fft-stockham';

export interface BluesteinOptions {
  readonly name?: string;
  /** Shape [...batch, n]; f32 input reads as im = 0. */
  readonly input: Operand;
  readonly inverse?: boolean;
  readonly radix?: 2 | 4;
  readonly outputLength?: number;
  readonly epilogue?: Epilogue;
}

/** Complex product of two [re, im] expression pairs. */
function cmul(a: readonly [string, string], b: readonly [string, string]): [string, string] {
  return [`(${a[0]}) * (${b[0]}) - (${a[1]}) * (${b[1]})`, `(${a[0]}) * (${b[1]}) + (${a[1]}) * (${b[0]})`];
}

export function bluesteinFFT(builder: PlanBuilder, opts: BluesteinOptions): Operand {
  const name = opts.name ?? 'bluestein';
  const { input } = opts;
  const shape = input.shape;
  const rank = shape.length;
  const n = shape[rank - 1];
  const batchShape = shape.slice(0, -1);
  const m = nextPowerOfTwo(2 * n - 1);
  const inverse = opts.inverse ?? false;
  const L = opts.outputLength ?? n;
  if (!Number.isInteger(L) || L < 1 || L > n) throw new Error(`bluesteinFFT '${name}': outputLength ${L} must be in 1..${n}`);

  const chirpBuf = builder.constant(`fft_chirp_${n}`, chirp(n));
  const filterBuf = builder.constant(`fft_bluestein_${n}_${m}${inverse ? '_inv' : ''}`, bluesteinFilterSpectrum(n, m, inverse));
  const chirpSign = inverse ? '-' : '';
  const chirpAt = (k: string): [string, string] => [
    bufferRead('_chirp', chirpBuf, [n], 'c64', [k], 're'),
    `${chirpSign}${bufferRead('_chirp', chirpBuf, [n], 'c64', [k], 'im')}`,
  ];

  // a_j = x_j w_j for j < n, zero-padded to m
  const padded: Operand = {
    shape: [...batchShape, m],
    dtype: 'c64',
    bindings: mergeBindings(name, input.bindings, [{ param: '_chirp', buffer: chirpBuf }]),
    read: (coords, part) => {
      const j = coords[rank - 1];
      // j mod n keeps the (discarded) read in bounds; a ternary on indices
      // would mix int and float operand types on the GL backend
      const jc = `(${j} - Math.floor((${j}) / ${int(n)}) * ${int(n)})`;
      const xc = [...coords.slice(0, -1), jc];
      const prod = cmul([input.read(xc, 're'), input.read(xc, 'im')], chirpAt(jc));
      return `(${j} < ${int(n)} ? ${part === 're' ? prod[0] : prod[1]} : 0.0)`;
    },
  };
  const spectrum = stockhamFFT(builder, { name: `${name}_fwd`, input: padded, radix: opts.radix });

  // B_k = A_k H_k, read by the inverse transform's first stage
  const filtered: Operand = {
    shape: spectrum.shape,
    dtype: 'c64',
    bindings: mergeBindings(name, spectrum.bindings, [{ param: '_filt', buffer: filterBuf }]),
    read: (coords, part) => {
      const k = coords[rank - 1];
      const h: [string, string] = [
        bufferRead('_filt', filterBuf, [m], 'c64', [k], 're'),
        bufferRead('_filt', filterBuf, [m], 'c64', [k], 'im'),
      ];
      const prod = cmul([spectrum.read(coords, 're'), spectrum.read(coords, 'im')], h);
      return part === 're' ? prod[0] : prod[1];
    },
  };

  // X_k = w_k c_k / m
  const post: ValueTransform = {
    bindings: [{ param: '_chirp', buffer: chirpBuf }],
    apply: (v, coords) => {
      const [re, im] = cmul([v.re, v.im], chirpAt(coords[rank - 1]));
      return { re: `(${re}) * ${literal(1 / m)}`, im: `(${im}) * ${literal(1 / m)}` };
    },
  };
  const epilogue = transformThenEpilogue(post, opts.epilogue ?? identityEpilogue('c64'));
  return stockhamFFT(builder, {
    name: `${name}_inv`, input: filtered, inverse: true, radix: opts.radix, outputLength: L, epilogue,
  });
}
