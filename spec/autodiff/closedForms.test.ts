/**
 * Gradients with closed forms written out here as loops: numpy broadcasting (the cotangent is
 * summed over broadcast axes), gather with repeated indices (its transpose scatter-adds),
 * reductions including max with ties (tied maxima share the cotangent equally, which is the
 * subgradient that keeps ⟨grad, 1⟩ = 1 for a translation-equivariant max), and matmul, real
 * and complex batched (grad A = W·B^H, grad B = A^H·W for L = Re Σ conj(W)·(A·B)).
 */
import { describe, expect, it } from 'vitest';
import * as T from '../../src/index';
import type { Tensor } from '../../src/index';
import { expectAllClose, fdGradients, fromReals, randomTensor, realsOf, seeded } from './support';

const F = (x: Tensor): Tensor<'f32'> => x as Tensor<'f32'>;
const C = (x: Tensor): Tensor<'c64'> => x as Tensor<'c64'>;
const gradOf = (loss: (x: Tensor) => Tensor, x: Tensor): number[] => Array.from(realsOf(T.grad(loss)(x) as Tensor));

describe('broadcasting: the cotangent is summed over broadcast axes', () => {
  const r = seeded(1);
  const a = randomTensor(r, { shape: [2, 3], dtype: 'f32' });
  const w = randomTensor(r, { shape: [2, 3], dtype: 'f32' });
  const aw = Array.from(a.data64(), (v, i) => v * w.data64()[i]);
  // grad_b Σ w ⊙ (a ⊙ b) = Σ over the broadcast positions of w ⊙ a.
  const sumRows = [0, 1, 2].map((j) => aw[j] + aw[3 + j]);
  const sumCols = [0, 1].map((i) => aw[3 * i] + aw[3 * i + 1] + aw[3 * i + 2]);
  const sumAll = aw.reduce((s, v) => s + v, 0);

  it.each([
    { shape: [3], expected: sumRows },
    { shape: [1, 3], expected: sumRows },
    { shape: [2, 1], expected: sumCols },
    { shape: [], expected: [sumAll] },
    { shape: [1, 1], expected: [sumAll] },
  ])('b of shape $shape against a of shape [2,3]', ({ shape, expected }) => {
    const b = randomTensor(r, { shape, dtype: 'f32' });
    const g = T.grad((v: Tensor) => T.sum(T.mul(T.mul(F(a), F(v)), F(w))))(b) as Tensor;
    expect(g.shape).toEqual(shape);
    expectAllClose(realsOf(g), expected, 1e-14, `grad b${JSON.stringify(shape)}`);
  });

  it('a c64 row broadcast against f32 data (promotion and broadcasting together)', () => {
    const b = randomTensor(r, { shape: [3], dtype: 'c64' });
    const g = T.grad((v: Tensor) => T.sum(T.real(T.mul(T.mul(F(a), C(v)), F(w)))))(b) as Tensor;
    expectAllClose(realsOf(g), sumRows.flatMap((v) => [v, 0]), 1e-14, 'grad of a broadcast c64 row');
  });
});

describe('gather / take: the transpose scatter-adds, so repeated indices accumulate', () => {
  it('grad of Σ w·take(x, [2, 0, 2, 3, 2]) collects w at each index', () => {
    const x = randomTensor(seeded(2), { shape: [5], dtype: 'f32' });
    const w = fromReals('f32', [5], [1, 10, 100, 1000, 10000]);
    const idx = T.tensor([2, 0, 2, 3, 2], 'i32');
    expect(gradOf((v) => T.sum(T.mul(T.take(F(v), idx), F(w))), x)).toEqual([10, 0, 10101, 1000, 0]);
  });

  it('embedding lookup: rows of a [4, 2] table taken by a [2, 3] index array', () => {
    const table = randomTensor(seeded(3), { shape: [4, 2], dtype: 'f32' });
    const idx = [[1, 1, 3], [0, 1, 3]];
    const w = randomTensor(seeded(4), { shape: [2, 3, 2], dtype: 'f32' });
    const g = gradOf((v) => T.sum(T.mul(T.take(F(v), T.tensor(idx, 'i32')), F(w))), table);
    const expected = new Array<number>(8).fill(0);
    idx.flat().forEach((row, p) => [0, 1].forEach((c) => (expected[2 * row + c] += w.data64()[2 * p + c])));
    expectAllClose(g, expected, 1e-14, 'embedding grad');
  });
});

