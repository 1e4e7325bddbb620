/**
 * Batched matmul template against the textbook triple loop: real and
 * complex, transposed operands, packed B, broadcast batch axes, odd and
 * size-1 shapes, and fused epilogues that do and do not stay per-component.
 */
import { expect, it } from 'vitest';
import { type Dtype, bufferOf, operandOf } from '../../kernels/operand';
import { PlanBuilder } from '../../kernels/plan';
import { matmul } from '../../kernels/templates/matmul';
import { describeEachBackend, expectClose, randomArray } from './helpers';

/** Textbook complex matmul over broadcast batches; arrays interleaved when complex. */
function matmulReference(a: Float32Array, b: Float32Array, batchA: number, batchB: number, M: number, K: number, N: number,
  ca: boolean, cb: boolean, tA: boolean, tB: boolean): Float64Array {
  const batch = Math.max(batchA, batchB);
  const out = new Float64Array(batch * M * N * 2);
  const wa = ca ? 2 : 1, wb = cb ? 2 : 1;
  for (let z = 0; z < batch; z++) {
    const za = batchA === 1 ? 0 : z, zb = batchB === 1 ? 0 : z;
    for (let i = 0; i < M; i++) for (let j = 0; j < N; j++) {
      let sr = 0, si = 0;
      for (let k = 0; k < K; k++) {
        const ia = (za * M * K + (tA ? k * M + i : i * K + k)) * wa;
        const ib = (zb * K * N + (tB ? j * K + k : k * N + j)) * wb;
        const [ar, ai] = [a[ia], ca ? a[ia + 1] : 0];
        const [br, bi] = [b[ib], cb ? b[ib + 1] : 0];
        sr += ar * br - ai * bi;
        si += ar * bi + ai * br;
      }
      out[((z * M + i) * N + j) * 2] = sr;
      out[((z * M + i) * N + j) * 2 + 1] = si;
    }
  }
  return out;
}

function realParts(x: Float64Array): Float64Array {
  return Float64Array.from({ length: x.length / 2 }, (_, i) => x[2 * i]);
}

