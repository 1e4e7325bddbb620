/**
 * Reductions on wasm that compute their operand in their reads (an elementwise producer fused
 * into sum, max and argmax), against the interpreter, on the cases only a fused read can get
 * wrong: producers reading a broadcast operand along the reduced axis, at lengths around the
 * vector width (aligned and unaligned coordinates); complex producers (both parts reduced in
 * the same loops from one computation); reductions over leading and middle axes; transposed reads; one
 * producer read by two reductions; integer producers; and long extents split into chunks
 * (several blocks of columns over many rows reduce chunks of rows in cache, then combine them).
 * Each case also checks that no map kernel was made for the operand.
 */
import { describe, expect, it } from 'vitest';
import * as T from '../../src/index';
import type { Tensor } from '../../src/index';
import { arg, type ArgSpec, randomArgs } from '../jit/inputs';
import { expectJitMatchesInterpreter } from '../jit/oracle';
import { type JitTolerance, sumTol, TOL } from '../jit/tolerances';

const F = (x: Tensor): Tensor<'f32'> => x as Tensor<'f32'>;
const C = (x: Tensor): Tensor<'c64'> => x as Tensor<'c64'>;
const I = (x: Tensor): Tensor<'i32'> => x as Tensor<'i32'>;

/** Checks f against the interpreter and that its wasm lowering has no map kernel; returns the kernels' template names. */
async function fused(f: (...xs: Tensor[]) => unknown, specs: ArgSpec[], seed: number, tol: JitTolerance, what: string): Promise<string[]> {
  const xs = randomArgs(seed, specs);
  await expectJitMatchesInterpreter(f, xs, 'wasm', tol, what);
  const l = await T.jit(f, { backend: 'wasm' }).lower(...xs);
  expect(l.kernels.filter((k) => k.kind === 'map').map((k) => k.name), what).toEqual([]);
  return l.kernels.map((k) => k.template ?? k.name);
}

