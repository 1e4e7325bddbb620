/**
 * The jit's batched matrix product (compiler/jit/gpuMatmul.ts) against the textbook triple
 * loop on every gpu.js backend: real and complex operands (either or both), B read as
 * [..., K, N] or packed [..., N, K], A read transposed through its reader, broadcast batch
 * axes, odd and size-1 shapes, unroll factors that do and do not divide K, and a fused
 * producer computed in the loop.
 */
import { expect, it } from 'vitest';
import { math } from '../../kernels/ir/build';
import { type AxesReader, IrPlan } from '../../compiler/jit/gpuPlan';
import { matmulKernel } from '../../compiler/jit/gpuMatmul';
import { describeEachBackend, expectClose, inputTensor, randomArray } from './helpers';

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

interface Operands {
  readonly aShape: readonly number[];
  readonly bShape: readonly number[];
  readonly complexA?: boolean;
  readonly complexB?: boolean;
  readonly transposeB?: boolean;
  readonly unroll?: number;
}

/** The product's plan over inputs a and b (A read through `readA` when given, e.g. transposed or fused). */
function matmulPlan(o: Operands, readA?: (plan: IrPlan) => { read: AxesReader; shape: readonly number[] }) {
  const plan = new IrPlan('mm');
  const a = readA ? readA(plan) : { read: inputTensor(plan, 'a', o.aShape, o.complexA), shape: o.aShape };
  const b = inputTensor(plan, 'b', o.bShape, o.complexB);
  const { kernel, dims, shape } = matmulKernel({
    name: 'matmul', aShape: a.shape, bShape: o.bShape, transposeB: o.transposeB ?? false,
    complexA: o.complexA ?? false, complexB: o.complexB ?? false, unroll: o.unroll ?? 4,
    read: (block, i, axes) => (i === 0 ? a.read(block, axes) : b(block, axes)),
  });
  return { plan: plan.build(plan.launch(kernel, dims)), shape };
}

/** B [K, N] rearranged as Bᵀ [N, K] (the packed layout). */
function packed(b: Float32Array, K: number, N: number): Float32Array {
  return Float32Array.from({ length: K * N }, (_, q) => b[(q % K) * N + Math.floor(q / K)]);
}