describeEachBackend('matmul', (rt) => {
  const cases = [
    { M: 1, K: 1, N: 1 }, { M: 3, K: 7, N: 5 }, { M: 12, K: 100, N: 3 }, { M: 1, K: 1000, N: 2 }, { M: 16, K: 16, N: 16 },
  ];
  for (const { M, K, N } of cases) {
    for (const packB of [false, true]) {
      it(`real [${M}x${K}] x [${K}x${N}]${packB ? ' packed B' : ''}`, async () => {
        const a = randomArray(M * K, M + K), b = randomArray(K * N, K + N);
        const builder = new PlanBuilder('mm');
        const C = matmul(builder, {
          a: operandOf(builder.input('a', a.length), [M, K], 'f32'),
          b: operandOf(builder.input('b', b.length), [K, N], 'f32'),
          packB,
        });
        const got = await rt().run(builder.build(bufferOf(C)), [a, b]);
        expectClose(got, realParts(matmulReference(a, b, 1, 1, M, K, N, false, false, false, false)), { atol: 2e-6 * Math.sqrt(K), rtol: 1e-5 });
      });
    }
  }

  const complexCases: { ca: Dtype; cb: Dtype; tA: boolean; tB: boolean; unroll: number }[] = [
    { ca: 'c64', cb: 'c64', tA: false, tB: false, unroll: 4 },
    { ca: 'c64', cb: 'c64', tA: true, tB: true, unroll: 3 },
    { ca: 'f32', cb: 'c64', tA: false, tB: true, unroll: 1 },
    { ca: 'c64', cb: 'f32', tA: true, tB: false, unroll: 2 },
  ];
  for (const { ca, cb, tA, tB, unroll } of complexCases) {
    it(`${ca} x ${cb}${tA ? ' Aᵀ' : ''}${tB ? ' Bᵀ' : ''} batched [2,1] x [3] broadcast, unroll ${unroll}`, async () => {
      const [M, K, N] = [4, 9, 3];
      const wa = ca === 'c64' ? 2 : 1, wb = cb === 'c64' ? 2 : 1;
      const a = randomArray(2 * M * K * wa, 61), b = randomArray(3 * K * N * wb, 62);
      const builder = new PlanBuilder('cmm');
      const C = matmul(builder, {
        a: operandOf(builder.input('a', a.length), tA ? [2, 1, K, M] : [2, 1, M, K], ca),
        b: operandOf(builder.input('b', b.length), tB ? [3, N, K] : [3, K, N], cb),
        transposeA: tA, transposeB: tB, unroll,
      });
      expect(C.shape).toEqual([2, 3, M, N]);
      const got = await rt().run(builder.build(bufferOf(C)), [a, b]);
      // reference: batch (2,1) x (3) -> (2,3): z = (p, q), A batch p, B batch q
      const want = new Float64Array(2 * 3 * M * N * 2);
      for (let p = 0; p < 2; p++) for (let q = 0; q < 3; q++) {
        const ap = a.subarray(p * M * K * wa, (p + 1) * M * K * wa), bq = b.subarray(q * K * N * wb, (q + 1) * K * N * wb);
        want.set(matmulReference(ap, bq, 1, 1, M, K, N, ca === 'c64', cb === 'c64', tA, tB), (p * 3 + q) * M * N * 2);
      }
      expectClose(got, ca === 'f32' && cb === 'f32' ? realParts(want) : want, { atol: 1e-5, rtol: 1e-5 });
    });
  }

  it('complex product with a component-mixing epilogue (multiply by i) and with |C|^2', async () => {
    const [M, K, N] = [3, 5, 2];
    const a = randomArray(M * K * 2, 71), b = randomArray(K * N * 2, 72);
    const want = matmulReference(a, b, 1, 1, M, K, N, true, true, false, false);
    const times = new PlanBuilder('times-i');
    const Ci = matmul(times, {
      a: operandOf(times.input('a', a.length), [M, K], 'c64'), b: operandOf(times.input('b', b.length), [K, N], 'c64'),
      epilogue: { dtype: 'c64', bindings: [], apply: (v, _c, part) => (part === 're' ? `-(${v.im})` : v.re) },
    });
    const gotI = await rt().run(times.build(bufferOf(Ci)), [a, b]);
    expectClose(gotI, Float64Array.from(want, (_, i) => (i % 2 === 0 ? -want[i + 1] : want[i - 1])), { atol: 1e-5 });

    const power = new PlanBuilder('power');
    const P = matmul(power, {
      a: operandOf(power.input('a', a.length), [M, K], 'c64'), b: operandOf(power.input('b', b.length), [K, N], 'c64'),
      epilogue: { dtype: 'f32', bindings: [], apply: (v) => `${v.re} * ${v.re} + ${v.im} * ${v.im}` },
    });
    const gotP = await rt().run(power.build(bufferOf(P)), [a, b]);
    expectClose(gotP, Float64Array.from({ length: M * N }, (_, i) => want[2 * i] ** 2 + want[2 * i + 1] ** 2), { atol: 1e-4, rtol: 1e-4 });
  });

  it('fuses a producer into A\'s reads: exp(X) B', async () => {
    const [M, K, N] = [4, 6, 3];
    const x = randomArray(M * K, 73), b = randomArray(K * N, 74);
    const builder = new PlanBuilder('fused-a');
    const X = operandOf(builder.input('x', x.length), [M, K], 'f32');
    const expX = { ...X, read: (coords: readonly string[], part: 're' | 'im') => (part === 're' ? `Math.exp(${X.read(coords, 're')})` : '0.0') };
    const C = matmul(builder, { a: expX, b: operandOf(builder.input('b', b.length), [K, N], 'f32') });
    const plan = builder.build(bufferOf(C));
    expect(plan.steps).toHaveLength(1);
    const got = await rt().run(plan, [x, b]);
    const ex = Float32Array.from(x, Math.exp);
    expectClose(got, realParts(matmulReference(ex, b, 1, 1, M, K, N, false, false, false, false)), { atol: 1e-5, rtol: 1e-5 });
  });

  it('names both shapes when inner dimensions differ', () => {
    const builder = new PlanBuilder('bad');
    expect(() => matmul(builder, {
      a: operandOf(builder.input('a', 6), [2, 3], 'f32'), b: operandOf(builder.input('b', 8), [4, 2], 'f32'),
    })).toThrow(/A \[2, 3\] has K=3, B \[4, 2\] has K=4/);
  });
});
