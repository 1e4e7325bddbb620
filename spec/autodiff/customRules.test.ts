/**
 * customVjp and customJvp: the user's rule is what differentiation uses, in both directions
 * (the other direction by transposing the rule), under jit and at higher order. Checked against
 * closed forms, against the unwrapped function where the rule is the true derivative, and with
 * rules that deliberately differ from it (so the checks see the rule, not autodiff of f).
 * The ZOH gain's rule (src/models/discretize.ts) against float64 and in float32 under jit.
 */
import { describe, expect, it } from 'vitest';
import * as T from '../../src/index';
import type { Tensor } from '../../src/index';
import { zoh } from '../../src/models/discretize';
import { expectAllClose, randomTensor, realsOf, seeded } from './support';

const F = (x: Tensor): Tensor<'f32'> => x as Tensor<'f32'>;
const C = (x: Tensor): Tensor<'c64'> => x as Tensor<'c64'>;
const r = seeded(21);
const x = randomTensor(r, { shape: [5], dtype: 'f32' });
const t = randomTensor(r, { shape: [5], dtype: 'f32' });
const vals = (v: Tensor) => Array.from(v.data64());
const map = (v: Tensor, f: (a: number) => number) => vals(v).map(f);

/** sin with the true VJP, and with a VJP three times too large. */
const sinExact = T.customVjp((v: Tensor) => T.sin(F(v)), ([v], _y, ct) => [T.mul(F(ct), T.cos(F(v)))]);
const sinTripled = T.customVjp((v: Tensor) => T.sin(F(v)), ([v], _y, ct) => [T.mul(F(ct), T.mul(T.cos(F(v)), 3))]);
/** exp with the true JVP, and with a JVP twice too large. */
const expExact = T.customJvp((v: Tensor) => T.exp(F(v)), ([v], [tv]) => [T.exp(F(v)), T.mul(F(tv), T.exp(F(v)))]);
const expDoubled = T.customJvp((v: Tensor) => T.exp(F(v)), ([v], [tv]) => [T.exp(F(v)), T.mul(F(tv), T.mul(T.exp(F(v)), 2))]);

describe('customVjp', () => {
  it('computes the wrapped function', () => {
    expect(vals(sinTripled(x))).toEqual(vals(T.sin(F(x))));
  });

  it('grad uses the rule: 3·cos(x) for the tripled rule, cos(x) for the exact one', () => {
    expectAllClose(vals(T.grad((v: Tensor) => T.sum(F(sinTripled(v))))(x) as Tensor), map(x, (a) => 3 * Math.cos(a)), 1e-12, 'tripled');
    expectAllClose(vals(T.grad((v: Tensor) => T.sum(F(sinExact(v))))(x) as Tensor), map(x, Math.cos), 1e-12, 'exact');
  });

  it('jvp transposes the rule: t·3·cos(x)', () => {
    const [, tan] = T.jvp((v: Tensor) => sinTripled(v), [x], [t]);
    expectAllClose(vals(tan as Tensor), vals(x).map((a, i) => 3 * Math.cos(a) * vals(t)[i]), 1e-12, 'jvp');
  });

  it('second order differentiates the rule: d/dx of 3·cos(x) is −3·sin(x)', () => {
    const g = (v: Tensor) => T.sum(F(T.grad((u: Tensor) => T.sum(F(sinTripled(u))))(v) as Tensor));
    expectAllClose(vals(T.grad(g)(x) as Tensor), map(x, (a) => -3 * Math.sin(a)), 1e-12, 'grad of grad');
    const [, hv] = T.jvp((v: Tensor) => T.grad((u: Tensor) => T.sum(F(sinTripled(u))))(v) as Tensor, [x], [t]);
    expectAllClose(vals(hv as Tensor), vals(x).map((a, i) => -3 * Math.sin(a) * vals(t)[i]), 1e-12, 'jvp of grad');
  });

  it('jit(grad) uses the rule too (float32, closed form)', async () => {
    const g = (await T.jit(T.grad((v: Tensor) => T.sum(F(sinTripled(v)))))(x)) as Tensor;
    expectAllClose(vals(g), map(x, (a) => 3 * Math.cos(a)), 1e-5, 'jit(grad)');
  });

  it('a c64 rule follows the convention: grad of Re Σ conj(w)·(z·u) is w·conj(u) for z', () => {
    const prod = T.customVjp((a: Tensor, b: Tensor) => T.mul(C(a), C(b)), ([a, b], _y, ct) => [T.mul(C(ct), T.conj(C(b))), T.mul(C(ct), T.conj(C(a)))]);
    const [z, u, w] = [0, 1, 2].map(() => randomTensor(r, { shape: [3], dtype: 'c64' }));
    const loss = (a: Tensor) => T.sum(T.real(T.mul(T.conj(C(w)), C(prod(a, u)))));
    expectAllClose(realsOf(T.grad(loss)(z) as Tensor), realsOf(T.mul(C(w), T.conj(C(u)))), 1e-12, 'grad');
  });

  it('refuses a function that captures a traced value, and a rule result of the wrong shape', () => {
    const outer = (v: Tensor) => T.sum(F(T.customVjp((u: Tensor) => T.mul(F(u), F(v)), (_a, _y, ct) => [ct])(x)));
    expect(() => T.grad(outer)(x)).toThrow(/customVjp: the function captures a traced value \(f32\[5\]\)/);
    const bad = T.customVjp((u: Tensor) => T.sum(F(u)), (_a, _y, ct) => [ct]);
    expect(() => T.grad((u: Tensor) => F(bad(u)))(x)).toThrow(/the VJP rule result 0 must be f32\[5\], got f32\[\]/);
  });
});

