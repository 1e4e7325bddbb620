/**
 * Batched matrix product C = A B over real or complex operands:
 *
 *   C[...batch, i, j] = sum_k A[...batch, i, k] B[...batch, k, j]
 *
 * with numpy broadcasting of the batch axes and optional transposed operands
 * (A given as [..., K, M], B as [..., N, K]). Output grid [N * width, M] or
 * [N * width, M, batch]: thread.y is the row, so A's row reads are uniform
 * across the webasm SIMD lanes (which run along thread.x) and the row stays
 * hot in cache on the CPU backends. The inner loop keeps `unroll`
 * independent partial sums (summed pairwise at the end). `packB` first
 * copies B to [..., N, K] so both operands are read contiguously along k,
 * which is what the CPU-side backends want; GPUs prefer the plain layout.
 *
 * A complex output float is one thread: re = sum(ar br - ai bi), im =
 * sum(ar bi + ai br). When the epilogue reads only the component it writes,
 * each thread accumulates just that one (selecting B's components by part);
 * otherwise it accumulates both.
 */
import type { GpuJsBackend } from '../backends';
import { describeBackend } from '../capabilities';
import { type Epilogue, type Operand, bufferOf, identityEpilogue, operandOf } from '../operand';
import { type Dims, PlanBuilder, assertCallerBindings, mergeBindings } from '../plan';
import { balancedSum, int, product, unravelStatements } from '../source';
import { transpose } from './transpose';

export interface MatmulStrategy {
  /** Copy B to [..., N, K] before the product. */
  readonly packB: boolean;
  /** Independent partial sums in the inner loop (>= 1). */
  readonly unroll: number;
}

/** Fastest measured strategy per backend (see docs/kernels.md), from the backend descriptor. */
export const matmulStrategy = (backend: GpuJsBackend): MatmulStrategy => describeBackend(backend).matmul;

export interface MatmulOptions extends Partial<MatmulStrategy> {
  readonly name?: string;
  readonly a: Operand;
  readonly b: Operand;
  readonly transposeA?: boolean;
  readonly transposeB?: boolean;
  readonly epilogue?: Epilogue;
}

/** Broadcast batch shape of two batch shapes (numpy rules). */
function broadcastBatch(a: readonly number[], b: readonly number[], where: string): number[] {
  const rank = Math.max(a.length, b.length);
  const out: number[] = [];
  for (let i = 0; i < rank; i++) {
    const da = a[a.length - rank + i] ?? 1;
    const db = b[b.length - rank + i] ?? 1;
    if (da !== db && da !== 1 && db !== 1) {
      throw new Error(`${where}: batch shapes [${a.join(', ')}] and [${b.join(', ')}] do not broadcast`);
    }
    out.push(Math.max(da, db));
  }
  return out;
}

/** An operand's own batch coordinates from the broadcast batch coordinates. */
function batchCoordsOf(own: readonly number[], coords: readonly string[]): string[] {
  const offset = coords.length - own.length;
  return own.map((d, i) => (d === 1 ? '0' : coords[offset + i]));
}

/** True when the epilogue's re output reads only value.re and its im output only value.im. */
function isComponentLocal(epilogue: Epilogue, coords: readonly string[]): boolean {
  const v = { re: '_VALUE_RE', im: '_VALUE_IM' };
  return !epilogue.apply(v, coords, 're').includes(v.im) && !epilogue.apply(v, coords, 'im').includes(v.re);
}

