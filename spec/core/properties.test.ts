/**
 * Property tests (fast-check) of the scans, the FFT family, matmul and broadcasting, each
 * against plain-TS loops or identities: associative scans with several random associative
 * combines equal a sequential fold; the linear recurrence equals its loop; fft/rfft invert;
 * Parseval holds; matmul is associative; shapes broadcast by numpy's rules.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Tensor } from '../../src/index';
import * as T from '../../src/index';
import { expectClose, expectCloseNumbers } from '../support/compare';
import { linearRecurrence, sequentialScan, type Tuple } from '../support/naive/scans';
import { broadcastTo, numpyBroadcastShape } from '../support/naive/structural';
import { mulInt32, wrapInt32 } from '../support/naive/scalar';
import { fromTensor, numel, type RefArray, toTensor } from '../support/refArray';

const RUNS = { numRuns: 40 };

/** A [length, width] array of values drawn by `value` (c64 takes two per element). */
const arrayArb = (dtype: 'f32' | 'i32' | 'c64', length: number, width: number, value: fc.Arbitrary<number>): fc.Arbitrary<RefArray> =>
  fc
    .array(value, { minLength: length * width * (dtype === 'c64' ? 2 : 1), maxLength: length * width * (dtype === 'c64' ? 2 : 1) })
    .map((data) => ({ dtype, shape: [length, width], data }));

const small = fc.double({ min: -1.5, max: 1.5, noNaN: true });
const dims = fc.record({ length: fc.integer({ min: 0, max: 12 }), width: fc.integer({ min: 1, max: 3 }), reverse: fc.boolean() });

/** A scan combine in the DSL and the same one in plain TS. */
interface CombineKind {
  readonly name: string;
  readonly dtype: 'f32' | 'i32';
  readonly arity: number;
  readonly value: fc.Arbitrary<number>;
  readonly dsl: T.Combine;
  readonly plain: (l: Tuple, r: Tuple) => Tuple;
  readonly tol: number;
}

const f = (x: Tensor) => x as Tensor<'f32'>;
const i = (x: Tensor) => x as Tensor<'i32'>;

/** x -> a x + b composed with x -> c x + d (first the left map, then the right). */
const affine: CombineKind = {
  name: 'affine maps under composition',
  dtype: 'f32',
  arity: 2,
  value: small,
  dsl: ([a1, b1], [a2, b2]) => [T.mul(f(a2), f(a1)), T.add(T.mul(f(a2), f(b1)), f(b2))],
  plain: ([a1, b1], [a2, b2]) => [[a2[0] * a1[0]], [a2[0] * b1[0] + b2[0]]],
  tol: 1e-12,
};

/** 2x2 matrices over the (max, +) semiring, as 4 scalars (integer values keep sums exact). */
const maxPlus: CombineKind = {
  name: '2x2 max-plus matrix product',
  dtype: 'f32',
  arity: 4,
  value: fc.integer({ min: -5, max: 5 }),
  dsl: ([a, b, c, d], [e, g, h, k]) => {
    const mp = (x: Tensor, y: Tensor, z: Tensor, w: Tensor) => T.maximum(T.add(f(x), f(y)), T.add(f(z), f(w)));
    return [mp(a, e, b, h), mp(a, g, b, k), mp(c, e, d, h), mp(c, g, d, k)];
  },
  plain: ([a, b, c, d], [e, g, h, k]) => [
    [Math.max(a[0] + e[0], b[0] + h[0])],
    [Math.max(a[0] + g[0], b[0] + k[0])],
    [Math.max(c[0] + e[0], d[0] + h[0])],
    [Math.max(c[0] + g[0], d[0] + k[0])],
  ],
  tol: 0,
};

/** 2x2 integer matrices under the ordinary product, as 4 i32 scalars (a ring modulo 2^32). */
const intMatrix: CombineKind = {
  name: '2x2 i32 matrix product',
  dtype: 'i32',
  arity: 4,
  value: fc.integer({ min: -1, max: 1 }),
  dsl: ([a, b, c, d], [e, g, h, k]) => {
    const dot = (x: Tensor, y: Tensor, z: Tensor, w: Tensor) => T.add(T.mul(i(x), i(y)), T.mul(i(z), i(w)));
    return [dot(a, e, b, h), dot(a, g, b, k), dot(c, e, d, h), dot(c, g, d, k)];
  },
  plain: ([a, b, c, d], [e, g, h, k]) => {
    const dot = (x: number[], y: number[], z: number[], w: number[]) => [wrapInt32(mulInt32(x[0], y[0]) + mulInt32(z[0], w[0]))];
    return [dot(a, e, b, h), dot(a, g, b, k), dot(c, e, d, h), dot(c, g, d, k)];
  },
  tol: 0,
};

