/**
 * The batched matrix product for the gpu.js backends, as kernel IR (one unit per output float):
 *
 *   C[...batch, i, j] = Σ_k A[...batch, i, k] B[...batch, k, j]
 *
 * over real or complex operands, B given as [..., K, N] or, once packed by the caller, as
 * [..., N, K] (`transposeB`: both operands then read contiguously along k, what the CPU-side
 * backends want). The thread grid is [N·width, M] or
 * [N·width, M, batch], so a unit's row i is its thread.y (A's row reads are uniform across the
 * webasm SIMD lanes, which run along thread.x). The inner loop keeps `unroll` independent partial
 * sums, added pairwise at the end. A complex output float is one unit accumulating only the
 * part it writes: re = Σ ar br − ai bi, im = Σ ar bi + ai br, B's (or A's) components chosen by
 * the unit's parity. Elements are read through a caller-supplied reader, so a fused producer of
 * either operand is computed in the loop.
 */
import { Block, START, add, bin, constant, cvt, i32, iadd, idiv, irem, mul, neg, select } from '../../kernels/ir/build';
import type { Expr, Kernel } from '../../kernels/ir/types';
import type { Dims } from '../../kernels/plan';
import { OUTPUT } from '../../kernels/gpujs/render';
import { Coords } from './cpu/emit';
import { affine, type Ix } from './cpu/indexing';
import type { OperandReader } from './gpuScatter';

export interface MatmulSpec {
  readonly name: string;
  /** A's shape [...batch, M, K]. */
  readonly aShape: readonly number[];
  /** B's shape [...batch, K, N], or [...batch, N, K] with `transposeB`. */
  readonly bShape: readonly number[];
  readonly transposeB: boolean;
  readonly complexA: boolean;
  readonly complexB: boolean;
  /** Independent partial sums in the inner loop (>= 1). */
  readonly unroll: number;
  /** Operand 0 is A, 1 is B. */
  readonly read: OperandReader;
}

export interface MatmulKernel {
  readonly kernel: Kernel;
  /** The thread grid (the output buffer's grid). */
  readonly dims: Dims;
  /** The product's shape [...batch, M, N]. */
  readonly shape: readonly number[];
}

/** Pairwise sum of `terms` ((s0 + s1) + (s2 + s3), …). */
function balanced(terms: readonly Expr[]): Expr {
  let level = [...terms];
  while (level.length > 1) {
    const next: Expr[] = [];
    for (let i = 0; i < level.length; i += 2) next.push(i + 1 < level.length ? add(level[i], level[i + 1]) : level[i]);
    level = next;
  }
  return level[0];
}

export function matmulKernel(spec: MatmulSpec): MatmulKernel {
  const { aShape, bShape, transposeB, complexA, complexB, unroll } = spec;
  const where = `matmul '${spec.name}'`;
  if (aShape.length < 2 || bShape.length < 2) throw new Error(`${where}: operands need rank >= 2, got [${aShape.join(', ')}] and [${bShape.join(', ')}]`);
  if (!Number.isInteger(unroll) || unroll < 1) throw new Error(`${where}: unroll must be a positive integer, got ${unroll}`);
  const ra = aShape.length, rb = bShape.length;
  const [M, K] = [aShape[ra - 2], aShape[ra - 1]];
  const [Kb, N] = transposeB ? [bShape[rb - 1], bShape[rb - 2]] : [bShape[rb - 2], bShape[rb - 1]];
  if (K !== Kb) throw new Error(`${where}: inner dimensions differ: A [${aShape.join(', ')}] has K=${K}, B [${bShape.join(', ')}]${transposeB ? 'ᵀ' : ''} has K=${Kb}`);
  const batchA = aShape.slice(0, -2), batchB = bShape.slice(0, -2);
  const rank = Math.max(batchA.length, batchB.length);
  const batchShape = Array.from({ length: rank }, (_, i) => {
    const da = batchA[batchA.length - rank + i] ?? 1, db = batchB[batchB.length - rank + i] ?? 1;
    if (da !== db && da !== 1 && db !== 1) throw new Error(`${where}: batch shapes [${batchA.join(', ')}] and [${batchB.join(', ')}] do not broadcast`);
    return Math.max(da, db);
  });
  const batch = batchShape.reduce((p, d) => p * d, 1);
  const complex = complexA || complexB;
  const width = complex ? 2 : 1;

  const block = new Block({ next: 0, prefix: '_m' });
  // Unit = ((z·M + i)·N + j)·width + part, the flat index of the [N·width, M, batch] grid.
  const x = block.bind(irem(START, N * width), '_x');
  const q = block.bind(idiv(START, N * width), '_q');
  const i = batch > 1 ? block.bind(irem(q, M), '_i') : q;
  const z = batch > 1 ? block.bind(idiv(q, M), '_z') : i32(0);
  const j = complex ? block.bind(idiv(x, 2), '_j') : x;
  const even = complex ? block.bind(bin('eq', block.bind(irem(x, 2), '_part'), i32(0)), '_re') : undefined;
  const batchAxes = batchShape.length ? Coords.fromFlat(batchShape, affine(z)).axes : [];
  /** An operand's own batch axes (broadcast axes read at 0). */
  const own = (shape: readonly number[]): Ix[] => shape.map((d, a) => (d === 1 ? affine(i32(0)) : batchAxes[rank - shape.length + a]));
  const aAxes = own(batchA), bAxes = own(batchB);
  const ii = affine(i), jj = affine(j);

  const sums = Array.from({ length: unroll }, () => block.let(constant('f32', 0), '_s'));
  /** Adds step k's term into partial sum u. */
  const step = (body: Block, k: Expr, u: number): void => {
    const kk = affine(k);
    const av = spec.read(body, 0, [...aAxes, ii, kk]);
    const bv = spec.read(body, 1, [...bAxes, ...(transposeB ? [jj, kk] : [kk, jj])]);
    const ar = body.bind(cvt(av.re, 'f32')), br = body.bind(cvt(bv.re, 'f32'));
    let term: Expr;
    if (!complex) term = mul(ar, br);
    else {
      const part = even as Expr;
      const ai = complexA ? body.bind(av.im ?? constant('f32', 0)) : undefined;
      const bi = complexB ? body.bind(bv.im ?? constant('f32', 0)) : undefined;
      if (ai && bi) term = add(mul(ar, select(part, br, bi)), mul(ai, select(part, neg(bi), br)));
      else if (bi) term = mul(ar, select(part, br, bi));
      else term = mul(select(part, ar, ai as Expr), br);
    }
    body.set(sums[u], add(sums[u], term));
  };
  const main = Math.floor(K / unroll) * unroll;
  if (main > 0) {
    block.for(i32(0), i32(main), (k, body) => {
      for (let u = 0; u < unroll; u++) step(body, u === 0 ? k : iadd(k, i32(u)), u);
    }, unroll, '_k');
  }
  if (main < K) block.for(i32(main), i32(K), (k, body) => step(body, k, 0), 1, '_k');
  block.store(OUTPUT, START, balanced(sums));
  const units = batch * M * N * width;
  const dims: Dims = batch > 1 ? [N * width, M, batch] : [N * width, M];
  return { kernel: { name: spec.name, units, unitCost: K, body: block.stmts }, dims, shape: [...batchShape, M, N] };
}
