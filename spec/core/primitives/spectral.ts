/**
 * Table records of the FFT family (against O(n²) DFT sums) and of the sources: iota (against
 * its index formula) and random_bits (against Threefry-2x32 written from the Random123 paper).
 */
import { bind1 } from '../../../compiler/tracer';
import type { DType, Tensor } from '../../../src/index';
import * as T from '../../../src/index';
import { dft, irdft, rdft } from '../../support/naive/dft';
import { iota } from '../../support/naive/structural';
import { pad } from '../../support/naive/structural';
import { asInt32, threefry2x32Reference } from '../../support/naive/threefry';
import { numel, type RefArray } from '../../support/refArray';
import { AXIS_SHAPES, randomArray, type Rng } from '../../support/seeded';
import { probeRng } from './builders';
import type { PrimCase, PrimitiveTable } from './types';

type SpectralPrim = 'fft' | 'rfft' | 'irfft' | 'iota' | 'random_bits';

const show = (s: readonly number[]): string => `[${s.join(',')}]`;
/** DFT sums of n terms of size ~3 lose about n·eps; both sides are float64. */
const FFT_TOL = { rtol: 1e-9, atol: 1e-10 };

const FFT_SHAPES: readonly (readonly number[])[] = [...AXIS_SHAPES, [16], [12], [2, 17]];

function fftCases(rng: Rng): PrimCase[] {
  return FFT_SHAPES.flatMap((shape) =>
    [false, true].map((inverse): PrimCase => {
      const x = randomArray(rng, 'c64', shape);
      return {
        label: `${inverse ? 'ifft' : 'fft'} ${show(shape)}`,
        inputs: [x],
        apply: ([t]) => (inverse ? T.ifft(t as Tensor<'c64'>) : T.fft(t as Tensor<'c64'>)),
        expected: [dft(x, inverse)],
        tol: FFT_TOL,
      };
    }),
  );
}

function rfftCases(rng: Rng): PrimCase[] {
  const shapes = [...FFT_SHAPES.filter((s) => s[s.length - 1] > 0), [8], [9], [2, 16]];
  const cases = shapes.map((shape): PrimCase => {
    const x = randomArray(rng, 'f32', shape);
    return { label: show(shape), inputs: [x], apply: ([t]) => T.rfft(t as Tensor<'f32'>), expected: [rdft(x)], tol: FFT_TOL };
  });
  const x = randomArray(rng, 'f32', [2, 5]);
  cases.push({ label: '[2,5] zero-padded to n = 8', inputs: [x], apply: ([t]) => T.rfft(t as Tensor<'f32'>, 8), expected: [rdft(pad(x, [0, 0], [0, 3], 0))], tol: FFT_TOL });
  return cases;
}

function irfftCases(rng: Rng): PrimCase[] {
  return [1, 2, 5, 8, 9, 12].flatMap((n) =>
    [[], [3]].map((batch): PrimCase => {
      const shape = [...batch, Math.floor(n / 2) + 1];
      const x = randomArray(rng, 'c64', shape);
      return {
        label: `n = ${n}, spectrum ${show(shape)}`,
        inputs: [x],
        apply: ([t]) => T.irfft(t as Tensor<'c64'>, n),
        expected: [irdft(x, n)],
        tol: FFT_TOL,
      };
    }),
  );
}

function iotaCases(dtype: DType): PrimCase[] {
  const d = dtype as 'f32' | 'i32';
  return AXIS_SHAPES.flatMap((shape) =>
    [...new Set([0, shape.length - 1])].map(
      (axis): PrimCase => ({
        label: `${show(shape)} axis ${axis}`,
        inputs: [],
        apply: () => T.iota(shape, axis, d),
        expected: [iota(d, shape, axis)],
      }),
    ),
  );
}

const KEYS: readonly (readonly [number, number])[] = [
  [0, 0],
  [0x13198a2e, 0x03707344],
  [-1, -1],
  [12345, -678],
];

function randomBitsCases(): PrimCase[] {
  return KEYS.flatMap((key, k) =>
    [[], [0], [5], [2, 3]].filter((_, s) => (k + s) % 2 === 0 || s === 2).map((shape): PrimCase => {
      const keyArr: RefArray = { dtype: 'i32', shape: [2], data: [key[0], key[1]] };
      const data = Array.from({ length: numel(shape) }, (_, i) => asInt32(threefry2x32Reference([key[0] >>> 0, key[1] >>> 0], [i, 0])[0]));
      return {
        label: `key (${key.join(', ')}) shape ${show(shape)}`,
        inputs: [keyArr],
        apply: ([kt]) => bind1('random_bits', [kt], { shape }),
        expected: [{ dtype: 'i32', shape, data }],
      };
    }),
  );
}

export const spectralRecords: { readonly [P in SpectralPrim]: PrimitiveTable[P] } = {
  fft: {
    via: 'T.fft / T.ifft',
    reference: 'O(n^2) DFT sum X_k = sum_j x_j e^{-2 pi i jk/n}; inverse with e^{+} and 1/n',
    dtypes: ['c64'],
    cases: fftCases,
    rejects: { dtypes: ['f32', 'i32', 'bool'], operands: (d) => [randomArray(probeRng, d, [4])], params: { inverse: false } },
  },
  rfft: {
    via: 'T.rfft(x, n?)',
    reference: 'O(n^2) DFT of the real signal, frequencies 0..n/2',
    dtypes: ['f32'],
    cases: rfftCases,
    rejects: { dtypes: ['i32', 'bool', 'c64'], operands: (d) => [randomArray(probeRng, d, [4])], params: {} },
  },
  irfft: {
    via: 'T.irfft(x, n)',
    reference: 'Hermitian inverse sum (1/n)[Re X_0 + 2 sum Re(X_k e^{2 pi i jk/n}) + (-1)^j Re X_{n/2}]',
    dtypes: ['c64'],
    cases: irfftCases,
    rejects: { dtypes: ['f32', 'i32', 'bool'], operands: (d) => [randomArray(probeRng, d, [3])], params: { n: 4 } },
  },
  iota: {
    via: 'T.iota(shape, axis, dtype) / T.arange',
    reference: 'out[i] = i[axis]',
    dtypes: ['i32', 'f32'],
    cases: (_rng, d) => iotaCases(d),
  },
  random_bits: {
    via: 'direct bind (used by T.random.split / uniform / normal)',
    reference: 'first word of Threefry-2x32-20(key, counter (i, 0)), from the Random123 round/key-schedule definition',
    dtypes: ['i32'],
    cases: () => randomBitsCases(),
    rejects: { dtypes: ['f32', 'bool', 'c64'], operands: (d) => [randomArray(probeRng, d, [2])], params: { shape: [3] } },
  },
};