describe('reductions', () => {
  it('grad of Σ w·sum(x, axis 1) broadcasts w back over the reduced axis', () => {
    const x = randomTensor(seeded(5), { shape: [2, 3], dtype: 'f32' });
    const g = gradOf((v) => T.sum(T.mul(T.sum(F(v), { axis: 1 }), T.tensor([2, -3]))), x);
    expect(g).toEqual([2, 2, 2, -3, -3, -3]);
  });

  it('mean divides the cotangent by the count', () => {
    const x = randomTensor(seeded(6), { shape: [4], dtype: 'f32' });
    expect(gradOf((v) => T.mean(F(v)), x)).toEqual([0.25, 0.25, 0.25, 0.25]);
  });

  it('max with a unique maximum sends the whole cotangent to it', () => {
    expect(gradOf((v) => T.max(F(v)), T.tensor([1, 4, 3, 2]))).toEqual([0, 1, 0, 0]);
  });

  it('max with ties splits the cotangent equally among the tied maxima (Σ grad = 1)', () => {
    expect(gradOf((v) => T.max(F(v)), T.tensor([1, 3, 3, 2]))).toEqual([0, 0.5, 0.5, 0]);
    expect(gradOf((v) => T.max(F(v)), T.tensor([5, 5, 5]))).toEqual([1 / 3, 1 / 3, 1 / 3]);
  });

  it('max over an axis with ties in some rows only, and a weighted cotangent', () => {
    const x = T.tensor([[2, 7, 7], [1, 0, 4], [3, 3, 3]]);
    const g = gradOf((v) => T.sum(T.mul(T.max(F(v), { axis: 1 }), T.tensor([2, 5, 3]))), x);
    expect(g).toEqual([0, 1, 1, 0, 0, 5, 1, 1, 1]);
  });

  it('the tie-splitting gradient is consistent with max(x + c·1) = max(x) + c (translation)', () => {
    const x = T.tensor([[2, 7, 7], [1, 0, 4]]);
    const ones = T.ones([2, 3]);
    const g = T.grad((v: Tensor) => T.sum(T.max(F(v), { axis: 1 })))(x) as Tensor;
    // The directional derivative along the all-ones direction is exactly the number of rows.
    const along = realsOf(g).reduce((s, v, i) => s + v * ones.data64()[i], 0);
    expect(along).toBe(2);
  });

  it('elementwise maximum and minimum at a tie split the cotangent 1/2, 1/2', () => {
    const a = T.tensor([1, 2]);
    const b = T.tensor([1, 3]);
    const [gaMax, gbMax] = T.grad((x: Tensor, y: Tensor) => T.sum(T.maximum(F(x), F(y))), { argnums: [0, 1] })(a, b) as Tensor[];
    expect([...realsOf(gaMax), ...realsOf(gbMax)]).toEqual([0.5, 0, 0.5, 1]);
    const [gaMin, gbMin] = T.grad((x: Tensor, y: Tensor) => T.sum(T.minimum(F(x), F(y))), { argnums: [0, 1] })(a, b) as Tensor[];
    expect([...realsOf(gaMin), ...realsOf(gbMin)]).toEqual([0.5, 1, 0.5, 0]);
  });

  it('logsumexp has the softmax as its gradient (the max shift contributes nothing)', () => {
    const x = randomTensor(seeded(7), { shape: [5], dtype: 'f32' });
    const e = Array.from(x.data64(), Math.exp);
    const z = e.reduce((s, v) => s + v, 0);
    expectAllClose(gradOf((v) => T.logsumexp(F(v)), x), e.map((v) => v / z), 1e-14, 'softmax');
  });
});