describeEachBackend('matmul', (rt) => {
  const cases = [
    { M: 1, K: 1, N: 1 }, { M: 3, K: 7, N: 5 }, { M: 12, K: 100, N: 3 }, { M: 1, K: 1000, N: 2 }, { M: 16, K: 16, N: 16 },
  ];
  for (const { M, K, N } of cases) {
    for (const packB of [false, true]) {
      it(`real [${M}x${K}] x [${K}x${N}]${packB ? ' packed B' : ''}`, async () => {
        const a = randomArray(M * K, M + K), b = randomArray(K * N, K + N);
        const { plan, shape } = matmulPlan({ aShape: [M, K], bShape: packB ? [N, K] : [K, N], transposeB: packB });
        expect(shape).toEqual([M, N]);
        const got = await rt().run(plan, [a, packB ? packed(b, K, N) : b]);
        expectClose(got, realParts(matmulReference(a, b, 1, 1, M, K, N, false, false, false, false)), { atol: 2e-6 * Math.sqrt(K), rtol: 1e-5 });
      });
    }
  }

  const complexCases: { ca: boolean; cb: boolean; tA: boolean; tB: boolean; unroll: number }[] = [
    { ca: true, cb: true, tA: false, tB: false, unroll: 4 },
    { ca: true, cb: true, tA: true, tB: true, unroll: 3 },
    { ca: false, cb: true, tA: false, tB: true, unroll: 1 },
    { ca: true, cb: false, tA: true, tB: false, unroll: 2 },
    { ca: false, cb: false, tA: true, tB: true, unroll: 5 },
  ];
  for (const { ca, cb, tA, tB, unroll } of complexCases) {
    const name = (c: boolean) => (c ? 'c64' : 'f32');
    it(`${name(ca)} x ${name(cb)}${tA ? ' Aᵀ' : ''}${tB ? ' Bᵀ' : ''} batched [2,1] x [3] broadcast, unroll ${unroll}`, async () => {
      const [M, K, N] = [4, 9, 3];
      const wa = ca ? 2 : 1, wb = cb ? 2 : 1;
      const a = randomArray(2 * M * K * wa, 61), b = randomArray(3 * K * N * wb, 62);
      // Aᵀ: A stored [2, 1, K, M] and read at (p, q, i, k) from (p, q, k, i), as a fused transpose would.
      const readA = tA
        ? (plan: IrPlan) => {
            const stored = inputTensor(plan, 'a', [2, 1, K, M], ca);
            return { shape: [2, 1, M, K], read: ((block, [p, q, i, k]) => stored(block, [p, q, k, i])) as AxesReader };
          }
        : undefined;
      const { plan, shape } = matmulPlan({ aShape: [2, 1, M, K], bShape: tB ? [3, N, K] : [3, K, N], complexA: ca, complexB: cb, transposeB: tB, unroll }, readA);
      expect(shape).toEqual([2, 3, M, N]);
      const got = await rt().run(plan, [a, b]);
      // reference: batch (2,1) x (3) -> (2,3): z = (p, q), A batch p, B batch q
      const want = new Float64Array(2 * 3 * M * N * 2);
      for (let p = 0; p < 2; p++) for (let q = 0; q < 3; q++) {
        const ap = a.subarray(p * M * K * wa, (p + 1) * M * K * wa), bq = b.subarray(q * K * N * wb, (q + 1) * K * N * wb);
        want.set(matmulReference(ap, bq, 1, 1, M, K, N, ca, cb, tA, tB), (p * 3 + q) * M * N * 2);
      }
      expectClose(got, !ca && !cb ? realParts(want) : want, { atol: 1e-5, rtol: 1e-5 });
    });
  }

  it('batched complex product with equal batch axes [2, 3] (a 3-D grid)', async () => {
    const [M, K, N] = [2, 5, 3];
    const a = randomArray(6 * M * K * 2, 63), b = randomArray(6 * K * N * 2, 64);
    const { plan } = matmulPlan({ aShape: [2, 3, M, K], bShape: [2, 3, K, N], complexA: true, complexB: true, unroll: 2 });
    expect(plan.steps[0].result.dims).toEqual([N * 2, M, 6]);
    expectClose(await rt().run(plan, [a, b]), matmulReference(a, b, 6, 6, M, K, N, true, true, false, false), { atol: 1e-5, rtol: 1e-5 });
  });

  it('computes a fused producer of A in the loop: exp(X) B', async () => {
    const [M, K, N] = [4, 6, 3];
    const x = randomArray(M * K, 73), b = randomArray(K * N, 74);
    const { plan } = matmulPlan({ aShape: [M, K], bShape: [K, N] }, (p) => {
      const X = inputTensor(p, 'x', [M, K]);
      return { shape: [M, K], read: (block, axes) => ({ re: math('exp', X(block, axes).re) }) };
    });
    expect(plan.steps).toHaveLength(1);
    const got = await rt().run(plan, [x, b]);
    const ex = Float32Array.from(x, Math.exp);
    expectClose(got, realParts(matmulReference(ex, b, 1, 1, M, K, N, false, false, false, false)), { atol: 1e-5, rtol: 1e-5 });
  });

  it('names both shapes when inner dimensions differ, and bad batches and unroll', () => {
    expect(() => matmulPlan({ aShape: [2, 3], bShape: [4, 2] })).toThrow(/A \[2, 3\] has K=3, B \[4, 2\] has K=4/);
    expect(() => matmulPlan({ aShape: [2, 2, 3], bShape: [3, 3, 2] })).toThrow(/batch shapes \[2\] and \[3\] do not broadcast/);
    expect(() => matmulPlan({ aShape: [2, 3], bShape: [3, 2], unroll: 0 })).toThrow(/unroll must be a positive integer, got 0/);
  });
});
