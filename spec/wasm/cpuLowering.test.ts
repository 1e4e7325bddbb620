/**
 * Lowerings that only the CPU backend has, against the interpreter: complex matmuls by each of
 * their three real forms (A read in place with B repacked; Re A and Im A stacked over B read
 * in place; four products), parts of complex buffers and strided views read in place, and
 * map kernels at lengths around the vector width and the block split.
 */
import { describe, expect, it } from 'vitest';
import * as T from '../../src/index';
import type { Tensor } from '../../src/index';
import { arg, randomArgs } from '../jit/inputs';
import { expectJitMatchesInterpreter } from '../jit/oracle';
import { sumTol, TOL } from '../jit/tolerances';

const C = (x: Tensor): Tensor<'c64'> => x as Tensor<'c64'>;
const F = (x: Tensor): Tensor<'f32'> => x as Tensor<'f32'>;
const names = async (f: (...xs: Tensor[]) => unknown, xs: Tensor[]): Promise<string[]> => (await T.jit(f, { backend: 'wasm' }).lower(...xs)).kernels.map((k) => k.template ?? k.name);

describe('complex matmul on wasm, each real form against the interpreter', () => {
  const shapes: [number, number, number][] = [[1, 1, 1], [3, 5, 2], [9, 4, 13], [33, 17, 8], [4, 70, 6]];
  for (const [M, K, N] of shapes) {
    it(`A's rows contiguous: B repacked, one real product (M ${M}, K ${K}, N ${N})`, async () => {
      const xs = randomArgs(M * 100 + K, [arg([M, K], 'c64'), arg([N, K], 'c64')]);
      const f = (a: Tensor, b: Tensor) => T.matmul(C(a), T.mT(C(b)));
      await expectJitMatchesInterpreter(f, xs as [Tensor, Tensor], 'wasm', sumTol(4 * K));
      if (N > 1) expect(await names(f, xs)).toContain('matmul_packBc');
    });
    it(`B's rows contiguous: Re A and Im A stacked, combined (M ${M}, K ${K}, N ${N})`, async () => {
      const xs = randomArgs(M * 100 + K + 1, [arg([K, M], 'c64'), arg([K, N], 'c64')]);
      const f = (a: Tensor, b: Tensor) => T.matmul(T.mT(C(a)), C(b));
      await expectJitMatchesInterpreter(f, xs as [Tensor, Tensor], 'wasm', sumTol(4 * K));
      if (M > 1 && K > 1) expect(await names(f, xs)).toContain('matmul_combine');
    });
    it(`neither: four real products (M ${M}, K ${K}, N ${N})`, async () => {
      const xs = randomArgs(M * 100 + K + 2, [arg([K, M], 'c64'), arg([N, K], 'c64')]);
      const f = (a: Tensor, b: Tensor) => T.matmul(T.mT(C(a)), T.mT(C(b)));
      await expectJitMatchesInterpreter(f, xs as [Tensor, Tensor], 'wasm', sumTol(4 * K));
    });
  }
  it('conjugated operands fold into the signs of every form (no map kernel for the conj)', async () => {
    const forms = [
      { a: [5, 6], b: [4, 6], f: (a: Tensor<'c64'>, b: Tensor<'c64'>) => [a, T.mT(b)] },
      { a: [6, 5], b: [6, 4], f: (a: Tensor<'c64'>, b: Tensor<'c64'>) => [T.mT(a), b] },
      { a: [6, 5], b: [4, 6], f: (a: Tensor<'c64'>, b: Tensor<'c64'>) => [T.mT(a), T.mT(b)] },
    ];
    for (const [i, form] of forms.entries()) {
      for (const [ca, cb] of [[true, false], [false, true], [true, true]]) {
        const xs = randomArgs(40 + i, [arg(form.a, 'c64'), arg(form.b, 'c64')]);
        const f = (a: Tensor, b: Tensor) => {
          const [x, y] = form.f(C(a), C(b));
          return T.matmul(ca ? T.conj(x) : x, cb ? T.conj(y) : y);
        };
        await expectJitMatchesInterpreter(f, xs as [Tensor, Tensor], 'wasm', sumTol(24), `form ${i}, conj ${ca} ${cb}`);
        const l = await T.jit(f, { backend: 'wasm' }).lower(xs[0], xs[1]);
        expect(l.kernels.filter((k) => k.kind === 'map')).toEqual([]);
      }
    }
  });

  it('a real operand cast to complex is read in place: one real product, or stacked parts over it', async () => {
    const xs = randomArgs(50, [arg([6, 5]), arg([5, 7], 'c64'), arg([7, 5], 'c64'), arg([5, 6])]);
    const R = (x: Tensor) => T.cast('c64')(F(x));
    const cases: [string, (r: Tensor, b: Tensor, bt: Tensor, rt: Tensor) => Tensor, number][] = [
      ['real · complex (the pass pipeline splits it: two real products, one map)', (r, b) => T.matmul(R(r), C(b)), 1],
      ['realᵀ · complex', (_r, b, _bt, rt) => T.matmul(T.mT(R(rt)), C(b)), 0],
      ['real · complexᵀ (split by the pass pipeline)', (r, _b, bt) => T.matmul(R(r), T.mT(C(bt))), 1],
      ['conj(complexᵀ) · realᵀ', (r, _b, bt) => T.matmul(T.conj(C(bt)), T.mT(R(r))), 0],
      ['complex · real, conj (split by the pass pipeline; Re conj read in place, −Im computed)', (_r, b, bt, rt) => T.matmul(T.conj(C(bt)), R(rt)), 2],
    ];
    for (const [label, f, maps] of cases) {
      await expectJitMatchesInterpreter(f, xs as [Tensor, Tensor, Tensor, Tensor], 'wasm', sumTol(20), label);
      const l = await T.jit(f, { backend: 'wasm' }).lower(xs[0], xs[1], xs[2], xs[3]);
      expect(l.kernels.filter((k) => k.kind === 'map').length, label).toBe(maps);
    }
  });

  it('batched, with a broadcast operand', async () => {
    const xs = randomArgs(7, [arg([3, 5, 6], 'c64'), arg([6, 4], 'c64')]);
    await expectJitMatchesInterpreter((a: Tensor, b: Tensor) => T.matmul(C(a), T.broadcastTo(C(b), [3, 6, 4])), xs as [Tensor, Tensor], 'wasm', sumTol(24));
    await expectJitMatchesInterpreter((a: Tensor, b: Tensor) => T.matmul(T.mT(T.broadcastTo(C(b), [3, 6, 4])), T.mT(C(a))), xs as [Tensor, Tensor], 'wasm', sumTol(24));
  });
});

