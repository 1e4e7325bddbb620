/**
 * Reshapes of strided views without a copy (compiler/jit/cpu/lower.ts `reshapedStrides`),
 * against a brute-force reference: the addresses of the source's elements in row-major order,
 * from which a reshaped view's strides are derived (the address step of each axis from the
 * origin) and then checked at every element; a view exists exactly when that check passes.
 * Then, end to end against the interpreter: a matmul reading the real and imaginary parts of a
 * c64 buffer through a reshape that merges its leading axes gets no copy kernel for them.
 */
import { describe, expect, it } from 'vitest';
import * as T from '../../src/index';
import type { Tensor } from '../../src/index';
import { reshapedStrides } from '../../compiler/jit/cpu/lower';
import { arg, randomArgs } from '../jit/inputs';
import { expectJitMatchesInterpreter } from '../jit/oracle';
import { sumTol } from '../jit/tolerances';

const size = (shape: readonly number[]): number => shape.reduce((n, d) => n * d, 1);

/** Addresses of the elements of a strided view, in row-major order. */
function addresses(shape: readonly number[], strides: readonly number[]): number[] {
  const out: number[] = [];
  for (let f = 0; f < size(shape); f++) {
    let rest = f;
    let at = 0;
    for (let d = shape.length - 1; d >= 0; d--) {
      at += (rest % shape[d]) * strides[d];
      rest = Math.floor(rest / shape[d]);
    }
    out.push(at);
  }
  return out;
}

/** The strides of `to` reading `addrs` in row-major order, if some strides do (brute force). */
function bruteForce(addrs: readonly number[], to: readonly number[]): number[] | undefined {
  if (size(to) === 0) return to.map(() => 0);
  const strides = to.map((d, i) => {
    if (d === 1) return 0;
    const unit = size(to.slice(i + 1));
    return addrs[unit] - addrs[0];
  });
  const got = addresses(to, strides);
  return got.every((a, i) => a - got[0] === addrs[i] - addrs[0]) ? strides : undefined;
}

let seed = 7;
const rand = (n: number): number => {
  seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
  return Math.floor((seed / 2 ** 32) * n);
};

/** Random factorisations of `n` into `parts` factors (1s included). */
function factorise(n: number, parts: number): number[] {
  const out: number[] = [];
  let rest = n;
  for (let i = 0; i < parts - 1; i++) {
    const divisors = Array.from({ length: rest }, (_, k) => k + 1).filter((d) => rest % d === 0);
    const d = divisors[rand(divisors.length)];
    out.push(d);
    rest /= d;
  }
  out.push(rest);
  return out;
}

describe('reshaped strides of a view', () => {
  it('agree with the brute-force reference on random shapes and layouts (contiguous, transposed, parts, padded, broadcast)', () => {
    let views = 0;
    let copies = 0;
    for (let trial = 0; trial < 3000; trial++) {
      const n = [1, 2, 6, 12, 24, 36, 64][rand(7)];
      const shape = factorise(n, 1 + rand(4));
      // Row-major strides of a padded base, scaled (2: a part of a c64 buffer), permuted, or broadcast.
      const scale = 1 + rand(2);
      const pad = rand(2) === 0 ? 1 : 0;
      let strides = shape.map((_, i) => scale * (size(shape.slice(i + 1)) + (i < shape.length - 1 ? pad : 0)));
      if (rand(2) === 0) {
        const perm = shape.map((_, i) => i);
        for (let i = perm.length - 1; i > 0; i--) {
          const j = rand(i + 1);
          [perm[i], perm[j]] = [perm[j], perm[i]];
        }
        strides = perm.map((p) => strides[p]);
      }
      if (rand(5) === 0) strides[rand(strides.length)] = 0;
      const to = factorise(n, 1 + rand(4));
      const got = reshapedStrides(shape, strides, to);
      const want = bruteForce(addresses(shape, strides), to);
      const what = `[${shape}] strides [${strides}] -> [${to}]`;
      if (want === undefined) expect(got, what).toBeUndefined();
      else {
        expect(got, what).toBeDefined();
        // Size-1 axes may have any stride; compare the addresses.
        expect(addresses(to, got as number[]), what).toEqual(addresses(to, want));
      }
      if (got) views++;
      else copies++;
    }
    // Both outcomes occur often.
    expect(Math.min(views, copies), `${views} views, ${copies} copies`).toBeGreaterThan(200);
  });

  it('known cases: merging nested axes, splitting, size-1 axes, refusals', () => {
    expect(reshapedStrides([8, 1024, 64], [131072, 128, 2], [8192, 64])).toEqual([128, 2]);
    expect(reshapedStrides([8192, 64], [128, 2], [8, 1, 1024, 64])).toEqual([131072, 0, 128, 2]);
    expect(reshapedStrides([4, 6], [1, 4], [24])).toBeUndefined();
    expect(reshapedStrides([2, 3], [4, 1], [6])).toBeUndefined();
    expect(reshapedStrides([2, 3], [4, 1], [2, 1, 3])).toEqual([4, 0, 1]);
  });
});

describe('parts of a c64 buffer through a reshape on wasm', () => {
  const C = (x: Tensor): Tensor<'c64'> => x as Tensor<'c64'>;
  const F = (x: Tensor): Tensor<'f32'> => x as Tensor<'f32'>;
  it('are read in place by the matmuls of Re(z)·W − Im(z)·V (leading axes merged), against the interpreter', async () => {
    for (const [B, L, P, H] of [[2, 3, 5, 4], [3, 7, 8, 9], [2, 33, 16, 12]]) {
      const xs = randomArgs(B * L + P, [arg([B, L, P], 'c64'), arg([P, H]), arg([P, H])]);
      const f = (z: Tensor, w: Tensor, v: Tensor) =>
        T.sub(T.matmul(T.reshape(T.real(C(z)), [B * L, P]), F(w)), T.matmul(T.reshape(T.imag(C(z)), [B * L, P]), F(v)));
      await expectJitMatchesInterpreter(f, xs as [Tensor, Tensor, Tensor], 'wasm', sumTol(2 * P), `[${B}, ${L}, ${P}]`);
      const l = await T.jit(f, { backend: 'wasm' }).lower(xs[0], xs[1], xs[2]);
      expect(l.kernels.filter((k) => k.kind === 'map').map((k) => k.name)).toEqual([`sub[${B * L},${H}]`]);
    }
  });
});