describe('customJvp', () => {
  it('computes the wrapped function', () => {
    expect(vals(expDoubled(x))).toEqual(vals(T.exp(F(x))));
  });

  it('jvp uses the rule; grad transposes it (2·exp(x) for the doubled rule)', () => {
    const [, tan] = T.jvp((v: Tensor) => expDoubled(v), [x], [t]);
    expectAllClose(vals(tan as Tensor), vals(x).map((a, i) => 2 * Math.exp(a) * vals(t)[i]), 1e-12, 'jvp');
    expectAllClose(vals(T.grad((v: Tensor) => T.sum(F(expDoubled(v))))(x) as Tensor), map(x, (a) => 2 * Math.exp(a)), 1e-12, 'grad');
    expectAllClose(vals(T.grad((v: Tensor) => T.sum(F(expExact(v))))(x) as Tensor), map(x, Math.exp), 1e-12, 'grad, exact rule');
  });

  it('second order differentiates the rule: d/dx of 2·exp(x) is 2·exp(x)', () => {
    const g = (v: Tensor) => T.sum(F(T.grad((u: Tensor) => T.sum(F(expDoubled(u))))(v) as Tensor));
    expectAllClose(vals(T.grad(g)(x) as Tensor), map(x, (a) => 2 * Math.exp(a)), 1e-12, 'grad of grad');
  });

  it('jit(grad) uses the rule (float32)', async () => {
    const g = (await T.jit(T.grad((v: Tensor) => T.sum(F(expDoubled(v)))))(x)) as Tensor;
    expectAllClose(vals(g), map(x, (a) => 2 * Math.exp(a)), 1e-5, 'jit(grad)');
  });
});

describe('the ZOH discretisation with its own VJP', () => {
  const P = 8;
  /** Σ Re(conj(w)·gain) (+ Σ Re(conj(v)·Λ̄)) in Λ_re, Λ_im and log Δ, at steps |ΛΔ| ≈ scale. */
  const setup = (scale: number, withAbar = true) => {
    const lamRe = T.tensor(Array.from({ length: P }, (_, i) => -0.5 - 0.1 * i));
    const lamIm = T.tensor(Array.from({ length: P }, (_, i) => (i % 2 ? 1 : -1) * (0.3 + 0.7 * i)));
    const logDelta = T.tensor(Array.from({ length: P }, (_, i) => Math.log(scale * (1 + 0.1 * i))));
    const [w, v] = [1, 2].map((s) => T.tensor(Float64Array.from({ length: 2 * P }, (_, i) => Math.cos(s + i)), 'c64', [P]) as Tensor<'c64'>);
    const lossWith = (discretize: (l: Tensor<'c64'>, d: Tensor<'f32'>) => Tensor[]) => (a: Tensor, b: Tensor, c: Tensor) => {
      const [Abar, gain] = discretize(T.complex(F(a), F(b)), T.exp(F(c)));
      const ofGain = T.sum(T.real(T.mul(T.conj(w), C(gain))));
      return withAbar ? T.add(ofGain, T.sum(T.real(T.mul(T.conj(v), C(Abar))))) : ofGain;
    };
    const plain = lossWith((l, d) => {
      const Abar = T.exp(T.mul(l, d));
      return [Abar, T.div(T.sub(Abar, 1), l)];
    });
    const custom = lossWith((l, d) => zoh(l, d));
    return { args: [lamRe, lamIm, logDelta], plain, custom };
  };
  const gradOf = (f: (...a: Tensor[]) => Tensor) => T.grad(f, { argnums: [0, 1, 2] });
  const maxRelErr = (got: Tensor[], ref: Tensor[]) =>
    Math.max(...got.flatMap((g, k) => Array.from(g.data64(), (u, i) => Math.abs(u - ref[k].data64()[i]) / Math.abs(ref[k].data64()[i]))));

  it.each([0.3, 1e-2, 1e-3])('in float64 the rule agrees with differentiating the formula (|ΛΔ| ≈ %s)', (scale) => {
    const { args, plain, custom } = setup(scale);
    const ref = gradOf(plain)(...args) as Tensor[];
    const got = gradOf(custom)(...args) as Tensor[];
    expect(maxRelErr(got, ref)).toBeLessThan(1e-9);
  });

  it('in float32 (jit on wasm) at |ΛΔ| ≈ 10⁻³ the rule keeps the gain\'s gradient to 10⁻⁵ relative; the formula loses over 10%', async () => {
    const { args, plain, custom } = setup(1e-3, false);
    const ref = gradOf(plain)(...args) as Tensor[];
    const withRule = (await T.jit(gradOf(custom), { backend: 'wasm' })(...args)) as Tensor[];
    const withoutRule = (await T.jit(gradOf(plain), { backend: 'wasm' })(...args)) as Tensor[];
    expect(maxRelErr(withRule, ref)).toBeLessThan(1e-5);
    expect(maxRelErr(withoutRule, ref)).toBeGreaterThan(0.1);
  });
});
