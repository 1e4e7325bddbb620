/**
 * Real-input FFT (rfft) and its inverse (irfft) along the last axis,
 * matching numpy.fft.rfft / irfft (backward normalisation).
 *
 * rfft, even n: the n reals viewed as n/2 complex z_h = x_{2h} + i x_{2h+1}
 * (the same memory), Z = FFT_{n/2}(z), then for k = 0 .. n/2
 *
 *   E_k = (Z_k + conj(Z_{n/2-k})) / 2,  O_k = -i (Z_k - conj(Z_{n/2-k})) / 2,
 *   X_k = E_k + W_n^k O_k                (indices of Z mod n/2)
 *
 * irfft, even n: the inverse of that split, fused into the reads of a
 * half-length inverse FFT whose complex output is the real signal:
 *
 *   Z_k = E_k + i O_k,  E_k = (X_k + conj(X_{n/2-k})) / 2,
 *   O_k = (X_k - conj(X_{n/2-k})) W_n^{-k} / 2,   x_{2h} + i x_{2h+1} = IFFT_{n/2}(Z)_h
 *
 * Odd n uses a full-length complex transform (Bluestein): rfft keeps the
 * first n//2 + 1 bins, irfft rebuilds the Hermitian spectrum in its reads
 * and keeps real parts. As in numpy, irfft ignores the imaginary parts of
 * X_0 and (even n) X_{n/2}.
 */
import { type Epilogue, type Operand, bufferOf, bufferRead, identityEpilogue, operandOf } from '../operand';
import { PlanBuilder, assertCallerBindings, mergeBindings } from '../plan';
import { int } from '../source';
import { elementwise } from './elementwise';
import { fft } from './fft';
import { twiddles } from './fft-tables';

export interface RealFFTOptions {
  readonly name?: string;
  /** f32, shape [...batch, n]. */
  readonly input: Operand;
  /** c64 epilogue over [...batch, n//2 + 1]. */
  readonly epilogue?: Epilogue;
}

export interface InverseRealFFTOptions {
  readonly name?: string;
  /** c64, shape [...batch, n//2 + 1]. */
  readonly input: Operand;
  /** Length of the real output. */
  readonly n: number;
  /** f32 epilogue over [...batch, n]. */
  readonly epilogue?: Epilogue;
}

function checkCaller(opts: { input: Operand; epilogue?: Epilogue }, where: string): void {
  assertCallerBindings(opts.input.bindings, `${where} input`);
  if (opts.epilogue) assertCallerBindings(opts.epilogue.bindings, `${where} epilogue`);
}

export function rfft(builder: PlanBuilder, opts: RealFFTOptions): Operand {
  const name = opts.name ?? 'rfft';
  const where = `rfft '${name}'`;
  const { input } = opts;
  if (input.dtype !== 'f32') throw new Error(`${where}: input must be f32, got ${input.dtype}`);
  checkCaller(opts, where);
  const rank = input.shape.length;
  const n = input.shape[rank - 1];
  const bins = Math.floor(n / 2) + 1;
  const epilogue = opts.epilogue ?? identityEpilogue('c64');
  if (n % 2 === 1) {
    return fft(builder, { name, input, outputLength: bins, epilogue, internal: true });
  }
  const h = n / 2;
  const batchShape = input.shape.slice(0, -1);
  const packed: Operand = {
    shape: [...batchShape, h],
    dtype: 'c64',
    bindings: input.bindings,
    read: (coords, part) => input.read([...coords.slice(0, -1), `(${coords[rank - 1]}) * 2 + ${part === 're' ? 0 : 1}`], 're'),
  };
  const Z = fft(builder, { name: `${name}_half`, input: packed, internal: true });
  const tw = builder.constant(`fft_twiddles_${n}`, twiddles(n));
  return elementwise(builder, {
    name: `${name}_split`,
    internal: true,
    shape: [...batchShape, bins],
    dtype: epilogue.dtype,
    bindings: mergeBindings(where, Z.bindings, [{ param: '_tw', buffer: tw }], epilogue.bindings),
    body: (coords, part) => {
      const k = coords[rank - 1];
      const lead = coords.slice(0, -1);
      const zk = (p: 're' | 'im') => Z.read([...lead, `_k`], p);
      const zm = (p: 're' | 'im') => Z.read([...lead, `_m`], p);
      return {
        statements: [
          `const _k = ${k} - Math.floor(${k} / ${int(h)}) * ${int(h)};`,
          `const _m0 = ${int(h)} - _k;`,
          `const _m = _m0 - Math.floor(_m0 / ${int(h)}) * ${int(h)};`,
          `const _zkr = ${zk('re')};`, `const _zki = ${zk('im')};`,
          `const _zmr = ${zm('re')};`, `const _zmi = ${zm('im')};`,
          `const _wr = ${bufferRead('_tw', tw, [n], 'c64', [k], 're')};`,
          `const _wi = ${bufferRead('_tw', tw, [n], 'c64', [k], 'im')};`,
          'const _er = (_zkr + _zmr) * 0.5;', 'const _ei = (_zki - _zmi) * 0.5;',
          'const _or = (_zki + _zmi) * 0.5;', 'const _oi = (_zmr - _zkr) * 0.5;',
        ],
        value: epilogue.apply({ re: '(_er + _wr * _or - _wi * _oi)', im: '(_ei + _wr * _oi + _wi * _or)' }, coords, part),
      };
    },
  });
}