describe('map kernels on wasm', () => {
  for (const n of [1, 3, 4, 5, 8, 9, 1023, 1024, 1025, 5000]) {
    it(`length ${n}, real and complex, with a reversed and a broadcast operand`, async () => {
      const xs = randomArgs(n, [arg([n]), arg([n], 'c64'), arg([1])]);
      const f = (x: Tensor, z: Tensor, s: Tensor) => [
        T.add(T.mul(T.exp(F(x)), T.reverse(F(x), [0])), F(s)),
        T.mul(C(z), T.cast('c64')(T.sin(F(x)))),
        T.real(T.mul(C(z), C(z))),
      ];
      await expectJitMatchesInterpreter(f, xs as [Tensor, Tensor, Tensor], 'wasm', TOL.transcendental);
    });
  }
  it('rows split into blocks across threads: few long rows, and many short ones', async () => {
    for (const shape of [[2, 3000], [300, 9], [7, 1, 5]]) {
      const xs = randomArgs(shape[0], [arg(shape), arg([shape[shape.length - 1]])]);
      await expectJitMatchesInterpreter((x: Tensor, b: Tensor) => T.tanh(T.add(F(x), F(b))), xs as [Tensor, Tensor], 'wasm', TOL.transcendental);
    }
  });
  it('a concatenation is written piece by piece into slices of its buffer (every axis, complex, fused pieces)', async () => {
    for (const axis of [0, 1, 2]) {
      const xs = randomArgs(axis, [arg([3, 5, 9], 'c64'), arg([3, 5, 9], 'c64'), arg([9])]);
      const f = (a: Tensor, b: Tensor, w: Tensor) => {
        const cat = T.concat([T.mul(C(a), C(b)), T.exp(C(a)), T.conj(C(b))], axis);
        return [T.tanh(T.real(cat)), T.imag(cat)];
      };
      await expectJitMatchesInterpreter(f, xs as [Tensor, Tensor, Tensor], 'wasm', TOL.transcendental, `axis ${axis}`);
      const l = await T.jit(f, { backend: 'wasm' }).lower(xs[0], xs[1], xs[2]);
      expect(l.kernels.filter((k) => k.name.startsWith('concat')).length).toBe(3);
    }
  });

  it('parts of a complex buffer are read in place by a matmul', async () => {
    const xs = randomArgs(3, [arg([6, 5], 'c64'), arg([5, 4])]);
    const f = (z: Tensor, w: Tensor) => T.sub(T.matmul(T.real(C(z)), w as Tensor<'f32'>), T.matmul(T.imag(C(z)), w as Tensor<'f32'>));
    await expectJitMatchesInterpreter(f, xs as [Tensor, Tensor], 'wasm', sumTol(10));
    const l = await T.jit(f, { backend: 'wasm' }).lower(xs[0], xs[1]);
    expect(l.kernels.filter((k) => k.kind === 'map').map((k) => k.name)).toEqual(['sub[6,4]']);
  });
});