describe('fused reductions on wasm', () => {
  it('a broadcast operand of the producer, along and across the reduced axes', async () => {
    for (const [B, L, H] of [[2, 3, 4], [3, 5, 7], [2, 9, 16], [4, 33, 5], [1, 70, 12]]) {
      const specs = [arg([B, L, H]), arg([H]), arg([B, 1, H])];
      const w = (x: Tensor, v: Tensor) => T.mul(T.exp(F(x)), F(v));
      // v broadcast over B and L, reduced over them (across) and over its own axis (along).
      await fused((x, v) => T.sum(w(x, v), { axis: [0, 1] }), specs.slice(0, 2), B * 100 + L, sumTol(B * L), `sum over (0, 1) of [${B}, ${L}, ${H}] · [${H}]`);
      await fused((x, v) => T.sum(w(x, v), { axis: 2 }), specs.slice(0, 2), B * 100 + L + 1, sumTol(H), `sum over 2 of [${B}, ${L}, ${H}] · [${H}]`);
      await fused((x, v) => T.sum(w(x, v), { axis: 1 }), specs.slice(0, 2), B * 100 + L + 2, sumTol(L), `sum over 1 of [${B}, ${L}, ${H}] · [${H}]`);
      // u constant along the reduced axis L.
      await fused((x, _v, u) => T.sum(T.sub(F(x), F(u)), { axis: 1 }), specs, B * 100 + L + 3, sumTol(L), `sum over 1 of [${B}, ${L}, ${H}] − [${B}, 1, ${H}]`);
      await fused((x, _v, u) => T.max(T.mul(F(x), F(u)), { axis: [0, 1] }), specs, B * 100 + L + 4, TOL.arith, `max over (0, 1) of [${B}, ${L}, ${H}] · [${B}, 1, ${H}]`);
      await fused((x, v) => T.argmax(T.add(F(x), F(v)), 1), specs.slice(0, 2), B * 100 + L + 5, TOL.exact, `argmax over 1 of [${B}, ${L}, ${H}] + [${H}]`);
      await fused((x, v) => T.argmax(T.mul(F(x), F(v)), 2), specs.slice(0, 2), B * 100 + L + 6, TOL.exact, `argmax over 2 of [${B}, ${L}, ${H}] · [${H}]`);
    }
  });

  it('vectors spanning several rows of a short innermost axis (the broadcast operand read across rows)', async () => {
    const g = (x: Tensor, v: Tensor) => T.mul(T.add(F(x), 1), F(v));
    for (const [shape, axis] of [[[3, 4, 8], [1, 2]], [[5, 8, 4], [1, 2]], [[16, 2, 8], [0]], [[12, 2, 4], [0]], [[2, 6, 12], [1, 2]]] as [number[], number[]][]) {
      const h = shape[shape.length - 1];
      const specs = [arg(shape), arg([h])];
      const n = axis.reduce((p, a) => p * shape[a], 1);
      await fused((x, v) => T.sum(g(x, v), { axis }), specs, 60 + h, sumTol(n), `sum over [${axis}] of [${shape}] · [${h}]`);
      await fused((x, v) => T.max(g(x, v), { axis }), specs, 61 + h, TOL.arith, `max over [${axis}] of [${shape}] · [${h}]`);
    }
  });

  it('complex producers: a sum of a complex product reduces both parts in one kernel, Re into the even floats and Im into the odd', async () => {
    for (const [B, L, H] of [[2, 3, 4], [3, 7, 5], [2, 40, 8]]) {
      const specs = [arg([B, L, H], 'c64', 'small'), arg([H], 'c64', 'small')];
      const p = (z: Tensor, w: Tensor) => T.mul(T.conj(C(z)), C(w));
      for (const axis of [[0, 1], [1], [2], [0, 2]]) {
        const names = await fused((z, w) => T.sum(p(z, w), { axis }), specs, B * 10 + L + axis.length, sumTol(4 * B * L * H), `c64 sum over [${axis}] of [${B}, ${L}, ${H}]`);
        expect(names.filter((n) => /_(across|along)$/.test(n)).length).toBe(1);
      }
    }
  });

  it('reductions over leading and middle axes, and a transposed producer', async () => {
    const specs = [arg([7, 9, 6]), arg([7, 9, 6])];
    const g = (x: Tensor, y: Tensor) => T.add(T.mul(T.tanh(F(x)), F(y)), 0.5);
    for (const axis of [0, 1, [0, 2], [0, 1]]) {
      await fused((x, y) => T.sum(g(x, y), { axis }), specs, 70, sumTol(63), `sum over [${axis}]`);
      await fused((x, y) => T.max(g(x, y), { axis }), specs, 71, TOL.transcendental, `max over [${axis}]`);
    }
    await fused((x, y) => T.argmax(g(x, y), 0), specs, 72, TOL.exact, 'argmax over 0');
    const t = (x: Tensor, y: Tensor) => T.mul(T.transpose(F(x), [2, 0, 1]), F(y));
    const tSpecs = [arg([5, 8, 6]), arg([6, 5, 8])];
    for (const axis of [0, 1, 2, [1, 2]]) await fused((x, y) => T.sum(t(x, y), { axis }), tSpecs, 73, sumTol(40), `sum of a transposed product over [${axis}]`);
  });

  it('one producer read by two reductions (computed in each)', async () => {
    const specs = [arg([6, 13]), arg([13])];
    const y = (x: Tensor, v: Tensor) => T.add(T.mul(F(x), F(v)), 1);
    await fused((x, v) => [T.sum(y(x, v), { axis: 0 }), T.max(y(x, v), { axis: 1 }), T.argmax(y(x, v), 1)], specs, 80, sumTol(13), 'sum, max and argmax of x·v + 1');
  });

  it('integer producers: sums wrap, argmax and max exact', async () => {
    const specs = [arg([5, 11], 'i32'), arg([11], 'i32')];
    const q = (a: Tensor, b: Tensor) => T.mul(T.add(I(a), I(b)), I(a));
    await fused((a, b) => T.sum(q(a, b), { axis: 0 }), specs, 90, TOL.exact, 'i32 sum over 0');
    await fused((a, b) => T.sum(q(a, b), { axis: 1 }), specs, 91, TOL.exact, 'i32 sum over 1');
    await fused((a, b) => T.max(q(a, b), { axis: 0 }), specs, 92, TOL.exact, 'i32 max over 0');
    await fused((a, b) => T.argmax(q(a, b), 1), specs, 93, TOL.exact, 'i32 argmax over 1');
  });

  it('producers calling a math function (read two vectors a step): rows around the step, broadcast operands, chunks, c64', async () => {
    // Steps of 8 floats: rows of 7, 8, 9, ..., 1031 floats leave every kind of tail; rows of
    // 24 and 40 floats start 8 (not 16) floats past a multiple of 16.
    for (const n of [7, 8, 9, 12, 15, 16, 17, 24, 40, 1031]) {
      const specs = [arg([3, n]), arg([n]), arg([3, 1])];
      await fused((x, v) => T.sum(T.mul(T.exp(F(x)), F(v)), { axis: 1 }), specs.slice(0, 2), 110 + n, sumTol(n), `sum over 1 of exp([3, ${n}])·[${n}]`);
      await fused((x, _v, w) => T.sum(T.tanh(T.sub(F(x), F(w))), { axis: 1 }), specs, 111 + n, sumTol(n), `sum over 1 of tanh([3, ${n}] − [3, 1])`);
      await fused((x, v) => T.max(T.mul(T.exp(F(x)), F(v)), { axis: 1 }), specs.slice(0, 2), 112 + n, TOL.transcendental, `max over 1 of exp([3, ${n}])·[${n}]`);
    }
    // One long row cut into chunks (runs start at multiples of 16 floats, steps of 8 inside), a broadcast [H] read along it.
    await fused((x, v) => T.sum(T.mul(T.exp(F(x)), F(v))), [arg([1 << 15], 'f32', 'small'), arg([1 << 15], 'f32', 'small')], 120, sumTol(1 << 15), 'a sum of 2^15 exp(x)·y');
    await fused((x, v) => T.sum(T.mul(T.exp(F(x)), F(v))), [arg([2048, 24], 'f32', 'small'), arg([24], 'f32', 'small')], 121, sumTol(2048 * 24), 'a sum of exp([2048, 24])·[24]');
    // Complex: both parts of exp(z)·w from one computation, interleaved re/im floats stepped 8 at a time.
    for (const n of [3, 4, 5, 9, 33]) {
      const specs = [arg([2, n], 'c64', 'small'), arg([n], 'c64', 'small')];
      await fused((z, w) => T.sum(T.mul(T.exp(C(z)), C(w)), { axis: 1 }), specs, 130 + n, sumTol(4 * n), `c64 sum over 1 of exp([2, ${n}])·[${n}]`);
    }
  });

  it('long extents split into chunks read the producer at every chunk offset', async () => {
    await fused((x, y) => T.sum(T.mul(T.exp(F(x)), F(y))), [arg([1 << 16], 'f32', 'small'), arg([1 << 16], 'f32', 'small')], 100, sumTol(1 << 16), 'a sum of 2^16');
    await fused((x, v) => T.sum(T.mul(F(x), F(v)), { axis: 0 }), [arg([4099, 6]), arg([6])], 101, sumTol(4099), 'a sum over 4099 rows of 6');
    await fused((x, v) => T.max(T.sub(F(x), F(v)), { axis: 0 }), [arg([8191, 3]), arg([3])], 102, TOL.arith, 'a max over 8191 rows of 3');
    // Several blocks of columns over many rows: chunks of rows, a ragged last one, then the chunks combined.
    for (const [B, L, H] of [[3, 700, 40], [2, 1000, 64]]) {
      const specs = [arg([B, L, H]), arg([H])];
      await fused((x, v) => T.sum(T.mul(T.exp(F(x)), F(v)), { axis: [0, 1] }), specs, 103 + H, sumTol(B * L), `a sum over (0, 1) of [${B}, ${L}, ${H}]`);
      await fused((x) => T.sum(F(x), { axis: [0, 1] }), specs.slice(0, 1), 104 + H, sumTol(B * L), `a sum of a buffer over (0, 1) of [${B}, ${L}, ${H}]`);
      await fused((x, v) => T.max(T.mul(F(x), F(v)), { axis: [0, 1] }), specs, 105 + H, TOL.arith, `a max over (0, 1) of [${B}, ${L}, ${H}]`);
    }
  });
});
