/**
 * The user-facing differentiation API over pytrees: grad/valueAndGrad with argnums and hasAux,
 * vjp and jvp on nested records and arrays. Gradients come back in the argument's tree shape
 * (static leaves kept), and their values are checked against finite differences. Misuse fails
 * with an error that says what was wrong.
 */
import { describe, expect, it } from 'vitest';
import * as T from '../../src/index';
import type { Tensor } from '../../src/index';
import { dot, expectAllClose, expectNear, fdGradients, likeWith, randomTensor, realsOf, seeded } from './support';

const F = (x: Tensor): Tensor<'f32'> => x as Tensor<'f32'>;
const C = (x: Tensor): Tensor<'c64'> => x as Tensor<'c64'>;

interface Params {
  readonly layers: readonly { readonly w: Tensor; readonly b: Tensor }[];
  readonly head: { readonly scale: Tensor; readonly rotation: Tensor };
  readonly depth: number;
  readonly name: string;
}

const r = seeded(3);
const params: Params = {
  layers: [
    { w: randomTensor(r, { shape: [3, 2], dtype: 'f32' }), b: randomTensor(r, { shape: [2], dtype: 'f32' }) },
    { w: randomTensor(r, { shape: [2, 2], dtype: 'f32' }), b: randomTensor(r, { shape: [2], dtype: 'f32' }) },
  ],
  head: { scale: randomTensor(r, { shape: [], dtype: 'f32' }), rotation: randomTensor(r, { shape: [2], dtype: 'c64' }) },
  depth: 2,
  name: 'mlp',
};
const input = randomTensor(r, { shape: [4, 3], dtype: 'f32' });

function forward(p: Params, x: Tensor): Tensor<'f32'> {
  let h = F(x);
  for (const layer of p.layers.slice(0, p.depth)) h = T.tanh(T.add(T.matmul(h, F(layer.w)), F(layer.b)));
  return T.mul(T.real(T.mul(T.cast('c64')(h), C(p.head.rotation))), F(p.head.scale));
}
const loss = (p: Params, x: Tensor): Tensor => T.mean(T.square(forward(p, x)));

const leavesOf = (tree: unknown): Tensor[] => T.tree.flatten(tree)[0] as Tensor[];
const withLeaves = <A>(tree: A, leaves: readonly Tensor[]): A => T.tree.unflatten(T.tree.flatten(tree)[1], leaves);

/** The loss as a function of the parameter leaves, for finite differences. */
const lossOfLeaves = (...leaves: Tensor[]): Tensor => loss(withLeaves(params, leaves), input);

describe('grad over a parameter tree', () => {
  const g = T.grad(loss)(params, input) as Params;

  it('comes back in the same tree shape: same paths, shapes and dtypes, static leaves kept', () => {
    expect(T.tree.treePaths(g)).toEqual(T.tree.treePaths(params));
    expect(g.depth).toBe(2);
    expect(g.name).toBe('mlp');
    const [gl, pl] = [leavesOf(g), leavesOf(params)];
    gl.forEach((leaf, i) => expect(`${leaf.dtype}[${leaf.shape}]`).toBe(`${pl[i].dtype}[${pl[i].shape}]`));
  });

  it('every leaf matches finite differences (the c64 leaf as ∂L/∂re + i·∂L/∂im)', () => {
    const fd = fdGradients(lossOfLeaves, leavesOf(params));
    leavesOf(g).forEach((leaf, i) => expectAllClose(realsOf(leaf), realsOf(fd[i]), 1e-6, T.tree.treePaths(params)[i]));
  });

  it('a static leaf changes the function but is never differentiated (depth 1 leaves layer 2 with zero gradient)', () => {
    const shallow = T.grad(loss)({ ...params, depth: 1 }, input) as Params;
    expect(realsOf(shallow.layers[1].w).every((v) => v === 0)).toBe(true);
    expect(realsOf(shallow.layers[0].w).some((v) => v !== 0)).toBe(true);
  });
});

describe('argnums', () => {
  const f = (a: Tensor, b: Tensor, c: Tensor) => T.sum(T.mul(T.mul(F(a), F(b)), T.sin(F(c))));
  const [a, b, c] = [0, 1, 2].map(() => randomTensor(r, { shape: [3], dtype: 'f32' }));
  const fd = fdGradients(f, [a, b, c]);

  it('a number gives one gradient; the default is argument 0', () => {
    expectAllClose(realsOf(T.grad(f)(a, b, c) as Tensor), realsOf(fd[0]), 1e-7, 'default');
    expectAllClose(realsOf(T.grad(f, { argnums: 2 })(a, b, c) as Tensor), realsOf(fd[2]), 1e-7, 'argnums 2');
  });

  it('an array gives a list in the order asked, even of length one', () => {
    const [g2, g0] = T.grad(f, { argnums: [2, 0] })(a, b, c) as Tensor[];
    expectAllClose(realsOf(g2), realsOf(fd[2]), 1e-7, 'first of [2, 0]');
    expectAllClose(realsOf(g0), realsOf(fd[0]), 1e-7, 'second of [2, 0]');
    const single = T.grad(f, { argnums: [1] })(a, b, c);
    expect(Array.isArray(single)).toBe(true);
    expectAllClose(realsOf((single as Tensor[])[0]), realsOf(fd[1]), 1e-7, '[1]');
  });

  it('an out-of-range argnums is a RangeError naming it', () => {
    expect(() => T.grad(f, { argnums: 3 })(a, b, c)).toThrow(RangeError);
    expect(() => T.grad(f, { argnums: [0, -1] })(a, b, c)).toThrow(/argnums -1/);
  });
});