/**
 * The full transformation monoid on 3 points (all 27 maps {0,1,2} -> {0,1,2}, composed),
 * under a random relabelling of its elements: the combine looks the product up in a
 * 27 x 27 table captured as a constant.
 */
function transformationMonoid(relabel: readonly number[]): CombineKind {
  const maps = Array.from({ length: 27 }, (_, m) => [m % 3, Math.floor(m / 3) % 3, Math.floor(m / 9)]);
  const code = (mp: readonly number[]) => mp[0] + 3 * mp[1] + 9 * mp[2];
  const inverse = new Array<number>(27);
  relabel.forEach((label, m) => (inverse[label] = m));
  // (left then right): x -> right(left(x))
  const product = (l: number, r: number) => relabel[code(maps[inverse[l]].map((x) => maps[inverse[r]][x]))];
  const table = T.tensor(Array.from({ length: 27 * 27 }, (_, k) => product(Math.floor(k / 27), k % 27)), 'i32', [27 * 27]);
  return {
    name: 'random relabelling of the transformation monoid T3 (table lookup)',
    dtype: 'i32',
    arity: 1,
    value: fc.integer({ min: 0, max: 26 }),
    dsl: ([l], [r]) => [T.take(table, T.add(T.mul(i(l), 27), i(r)))],
    plain: ([l], [r]) => [[product(l[0], r[0])]],
    tol: 0,
  };
}

function checkScan(kind: CombineKind): void {
  fc.assert(
    fc.property(
      dims.chain(({ length, width, reverse }) =>
        fc.tuple(fc.constant(reverse), fc.array(arrayArb(kind.dtype, length, width, kind.value), { minLength: kind.arity, maxLength: kind.arity })),
      ),
      ([reverse, xs]) => {
        const got = T.associativeScan(kind.dsl, xs.map(toTensor), { axis: 0, reverse });
        const want = sequentialScan(xs, 0, reverse, kind.plain);
        got.forEach((g, k) => expectClose(g, want[k], { rtol: kind.tol, atol: kind.tol }, `${kind.name}, output ${k}`));
      },
    ),
    RUNS,
  );
}

describe('associative scan with random associative combines equals a sequential fold', () => {
  it('affine maps', () => checkScan(affine));
  it('max-plus 2x2 matrices', () => checkScan(maxPlus));
  it('i32 2x2 matrices', () => checkScan(intMatrix));
  it('a randomly relabelled transformation monoid', () => {
    fc.assert(
      fc.property(fc.shuffledSubarray([...Array(27).keys()], { minLength: 27, maxLength: 27 }), (relabel) => checkScan(transformationMonoid(relabel))),
      { numRuns: 3 },
    );
  });
});

describe('scans against loops', () => {
  it('the linear recurrence equals its loop (real and complex, both directions)', () => {
    fc.assert(
      fc.property(
        dims.chain(({ length, width, reverse }) =>
          fc.constantFrom<'f32' | 'c64'>('f32', 'c64').chain((dtype) =>
            fc.tuple(fc.constant(reverse), arrayArb(dtype, length, width, small), arrayArb(dtype, length, width, fc.double({ min: -3, max: 3, noNaN: true }))),
          ),
        ),
        ([reverse, a, b]) => {
          const got = T.linearRecurrence(toTensor(a) as Tensor<'f32'>, toTensor(b) as Tensor<'f32'>, { axis: 0, reverse });
          expectClose(got, linearRecurrence(a, b, 0, reverse), { rtol: 1e-12, atol: 1e-12 });
        },
      ),
      RUNS,
    );
  });

  it('a reversed cumsum equals suffix sums', () => {
    fc.assert(
      fc.property(fc.array(fc.double({ min: -10, max: 10, noNaN: true }), { maxLength: 30 }), (xs) => {
        const got = T.cumsum(T.tensor(xs, 'f32', [xs.length]), { reverse: true });
        const suffix = xs.map((_, k) => xs.slice(k).reduceRight((s, v) => s + v, 0));
        expectCloseNumbers(got.data64(), suffix, { rtol: 1e-12, atol: 1e-12 });
      }),
      RUNS,
    );
  });
});