/** Complex matrices as [batch][row][col] of (re, im) pairs: the reference for matmul's adjoints. */
type Mats = (readonly [number, number])[][][];

function matsOf(t: Tensor, batch: number, rows: number, cols: number): Mats {
  const d = t.data64();
  const lanes = t.dtype === 'c64' ? 2 : 1;
  const at = (i: number) => [d[lanes * i], lanes === 2 ? d[lanes * i + 1] : 0] as const;
  return Array.from({ length: batch }, (_, p) =>
    Array.from({ length: rows }, (_, i) => Array.from({ length: cols }, (_, j) => at((p * rows + i) * cols + j))),
  );
}

const adjoint = (m: Mats): Mats => m.map((x) => x[0].map((_, j) => x.map((row) => [row[j][0], -row[j][1]] as const)));

const product = (a: Mats, b: Mats): Mats =>
  a.map((x, p) =>
    x.map((row) =>
      b[p][0].map((_, j) =>
        row.reduce<readonly [number, number]>(
          (acc, [ar, ai], q) => [acc[0] + ar * b[p][q][j][0] - ai * b[p][q][j][1], acc[1] + ar * b[p][q][j][1] + ai * b[p][q][j][0]],
          [0, 0],
        ),
      ),
    ),
  );

const flatMats = (m: Mats, complex: boolean): number[] => m.flat(2).flatMap(([re, im]) => (complex ? [re, im] : [re]));

describe('matmul: for L = Re Σ conj(W)·(A·B), grad A = W·B^H and grad B = A^H·W', () => {
  it.each([
    { dtype: 'f32' as const, batch: 1, m: 2, k: 3, n: 4 },
    { dtype: 'c64' as const, batch: 2, m: 2, k: 3, n: 2 },
    { dtype: 'c64' as const, batch: 1, m: 3, k: 1, n: 2 },
  ])('$dtype, batch $batch, [$m,$k]x[$k,$n]', ({ dtype, batch, m, k, n }) => {
    const r = seeded(8);
    const lead = batch > 1 ? [batch] : [];
    const A = randomTensor(r, { shape: [...lead, m, k], dtype });
    const B = randomTensor(r, { shape: [...lead, k, n], dtype });
    const W = randomTensor(r, { shape: [...lead, m, n], dtype });
    const loss = (a: Tensor, b: Tensor) =>
      dtype === 'c64' ? T.sum(T.real(T.mul(T.conj(C(W)), T.matmul(C(a), C(b))))) : T.sum(T.mul(F(W), T.matmul(F(a), F(b))));
    const [gA, gB] = T.grad(loss, { argnums: [0, 1] })(A, B) as Tensor[];
    const [mA, mB, mW] = [matsOf(A, batch, m, k), matsOf(B, batch, k, n), matsOf(W, batch, m, n)];
    expectAllClose(realsOf(gA), flatMats(product(mW, adjoint(mB)), dtype === 'c64'), 1e-13, 'grad A = W·B^H');
    expectAllClose(realsOf(gB), flatMats(product(adjoint(mA), mW), dtype === 'c64'), 1e-13, 'grad B = A^H·W');
    const fd = fdGradients(loss, [A, B]);
    expectAllClose(realsOf(gA), realsOf(fd[0]), 1e-7, 'grad A vs finite differences');
  });

  it('vector-matrix products (rank-1 operands are promoted and squeezed): grad matches finite differences', () => {
    const r = seeded(9);
    const v = randomTensor(r, { shape: [3], dtype: 'f32' });
    const M = randomTensor(r, { shape: [3, 2], dtype: 'f32' });
    const loss = (x: Tensor, y: Tensor) => T.sum(T.tanh(T.matmul(F(x), F(y))));
    const [gv, gM] = T.grad(loss, { argnums: [0, 1] })(v, M) as Tensor[];
    const fd = fdGradients(loss, [v, M]);
    expect(gv.shape).toEqual([3]);
    expectAllClose(realsOf(gv), realsOf(fd[0]), 1e-7, 'grad v');
    expectAllClose(realsOf(gM), realsOf(fd[1]), 1e-7, 'grad M');
  });
});