describe('hasAux', () => {
  const withAux = (p: Params, x: Tensor) => {
    const out = forward(p, x);
    return [T.mean(T.square(out)), { prediction: out, argmax: T.argmax(out, 1), note: 'aux' }] as const;
  };

  it('valueAndGrad returns [[loss, aux], grads]; aux is the plain forward value and does not affect the gradient', () => {
    const [[value, aux], g] = T.valueAndGrad(withAux, { hasAux: true })(params, input) as [[Tensor, { prediction: Tensor; argmax: Tensor; note: string }], Params];
    expectNear(value.item() as number, loss(params, input).item() as number, 1e-14, 'loss');
    expectAllClose(realsOf(aux.prediction), realsOf(forward(params, input)), 1e-14, 'aux prediction');
    expect(aux.argmax.dtype).toBe('i32');
    expect(aux.note).toBe('aux');
    const plain = T.grad(loss)(params, input) as Params;
    leavesOf(g).forEach((leaf, i) => expectAllClose(realsOf(leaf), realsOf(leavesOf(plain)[i]), 1e-14, `leaf ${i}`));
  });

  it('grad with hasAux returns [grads, aux]', () => {
    const [g, aux] = T.grad(withAux, { hasAux: true })(params, input) as [Params, { prediction: Tensor }];
    expect(T.tree.treePaths(g)).toEqual(T.tree.treePaths(params));
    expectAllClose(realsOf(aux.prediction), realsOf(forward(params, input)), 1e-14, 'aux');
  });

  it('hasAux on a function that does not return a pair is a TypeError saying so', () => {
    expect(() => T.grad(loss, { hasAux: true })(params, input)).toThrow(/\[loss, aux\]/);
  });
});

describe('what grad refuses', () => {
  it('a non-scalar or non-f32 result is an error that names the requirement', () => {
    const x = randomTensor(r, { shape: [3], dtype: 'f32' });
    expect(() => T.grad((v: Tensor) => T.sin(F(v)))(x)).toThrow(/f32 scalar/);
    expect(() => T.grad((v: Tensor) => T.sum(T.cast('c64')(v)))(x)).toThrow(/f32 scalar/);
    expect(() => T.grad((v: Tensor) => [T.sum(F(v)), T.sum(F(v))])(x)).toThrow(/single scalar/);
  });
});