describe('integer semantics on wasm agree with the interpreter', () => {
  const I = (x: Tensor): Tensor<'i32'> => x as Tensor<'i32'>;
  const ints = (xs: number[]) => T.tensor(Float64Array.from(xs), 'i32', [xs.length]) as Tensor<'i32'>;
  const edges = [0, 1, -1, 7, -7, 2 ** 24 + 1, -(2 ** 24) - 3, 2 ** 31 - 1, -(2 ** 31), 123456789, -987654321, 3];
  const other = [5, 0, -1, 2, 0, 3, -1, 2, -1, 0, 7, -2];
  it('wrap-around at 2^31, division by zero, integers past 2^24 (exact: no rounding through float32)', async () => {
    const f = (a: Tensor, b: Tensor) => [
      T.add(I(a), I(a)), T.mul(I(a), I(b)), T.div(I(a), I(b)), T.sub(I(a), I(b)),
      T.neg(I(a)), T.abs(I(a)), T.maximum(I(a), I(b)), T.cumsum(I(a)), T.sum(I(a)),
    ];
    await expectJitMatchesInterpreter(f, [ints(edges), ints(other)], 'wasm', { rtol: 0, atol: 0 });
  });
  it('casts from f32 truncate and wrap modulo 2^32; non-finite values give 0', async () => {
    // float32 values (the interpreter would otherwise wrap the unrounded float64 input)
    const values = Float64Array.from(Float32Array.from([0.5, -0.5, 2.9, -2.9, 3e9, -3e9, 5e9, 1e20, Infinity, -Infinity, NaN, 16777218, 2 ** 31, -(2 ** 31) - 256]));
    const x = T.tensor(values, 'f32', [values.length]);
    await expectJitMatchesInterpreter((v: Tensor) => T.cast('i32')(F(v)), [x], 'wasm', { rtol: 0, atol: 0 });
  });
});

describe('random bits on wasm', () => {
  it('a split key and dropout masks are computed by kernels, bit for bit as the interpreter', async () => {
    const f = (k: Tensor, x: Tensor) => {
      const [k1, k2] = T.random.split(k as T.random.Key);
      const keep = T.random.bernoulli(k1, 0.9, [4, 1, 8]);
      return [T.mul(F(x), T.cast('f32')(keep)), T.random.normal(k2, [3, 70]), keep];
    };
    const key = T.random.key(20261201);
    const x = randomArgs(1, [arg([4, 16, 8])])[0];
    const bits = (k: Tensor, v: Tensor) => [(f(k, v) as Tensor[])[0], (f(k, v) as Tensor[])[2]];
    await expectJitMatchesInterpreter(bits, [key, x] as [Tensor, Tensor], 'wasm', { rtol: 0, atol: 0 });
    await expectJitMatchesInterpreter(f, [key, x] as [Tensor, Tensor], 'wasm', TOL.transcendental);
    const l = await T.jit(f, { backend: 'wasm' }).lower(key, x);
    expect(l.kernelProgram?.hostEqns).toEqual([]);
    expect(l.kernels.filter((k) => (k.template ?? k.name).startsWith('random_bits')).length).toBe(3);
  });
});