describe('FFT identities', () => {
  const signal = (n: number, lanes: number) => fc.array(fc.double({ min: -4, max: 4, noNaN: true }), { minLength: n * lanes, maxLength: n * lanes });
  const length = fc.integer({ min: 1, max: 40 });

  it('ifft(fft(x)) = x', () => {
    fc.assert(
      fc.property(length.chain((n) => signal(n, 2)), (data) => {
        const x = T.tensor(data, 'c64', [data.length / 2]);
        expectCloseNumbers(T.ifft(T.fft(x)).data64(), data, { rtol: 1e-10, atol: 1e-11 });
      }),
      RUNS,
    );
  });

  it('irfft(rfft(x), n) = x for odd and even n', () => {
    fc.assert(
      fc.property(length.chain((n) => signal(n, 1)), (data) => {
        const n = data.length;
        expectCloseNumbers(T.irfft(T.rfft(T.tensor(data, 'f32', [n])), n).data64(), data, { rtol: 1e-10, atol: 1e-11 });
      }),
      RUNS,
    );
  });

  it('Parseval: sum |x|^2 = (1/n) sum |X|^2', () => {
    fc.assert(
      fc.property(length.chain((n) => signal(n, 2)), (data) => {
        const n = data.length / 2;
        const X = T.fft(T.tensor(data, 'c64', [n])).data64();
        const energy = data.reduce((s, v) => s + v * v, 0);
        const spectral = Array.from(X).reduce((s, v) => s + v * v, 0) / n;
        expect(Math.abs(energy - spectral)).toBeLessThanOrEqual(1e-10 * (1 + energy));
      }),
      RUNS,
    );
  });
});

describe('matmul', () => {
  it('is associative within tolerance: (AB)C = A(BC)', () => {
    const dim = fc.integer({ min: 0, max: 5 });
    fc.assert(
      fc.property(
        fc.tuple(dim, dim, dim, dim).chain(([m, k, l, n]) =>
          fc.tuple(arrayArb('f32', m, k, small), arrayArb('f32', k, l, small), arrayArb('f32', l, n, small)),
        ),
        ([a, b, c]) => {
          const [A, B, C] = [a, b, c].map((x) => toTensor(x) as Tensor<'f32'>);
          const left = T.matmul(T.matmul(A, B), C);
          const right = T.matmul(A, T.matmul(B, C));
          expectClose(left, fromTensor(right), { rtol: 1e-12, atol: 1e-12 });
        },
      ),
      RUNS,
    );
  });
});

describe('broadcasting follows numpy rules', () => {
  const shapeArb = fc.array(fc.integer({ min: 0, max: 3 }), { maxLength: 3 });

  it('gives numpy broadcast shapes and values, or a ShapeDtypeError naming both operands', () => {
    fc.assert(
      fc.property(shapeArb, shapeArb, (sa, sb) => {
        const a: RefArray = { dtype: 'f32', shape: sa, data: Array.from({ length: numel(sa) }, (_, k) => k + 1) };
        const b: RefArray = { dtype: 'f32', shape: sb, data: Array.from({ length: numel(sb) }, (_, k) => 100 * (k + 1)) };
        const shape = numpyBroadcastShape(sa, sb);
        expect(T.broadcastShapes(sa, sb)).toEqual(shape);
        if (!shape) {
          expect(() => T.add(toTensor(a) as Tensor<'f32'>, toTensor(b) as Tensor<'f32'>)).toThrow(`f32[${sa.join(',')}], f32[${sb.join(',')}]`);
          return;
        }
        const [x, y] = [broadcastTo(a, shape), broadcastTo(b, shape)];
        const want: RefArray = { dtype: 'f32', shape, data: x.data.map((v, k) => v + y.data[k]) };
        expectClose(T.add(toTensor(a) as Tensor<'f32'>, toTensor(b) as Tensor<'f32'>), want);
      }),
      { numRuns: 200 },
    );
  });
});