describe('vjp and jvp over trees', () => {
  const f = (p: { a: Tensor; b: Tensor[] }, s: Tensor) => ({
    sum: T.add(T.mul(F(p.a), F(s)), T.sin(F(p.b[0]))),
    parts: [T.mul(F(p.b[1]), F(p.a)), T.exp(T.mul(C(p.b[2]), F(s)))],
  });
  const primal = {
    a: randomTensor(r, { shape: [3], dtype: 'f32' }),
    b: [randomTensor(r, { shape: [3], dtype: 'f32' }), randomTensor(r, { shape: [3], dtype: 'f32' }), randomTensor(r, { shape: [3], dtype: 'c64' })],
  };
  const s = randomTensor(r, { shape: [3], dtype: 'f32' });
  const randomLike = <A>(tree: A): A => withLeaves(tree, leavesOf(tree).map((l) => randomTensor(r, { shape: l.shape, dtype: l.dtype as 'f32' | 'c64' })));
  const tangents = [randomLike(primal), randomLike(s)] as const;
  const flatF = (...leaves: Tensor[]): Tensor[] => leavesOf(f(withLeaves(primal, leaves.slice(0, 4)), leaves[4]));

  it('jvp returns [f(x), tangent] both shaped like the output tree, and the tangent matches finite differences', () => {
    const [out, tan] = T.jvp(f, [primal, s], [tangents[0], tangents[1]]);
    expect(T.tree.treePaths(out)).toEqual(['parts[0]', 'parts[1]', 'sum']);
    expect(T.tree.treePaths(tan)).toEqual(['parts[0]', 'parts[1]', 'sum']);
    const xs = [...leavesOf(primal), s];
    const ts = [...leavesOf(tangents[0]), tangents[1]];
    const h = 1e-5;
    const plus = flatF(...xs.map((x, i) => likeWith(x, Array.from(x.data64(), (v, k) => v + h * ts[i].data64()[k]))));
    const minus = flatF(...xs.map((x, i) => likeWith(x, Array.from(x.data64(), (v, k) => v - h * ts[i].data64()[k]))));
    leavesOf(tan).forEach((t, i) =>
      expectAllClose(realsOf(t), Array.from(plus[i].data64(), (p, k) => (p - minus[i].data64()[k]) / (2 * h)), 1e-7, `tangent leaf ${i}`),
    );
  });

  it('vjp returns one cotangent tree per primal, and ⟨vjp(ct), t⟩ = ⟨ct, jvp(t)⟩ over the trees', () => {
    const [out, back] = T.vjp(f, primal, s);
    const ct = randomLike(out);
    const [ctPrimal, ctS] = back(ct);
    expect(T.tree.treePaths(ctPrimal)).toEqual(T.tree.treePaths(primal));
    expect((ctS as Tensor).shape).toEqual([3]);
    const [, tan] = T.jvp(f, [primal, s], [tangents[0], tangents[1]]);
    const lhs = dot([...leavesOf(ctPrimal), ctS as Tensor], [...leavesOf(tangents[0]), tangents[1]]);
    expectNear(lhs, dot(leavesOf(ct), leavesOf(tan)), 1e-12, 'dot-product identity over trees', 10);
  });

  it('a cotangent of the wrong structure is a TypeError naming the expected structure', () => {
    const [, back] = T.vjp(f, primal, s);
    expect(() => back([T.zeros([3])] as never)).toThrow(/cotangent must have the output's structure \(3 tensors\)/);
  });

  it('tensors captured from outside the function are constants: no gradient flows to them, and the argument gets the right one', () => {
    const captured = randomTensor(r, { shape: [3], dtype: 'f32' });
    const g = T.grad((x: Tensor) => T.sum(T.mul(F(x), F(captured))))(s) as Tensor;
    expectAllClose(realsOf(g), realsOf(captured), 0, 'grad is the captured weight');
  });
});

describe('edge cases of the program shape', () => {
  const x = randomTensor(r, { shape: [3], dtype: 'f32' });
  const t = randomTensor(r, { shape: [3], dtype: 'f32' });

  it('the identity: jvp returns the tangent, vjp the cotangent', () => {
    expectAllClose(realsOf(T.jvp((v: Tensor) => v, [x], [t])[1] as Tensor), realsOf(t), 0, 'jvp of identity');
    expectAllClose(realsOf((T.vjp((v: Tensor) => v, x)[1](t) as Tensor[])[0]), realsOf(t), 0, 'vjp of identity');
  });

  it('a loss that does not depend on its argument (a literal or a captured tensor) has a zero gradient', () => {
    const captured = T.scalar(2.5);
    expect(Array.from(realsOf(T.grad((_: Tensor) => T.scalar(1))(x) as Tensor))).toEqual([0, 0, 0]);
    expect(Array.from(realsOf(T.grad((_: Tensor) => captured)(x) as Tensor))).toEqual([0, 0, 0]);
    expect(Array.from(realsOf(T.jvp((_: Tensor) => T.mul(captured, 2), [x], [t])[1] as Tensor))).toEqual([0]);
  });

  it('an argument used several times, and an output returned twice, accumulate their cotangents', () => {
    const g = T.grad((v: Tensor) => T.sum(T.add(T.mul(F(v), F(v)), T.mul(F(v), 3))))(x) as Tensor;
    expectAllClose(realsOf(g), Array.from(x.data64(), (v) => 2 * v + 3), 1e-15, 'grad of x² + 3x');
    const [, back] = T.vjp((v: Tensor) => [v, v], x);
    const [ct] = back([t, t]) as Tensor[];
    expectAllClose(realsOf(ct), Array.from(t.data64(), (v) => 2 * v), 0, 'two outputs, one input');
  });

  it('integer arguments cannot be differentiated (an error naming them, as JAX refuses), and their tangents are ignored', () => {
    const idx = T.tensor([2, 0, 2], 'i32');
    const f = (v: Tensor, i: Tensor) => T.sum(T.mul(T.take(F(v), i as Tensor<'i32'>), T.tensor([1, 2, 3])));
    expect(() => T.grad(f, { argnums: [0, 1] })(x, idx)).toThrow('grad: argument 1 is i32[3]; only f32 and c64 tensors can be differentiated');
    const gx = T.grad(f)(x, idx);
    expect(Array.from(realsOf(gx))).toEqual([2, 0, 4]);
    const [, tan] = T.jvp(f, [x, idx], [t, T.tensor([5, 5, 5], 'i32')]);
    expectNear((tan as Tensor).item() as number, 2 * t.data64()[0] + 4 * t.data64()[2], 1e-15, 'jvp ignores the integer tangent');
  });

  it('abs at zero has a zero subgradient, not NaN, for f32 and for c64', () => {
    expect(Array.from(realsOf(T.grad((v: Tensor) => T.sum(T.abs(F(v))))(T.tensor([0, -2, 3])) as Tensor))).toEqual([0, -1, 1]);
    const z = T.tensor([{ re: 0, im: 0 }, { re: 3, im: -4 }], 'c64');
    expect(Array.from(realsOf(T.grad((v: Tensor) => T.sum(T.abs(C(v))))(z) as Tensor))).toEqual([0, 0, 0.6, -0.8]);
  });
});