export function matmul(builder: PlanBuilder, opts: MatmulOptions): Operand {
  const name = opts.name ?? 'matmul';
  const where = `matmul '${name}'`;
  const { a, transposeA = false } = opts;
  let b = opts.b;
  let transposeB = opts.transposeB ?? false;
  if (a.shape.length < 2 || b.shape.length < 2) {
    throw new Error(`${where}: operands need rank >= 2, got [${a.shape.join(', ')}] and [${b.shape.join(', ')}]`);
  }
  const ra = a.shape.length, rb = b.shape.length;
  const [M, K] = transposeA ? [a.shape[ra - 1], a.shape[ra - 2]] : [a.shape[ra - 2], a.shape[ra - 1]];
  const [Kb, N] = transposeB ? [b.shape[rb - 1], b.shape[rb - 2]] : [b.shape[rb - 2], b.shape[rb - 1]];
  if (K !== Kb) {
    throw new Error(`${where}: inner dimensions differ: A [${a.shape.join(', ')}]${transposeA ? 'ᵀ' : ''} has K=${K}, B [${b.shape.join(', ')}]${transposeB ? 'ᵀ' : ''} has K=${Kb}`);
  }
  const batchA = a.shape.slice(0, -2), batchB = b.shape.slice(0, -2);
  const batchShape = broadcastBatch(batchA, batchB, where);
  const batch = product(batchShape);
  const unroll = opts.unroll ?? 4;
  if (!Number.isInteger(unroll) || unroll < 1) throw new Error(`${where}: unroll must be a positive integer, got ${unroll}`);
  const epilogue = opts.epilogue ?? identityEpilogue(a.dtype === 'c64' || b.dtype === 'c64' ? 'c64' : 'f32');
  assertCallerBindings(epilogue.bindings, where);
  assertCallerBindings(mergeBindings(where, a.bindings, b.bindings), where);

  if (opts.packB && !transposeB) {
    const perm = [...Array.from({ length: rb - 2 }, (_, i) => i), rb - 1, rb - 2];
    const packed = transpose(builder, { name: `${name}_packB`, input: b, perm });
    b = operandOf(bufferOf(packed), packed.shape, packed.dtype);
    transposeB = true;
  }

  const complexA = a.dtype === 'c64', complexB = b.dtype === 'c64';
  const outComplex = complexA || complexB;
  const width = epilogue.dtype === 'c64' ? 2 : 1;
  const batchU = unravelStatements('_z', batchShape, '_bz');
  const outCoords = [...batchU.coords, '_i', '_j'];
  // an f32 epilogue of a complex product (e.g. |C|^2) runs in a thread without a part
  const bothSums = outComplex && (width === 1 || !isComponentLocal(epilogue, outCoords));
  const aAt = (k: string, part: 're' | 'im') =>
    a.read([...batchCoordsOf(batchA, batchU.coords), ...(transposeA ? [k, '_i'] : ['_i', k])], part);
  const bAt = (k: string, part: 're' | 'im') =>
    b.read([...batchCoordsOf(batchB, batchU.coords), ...(transposeB ? ['_j', k] : [k, '_j'])], part);

  /** Accumulation statements for step k into partial sum u. */
  const step = (k: string, u: number): string[] => {
    if (!outComplex) return [`_s${u} += ${aAt(k, 're')} * ${bAt(k, 're')};`];
    const lines = [`const _ar${u} = ${aAt(k, 're')};`, `const _br${u} = ${bAt(k, 're')};`];
    if (complexA) lines.push(`const _ai${u} = ${aAt(k, 'im')};`);
    if (complexB) lines.push(`const _bi${u} = ${bAt(k, 'im')};`);
    if (bothSums) {
      const re = complexA && complexB ? `_ar${u} * _br${u} - _ai${u} * _bi${u}` : `_ar${u} * _br${u}`;
      const im = complexA && complexB ? `_ar${u} * _bi${u} + _ai${u} * _br${u}` : complexA ? `_ai${u} * _br${u}` : `_ar${u} * _bi${u}`;
      return [...lines, `_s${u} += ${re};`, `_t${u} += ${im};`];
    }
    if (complexA && complexB) {
      return [...lines, `_s${u} += _ar${u} * (_part == 0 ? _br${u} : _bi${u}) + _ai${u} * (_part == 0 ? -_bi${u} : _br${u});`];
    }
    if (complexB) return [...lines, `_s${u} += _ar${u} * (_part == 0 ? _br${u} : _bi${u});`];
    return [...lines, `_s${u} += (_part == 0 ? _ar${u} : _ai${u}) * _br${u};`];
  };

  const main = Math.floor(K / unroll) * unroll;
  const sums = Array.from({ length: unroll }, (_, u) => u);
  const lines = [
    'const _i = this.thread.y;',
    width === 2 ? 'const _j = Math.floor(this.thread.x / 2);' : 'const _j = this.thread.x;',
    width === 2 ? 'const _part = this.thread.x - _j * 2;' : '',
    batch > 1 ? 'const _z = this.thread.z;' : '',
    ...batchU.statements,
    ...sums.map((u) => `let _s${u} = 0.0;`),
    ...(bothSums ? sums.map((u) => `let _t${u} = 0.0;`) : []),
  ];
  if (main > 0) {
    lines.push(`for (let _k = 0; _k < ${int(main)}; _k += ${int(unroll)}) {`);
    for (const u of sums) lines.push(...step(u === 0 ? '_k' : `_k + ${u}`, u).map((l) => `  ${l}`));
    lines.push('}');
  }
  if (main < K) {
    lines.push(`for (let _k = ${int(main)}; _k < ${int(K)}; _k++) {`, ...step('_k', 0).map((l) => `  ${l}`), '}');
  }
  const total = balancedSum(sums.map((u) => `_s${u}`));
  const value = bothSums
    ? { re: '_sre', im: '_sim' }
    : { re: '_sum', im: '_sum' };
  if (bothSums) lines.push(`const _sre = ${total};`, `const _sim = ${balancedSum(sums.map((u) => `_t${u}`))};`);
  else lines.push(`const _sum = ${total};`);
  if (width === 2) {
    lines.push('if (_part == 0) {', `  return ${epilogue.apply(value, outCoords, 're')};`, '}', `return ${epilogue.apply(value, outCoords, 'im')};`);
  } else {
    lines.push(`return ${epilogue.apply(value, outCoords, 're')};`);
  }
  const dims: Dims = batch > 1 ? [N * width, M, batch] : [N * width, M];
  const bindings = mergeBindings(where, a.bindings, b.bindings, epilogue.bindings);
  const result = builder.launch(name, bindings, lines.filter((l) => l !== '').join('\n'), dims);
  return operandOf(result, [...batchShape, M, N], epilogue.dtype);
}