export function irfft(builder: PlanBuilder, opts: InverseRealFFTOptions): Operand {
  const name = opts.name ?? 'irfft';
  const where = `irfft '${name}'`;
  const { input, n } = opts;
  if (input.dtype !== 'c64') throw new Error(`${where}: input must be c64, got ${input.dtype}`);
  checkCaller(opts, where);
  if (!Number.isInteger(n) || n < 1) throw new Error(`${where}: output length n=${n} must be a positive integer`);
  const rank = input.shape.length;
  const bins = Math.floor(n / 2) + 1;
  if (input.shape[rank - 1] !== bins) {
    throw new Error(`${where}: input has ${input.shape[rank - 1]} bins along the last axis, n=${n} needs ${bins}`);
  }
  const user = opts.epilogue ?? identityEpilogue('f32');
  if (user.dtype !== 'f32') throw new Error(`${where}: the epilogue must write f32`);
  const batchShape = input.shape.slice(0, -1);
  const lead = (coords: readonly string[]) => coords.slice(0, -1);

  if (n % 2 === 1) {
    // Y_k = X_k (k <= n/2) or conj(X_{n-k}); imaginary part of X_0 ignored
    const spectrum: Operand = {
      shape: [...batchShape, n],
      dtype: 'c64',
      bindings: input.bindings,
      read: (coords, part) => {
        const k = coords[rank - 1];
        const kk = `(${k} <= ${int(bins - 1)} ? ${k} : ${int(n)} - ${k})`;
        const x = input.read([...lead(coords), kk], part);
        if (part === 're') return x;
        return `(${k} == 0 ? 0.0 : (${k} <= ${int(bins - 1)} ? ${x} : -${x}))`;
      },
    };
    return fft(builder, {
      name, input: spectrum, inverse: true, internal: true,
      epilogue: { dtype: 'f32', bindings: user.bindings, apply: (v, coords) => user.apply({ re: v.re, im: '0.0' }, coords, 're') },
    });
  }

  const h = n / 2;
  const tw = builder.constant(`fft_twiddles_${n}`, twiddles(n));
  const packed: Operand = {
    shape: [...batchShape, h],
    dtype: 'c64',
    bindings: mergeBindings(where, input.bindings, [{ param: '_tw', buffer: tw }]),
    read: (coords, part) => {
      const k = coords[rank - 1];
      const m = `${int(h)} - (${k})`;
      const xkr = input.read([...lead(coords), k], 're');
      const xki = `(${k} == 0 ? 0.0 : ${input.read([...lead(coords), k], 'im')})`;
      const xmr = input.read([...lead(coords), m], 're');
      const xmi = `(${k} == 0 ? 0.0 : ${input.read([...lead(coords), m], 'im')})`;
      const wr = bufferRead('_tw', tw, [n], 'c64', [k], 're');
      const wi = bufferRead('_tw', tw, [n], 'c64', [k], 'im');
      // A = Xk + conj(Xm), B = Xk - conj(Xm), O = B conj(W^k) / 2, Z = A / 2 + i O
      const [ar, ai] = [`(${xkr} + ${xmr})`, `(${xki} - ${xmi})`];
      const [br, bi] = [`(${xkr} - ${xmr})`, `(${xki} + ${xmi})`];
      const or = `(${br} * ${wr} + ${bi} * ${wi}) * 0.5`;
      const oi = `(${bi} * ${wr} - ${br} * ${wi}) * 0.5`;
      return part === 're' ? `(${ar} * 0.5 - ${oi})` : `(${ai} * 0.5 + ${or})`;
    },
  };
  // complex output element h carries samples 2h (re) and 2h + 1 (im)
  const unpack: Epilogue = {
    dtype: 'c64',
    bindings: user.bindings,
    apply: (v, coords, part) => {
      const t = `(${coords[rank - 1]}) * 2 + ${part === 're' ? 0 : 1}`;
      return user.apply({ re: part === 're' ? v.re : v.im, im: '0.0' }, [...lead(coords), t], 're');
    },
  };
  const z = fft(builder, { name: `${name}_half`, input: packed, inverse: true, internal: true, epilogue: unpack });
  return operandOf(bufferOf(z), [...batchShape, n], 'f32');
}
