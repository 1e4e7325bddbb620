/**
 * The CPU template of batched matmul, C[p] = A[p] · B[p] for `[...batch, M, K] × [...batch, K, N]`,
 * f32 or i32 (i32 products and sums wrap, exactly as the interpreter's). It owns the blocking:
 *
 * - The micro-kernel keeps an MR × NR = 4 × 8 tile of C in 8 vector accumulators (plus 2 B
 *   vectors, one broadcast A value and the product: 12 of V8's 16 xmm registers, no spills)
 *   and walks k unrolled by 4: per k two vector loads of B, four broadcast loads of A
 *   (`v128.load32_splat`), eight multiply-adds. (6 × 8 and 4 × 12 tiles measured no better.)
 *   f32 products accumulate with the kernel IR's `fma`; where the backend renders it as one
 *   instruction (`ctx.fusedMultiplyAdd`: wasm relaxed SIMD) no register holds the product and
 *   the tile is MR_FMA × NR = 6 × 8: 12 accumulators, 2 B vectors and one A value, 15 registers
 *   (V8 keeps the 16th as scratch), six broadcasts of A per two loads of B.
 * - B is cut into panels of NR = 8 columns, packed contiguously (`[panel][k][8]`, the last
 *   panel zero-padded to whole vectors) by a first kernel unless B (or each K-chunk of it, see
 *   split-K below) is small, row-contiguous and made of whole panels (`readsBInPlace`). A is
 *   read in place (four values of one k per step, any strides) unless its rows are far from
 *   contiguous (a transposed activation, `packsA`): then it is packed as `[row block][k][4]`. Packing kernels read whole rows of the operand, 64
 *   k-steps a unit, so each line of a transposed operand is read once.
 * - Edges are static: the last row block has M mod MR rows (its own tile code), the last panel
 *   ceil((N mod 8)/4) vectors whose lanes past N are stored one by one; k runs in steps of 4,
 *   then single steps.
 * - Work units are blocks of MR (or MR_FMA) rows of C (× batch), so a launch splits across
 *   threads. When the C tiles are too few to feed the threads and K is long (the
 *   weight-gradient shapes, 64×8192·8192×64), K is split into chunks (`splitK`): each unit
 *   computes a partial C of one row block for one K-chunk into scratch, and a second kernel
 *   sums the partials.
 */
import { Block, type Expr, END, START, add, bin, f32, fma, i32, iadd, idiv, imul, irem, isub, lane, load, mul, splat, vec } from '../ir/build';
import type { Kernel, ScalarType } from '../ir/types';
import { vectorOf } from '../ir/types';
import type { TemplateContext, View } from './template';

/** Rows of a C tile (and of a work unit). */
export const MR = 4;
/** Rows of an f32 C tile where `fma` is one instruction (ctx.fusedMultiplyAdd). */
export const MR_FMA = 6;
/** Columns of a C tile (a B panel): two f32x4 vectors. */
export const NR = 8;
/** k-steps unrolled in the micro-kernel's loop. */
const KU = 4;

/** Tiles of this many rows and columns are what the split-K rule counts as blocks of C. */
const C_BLOCK = 64;
/** Split K only when it has at least this many steps, into chunks of about KC steps. */
const SPLIT_MIN_K = 512;
const KC = 512;
const MAX_CHUNKS = 64;

/**
 * How many K-chunks to split the product into: 1 (no split) unless the 64×64 blocks of C
 * (× batch) are fewer than two per thread and K ≥ 512; then chunks of about 512 k-steps, at
 * least two per thread, at most 64.
 */
export function splitK(batch: number, M: number, N: number, K: number, threads: number): number {
  const blocks = batch * Math.ceil(M / C_BLOCK) * Math.ceil(N / C_BLOCK);
  if (K < SPLIT_MIN_K || blocks >= 2 * threads) return 1;
  return Math.min(MAX_CHUNKS, Math.max(2 * threads, Math.ceil(K / KC)));
}

/**
 * Whether B is read in place: contiguous rows, whole panels, and at most 64 KiB (K·N ≤ 16384),
 * or at most 256 KiB per K-chunk of a split product (`kc` < K), so that the panels every row
 * block walks again stay in cache. Longer or wider B without a split (64×8192·8192×256) runs
 * about twice as fast packed.
 */
const readsBInPlace = (sN: number, N: number, K: number, kc: number): boolean => K === 0 || (sN === 1 && N % NR === 0 && Math.min(K, kc) * N <= (kc < K ? SPLIT_IN_PLACE : 16384));
/**
 * Floats of B per K-chunk up to which a split product reads B in place: the row blocks of one
 * chunk are consecutive units, so its rows stay in cache. The weight gradient 64×8192·8192×64
 * (chunks of 512 rows of 64 floats) took 1.31 ms so against 1.35 packed, and the S5 step's three
 * such products ~0.3 ms less each (no packing pass; tiles no slower); 64×8192·8192×128 2.48
 * against 2.73 ms.
 */
const SPLIT_IN_PLACE = 65536;

/**
 * Whether A is packed: when its rows are not contiguous (a transposed activation) and the
 * product is big enough to repay a pass over A. Walking k then steps by a whole row of the
 * underlying matrix (each line holding 4 useful values), and with power-of-two row lengths
 * those lines crowd a few cache sets; packed, a block of 4 rows is one contiguous stream.
 * A part of a complex matrix (k-stride 2: half of every line useful) is read in place.
 */
const packsA = (sAk: number, M: number, N: number, K: number, mr: number): boolean => Math.abs(sAk) > 2 && M >= mr && N >= NR && K >= 16;

interface Dim {
  readonly size: number;
  /** Strides of A, B and C along this batch axis. */
  readonly strides: readonly [number, number, number];
}

/** Batch axes without those of size 1, adjacent axes merged where all three views allow it. */
function batchDims(a: View, b: View, out: View): Dim[] {
  const r = a.shape.length;
  const dims: Dim[] = [];
  for (let d = 0; d < r - 2; d++) {
    if (a.shape[d] === 1) continue;
    const s: [number, number, number] = [a.strides[d], b.strides[d], out.strides[d]];
    const prev = dims[dims.length - 1];
    if (prev && prev.strides.every((ps, v) => ps === s[v] * a.shape[d])) dims[dims.length - 1] = { size: prev.size * a.shape[d], strides: s };
    else dims.push({ size: a.shape[d], strides: s });
  }
  return dims;
}

/** i32 locals holding the offsets Σ coord_d · stride_d of flat batch index `p`, one per view. */
function batchOffsets(blk: Block, p: Expr, dims: readonly Dim[], views: readonly number[]): Expr[] {
  const offs: Expr[] = views.map(() => i32(0));
  let rest = p;
  for (let d = dims.length - 1; d >= 0; d--) {
    const coord = d === 0 ? rest : blk.bind(irem(rest, dims[d].size), 'c');
    if (d > 0) rest = blk.bind(idiv(rest, dims[d].size), 'q');
    views.forEach((v, i) => (offs[i] = iadd(offs[i], imul(coord, i32(dims[d].strides[v])))));
  }
  return offs.map((o) => blk.bind(o, 'o'));
}

const zero = (e: ScalarType): Expr => (e === 'f32' ? f32(0) : i32(0));

/** Where a tile of C is stored (C itself, or a partial product in scratch). */
interface TileOut {
  readonly buf: string;
  /** Index of the tile's element (0, 0). */
  readonly base: Expr;
  readonly rowStride: number;
  readonly colStride: number;
}

interface TileSpec {
  readonly e: ScalarType;
  readonly rows: number;
  /** Vectors per row (NR/4 for a full panel), and how many columns of them are valid. */
  readonly vectors: number;
  readonly cols: number;
  readonly a: { readonly buf: string; readonly base: Expr; readonly rowStride: number; readonly kStride: number };
  readonly b: { readonly buf: string; readonly base: Expr; readonly kStride: number };
  /** k-steps: a constant or an i32 expression. */
  readonly kLen: Expr;
  readonly out: TileOut;
}

/** The register-blocked micro-kernel: one `rows × 4·vectors` tile of C over `kLen` k-steps. */
function emitTile(blk: Block, t: TileSpec): void {
  const vt = vectorOf(t.e);
  const acc = Array.from({ length: t.rows }, () => Array.from({ length: t.vectors }, () => blk.let(splat(zero(t.e)), 'acc')));
  // Each k-step group binds its own A and B positions from the loop counter (no reassigned
  // pointers), so the renderer folds the constant parts of every load's index into its offset.
  const step = (body: Block, k: Expr, unroll: number): void => {
    const pa = body.bind(iadd(t.a.base, imul(k, i32(t.a.kStride))), 'pa');
    const pb = body.bind(iadd(t.b.base, imul(k, i32(t.b.kStride))), 'pb');
    for (let u = 0; u < unroll; u++) {
      const bv = Array.from({ length: t.vectors }, (_, c) => body.let(load(t.b.buf, iadd(pb, i32(u * t.b.kStride + 4 * c)), vt), 'b'));
      for (let r = 0; r < t.rows; r++) {
        const av = body.let(splat(load(t.a.buf, iadd(pa, i32(r * t.a.rowStride + u * t.a.kStride)), t.e)), 'a');
        for (let c = 0; c < t.vectors; c++) body.set(acc[r][c], t.e === 'f32' ? fma(av, bv[c], acc[r][c]) : add(acc[r][c], mul(av, bv[c])));
      }
    }
  };
  const kMain = t.kLen.k === 'const' ? i32(t.kLen.v - (t.kLen.v % KU)) : blk.bind(bin('and', t.kLen, i32(~(KU - 1))), 'km');
  blk.for(i32(0), kMain, (k, body) => step(body, k, KU), KU, 'k');
  if (t.kLen.k !== 'const' || t.kLen.v % KU !== 0) blk.for(kMain, t.kLen, (k, body) => step(body, k, 1), 1, 'k');
  const o = t.out;
  for (let r = 0; r < t.rows; r++) {
    for (let c = 0; c < t.vectors; c++) {
      const at = (j: number): Expr => iadd(o.base, i32(r * o.rowStride + j * o.colStride));
      const valid = Math.min(4, t.cols - 4 * c);
      if (valid === 4) blk.store(o.buf, at(4 * c), acc[r][c], o.colStride);
      else for (let l = 0; l < valid; l++) blk.store(o.buf, at(4 * c + l), lane(acc[r][c], l));
    }
  }
}

/** k-steps per unit of the packing kernels. */
const PACK_K = 64;

/**
 * A packing kernel: one unit per (batch of the operand, block of 64 k-steps), so each unit
 * reads whole rows (k fixed) of the operand once, whatever its layout. `rows(blk, p, k, n)`
 * copies the n = 4 (or, at the end of K, 1) rows k.. of batch p to their packed places.
 */
function packKernel(name: string, dims: readonly Dim[], K: number, width: number, rows: (blk: Block, p: Expr, k: Expr, n: number) => void): Kernel {
  const P = dims.reduce((n, d) => n * d.size, 1);
  const blocks = Math.ceil(K / PACK_K);
  const blk = new Block();
  blk.for(START, END, (u, body) => {
    const p = body.bind(idiv(u, blocks), 'p');
    const k0 = body.bind(imul(irem(u, blocks), i32(PACK_K)), 'k0');
    // Steps of 4 up to the last multiple of 4 below K, then single steps (in the last block only).
    const mainEnd = body.bind(imin(iadd(k0, i32(PACK_K)), K - (K % 4)), 'ke');
    body.for(k0, mainEnd, (k, kb) => rows(kb, p, k, 4), 4, 'k');
    if (K % 4 !== 0) body.for(bin('max', mainEnd, i32(K - (K % 4))), body.bind(imin(iadd(k0, i32(PACK_K)), K), 'kt'), (k, kb) => rows(kb, p, k, 1), 1, 'k');
  });
  return { name, units: P * blocks, unitCost: PACK_K * width, body: blk.stmts };
}

const imin = (a: Expr, b: number): Expr => bin('min', a, i32(b));

/** The batched product `out = a · b` as kernels: [pack B,] [pack A,] tiles[, sum of K-chunks]. */
export function matmul(ctx: TemplateContext, a: View, b: View, out: View): Kernel[] {
  const r = a.shape.length;
  if (r < 2 || b.shape.length !== r || out.shape.length !== r) throw new Error(`matmul template: ranks ${a.shape.length}, ${b.shape.length}, ${out.shape.length}`);
  if (a.dtype !== b.dtype || a.dtype !== out.dtype || (a.dtype !== 'f32' && a.dtype !== 'i32')) {
    throw new Error(`matmul template: dtypes ${a.dtype}, ${b.dtype} -> ${out.dtype} (f32 or i32 only)`);
  }
  const e: ScalarType = a.dtype;
  const [M, K, N] = [a.shape[r - 2], a.shape[r - 1], b.shape[r - 1]];
  if (b.shape[r - 2] !== K || out.shape[r - 2] !== M || out.shape[r - 1] !== N) {
    throw new Error(`matmul template: shapes [${a.shape}] · [${b.shape}] -> [${out.shape}]`);
  }
  const dims = batchDims(a, b, out);
  const P = dims.reduce((n, d) => n * d.size, 1);
  if (M === 0 || N === 0 || P === 0) return [];

  const [sAm, sAk] = [a.strides[r - 2], a.strides[r - 1]];
  const [sBk, sBn] = [b.strides[r - 2], b.strides[r - 1]];
  const [sCm, sCn] = [out.strides[r - 2], out.strides[r - 1]];
  // Rows of a tile: 6 where fma is one instruction (see the module comment), else 4.
  const mr = e === 'f32' && ctx.fusedMultiplyAdd ? MR_FMA : MR;
  const fullPanels = Math.floor(N / NR);
  const tailCols = N - fullPanels * NR;
  const tailVectors = Math.ceil(tailCols / 4);
  const fullRowBlocks = Math.floor(M / mr);
  const tailRows = M - fullRowBlocks * mr;
  const rowBlocks = fullRowBlocks + (tailRows > 0 ? 1 : 0);
  const storage = e === 'f32' ? 'f32' : 'i32';
  const kernels: Kernel[] = [];

  // Packing B into panels [panel][k][NR columns] (a B broadcast over the batch is packed once).
  const chunks = splitK(P, M, N, K, ctx.threads);
  const kc = chunks === 1 ? K : Math.ceil(K / chunks / KU) * KU;
  const inPlace = readsBInPlace(sBn, N, K, kc);
  const bBatched = dims.some((d) => d.strides[1] !== 0);
  const packedSize = K * (fullPanels * NR + 4 * tailVectors);
  let bBuf = b.buf;
  if (!inPlace) {
    bBuf = ctx.scratch((bBatched ? P : 1) * packedSize, storage, 'packed B panels');
    kernels.push(packKernel(`${ctx.name}_packB`, bBatched ? dims : [], K, N, (blk, p, k0, n) => {
      const [bOff] = batchOffsets(blk, p, bBatched ? dims : [], [1]);
      for (let dk = 0; dk < n; dk++) {
        const k = iadd(k0, i32(dk));
        const src = blk.bind(iadd(i32(b.offset), iadd(bOff, imul(k, i32(sBk)))), 's');
        const dst = blk.bind(iadd(imul(p, i32(packedSize)), imul(k, i32(NR))), 'd');
        const copy = (into: Block, at: Expr, col0: Expr, width: number, cols: number): void => {
          for (let c = 0; c < width / 4; c++) {
            const valid = Math.min(4, cols - 4 * c);
            const from = (l: number): Expr => iadd(src, imul(iadd(col0, i32(4 * c + l)), i32(sBn)));
            const v = valid === 4
              ? load(b.buf, from(0), vectorOf(e), sBn)
              : vec(Array.from({ length: 4 }, (_, l) => (l < valid ? load(b.buf, from(l), e) : zero(e))));
            into.store(bBuf, iadd(at, i32(4 * c)), v);
          }
        };
        if (fullPanels > 0) blk.for(i32(0), i32(fullPanels), (jp, pb) => copy(pb, iadd(dst, imul(jp, i32(K * NR))), imul(jp, i32(NR)), NR, NR), 1, 'jp');
        // The tail panel is narrower: row k at k·width after all full panels.
        if (tailVectors > 0) copy(blk, iadd(imul(p, i32(packedSize)), iadd(i32(fullPanels * K * NR), imul(k, i32(4 * tailVectors)))), i32(fullPanels * NR), 4 * tailVectors, tailCols);
      }
    }));
  }

  // Packing A into row blocks [block][k][mr rows] when its layout is unfriendly (see packsA).
  const packA = packsA(sAk, M, N, K, mr);
  const aBatched = dims.some((d) => d.strides[0] !== 0);
  const aPacked = packA ? ctx.scratch((aBatched ? P : 1) * rowBlocks * K * mr, storage, 'packed A row blocks') : '';
  if (packA) {
    // n consecutive k-steps of a block of mr rows are n·mr consecutive packed values (whole
    // lines for n = 4, mr = 4): per k-step rows 0-3 as one gathered vector, the rest one by one.
    kernels.push(packKernel(`${ctx.name}_packA`, aBatched ? dims : [], K, M, (blk, p, k, n) => {
      const [aOff] = batchOffsets(blk, p, aBatched ? dims : [], [0]);
      const src = blk.bind(iadd(i32(a.offset), iadd(aOff, imul(k, i32(sAk)))), 's');
      const dst = blk.bind(iadd(imul(p, i32(rowBlocks * K * mr)), imul(k, i32(mr))), 'd');
      if (fullRowBlocks > 0) {
        blk.for(i32(0), i32(fullRowBlocks), (rb, rbb) => {
          const from = rbb.bind(iadd(src, imul(rb, i32(mr * sAm))), 'f');
          const to = rbb.bind(iadd(dst, imul(rb, i32(K * mr))), 't');
          for (let dk = 0; dk < n; dk++) {
            rbb.store(aPacked, iadd(to, i32(dk * mr)), load(a.buf, iadd(from, i32(dk * sAk)), vectorOf(e), sAm));
            for (let r = 4; r < mr; r++) rbb.store(aPacked, iadd(to, i32(dk * mr + r)), load(a.buf, iadd(from, i32(dk * sAk + r * sAm)), e));
          }
        }, 1, 'rb');
      }
      for (let dk = 0; dk < n; dk++) {
        for (let r = 0; r < tailRows; r++) {
          blk.store(aPacked, iadd(dst, i32(fullRowBlocks * K * mr + dk * mr + r)), load(a.buf, iadd(src, i32((fullRowBlocks * mr + r) * sAm + dk * sAk)), e));
        }
      }
    }));
  }

  // Tiles: one unit per (K-chunk, batch, block of mr rows), chunk-major so that consecutive units share B.
  const C = chunks === 1 ? 1 : Math.ceil(K / kc);
  const partial = C > 1 ? ctx.scratch(C * P * M * N, storage, 'partial products of K-chunks') : '';
  const perChunk = P * rowBlocks;
  const blk = new Block();
  blk.for(START, END, (u, body) => {
    const ch = C > 1 ? body.bind(idiv(u, perChunk), 'ch') : i32(0);
    const rest = C > 1 ? body.bind(irem(u, perChunk), 'u') : u;
    const p = body.bind(idiv(rest, rowBlocks), 'p');
    const rb = body.bind(irem(rest, rowBlocks), 'rb');
    const [aOff, bOff, cOff] = batchOffsets(body, p, dims, [0, 1, 2]);
    const k0 = body.bind(imul(ch, i32(kc)), 'k0');
    const kLen = C > 1 ? body.bind(bin('min', i32(kc), isub(i32(K), k0)), 'kn') : i32(K);
    const i0 = body.bind(imul(rb, i32(mr)), 'i0');
    const aRow = packA
      ? body.bind(iadd(imul(iadd(aBatched ? imul(p, i32(rowBlocks)) : i32(0), rb), i32(K * mr)), imul(k0, i32(mr))), 'ar')
      : body.bind(iadd(i32(a.offset), iadd(aOff, iadd(imul(i0, i32(sAm)), imul(k0, i32(sAk))))), 'ar');
    const bStart = inPlace
      ? body.bind(iadd(i32(b.offset), iadd(bOff, imul(k0, i32(sBk)))), 'bs')
      : body.bind(bBatched ? imul(p, i32(packedSize)) : i32(0), 'bs');
    const oRow = C > 1
      ? body.bind(iadd(imul(ch, i32(P * M * N)), iadd(imul(p, i32(M * N)), imul(i0, i32(N)))), 'or')
      : body.bind(iadd(i32(out.offset), iadd(cOff, imul(i0, i32(sCm)))), 'or');
    const [oRowStride, oColStride] = C > 1 ? [N, 1] : [sCm, sCn];
    const oBuf = C > 1 ? partial : out.buf;

    const rowBlock = (rows: number) => (rbBody: Block): void => {
      const tile = (tb: Block, jp: Expr, width: number, cols: number): void => {
        // Panel jp of B: in place it starts at column jp·NR (row k0 is in bStart); packed, at
        // jp·K·NR (the tail panel after all full ones), row k0 at k0·width within the panel.
        const bBase = inPlace ? iadd(bStart, imul(jp, i32(NR))) : iadd(bStart, iadd(imul(jp, i32(K * NR)), imul(k0, i32(width))));
        emitTile(tb, {
          e, rows, vectors: width / 4, cols, kLen,
          a: packA ? { buf: aPacked, base: aRow, rowStride: 1, kStride: mr } : { buf: a.buf, base: aRow, rowStride: sAm, kStride: sAk },
          b: { buf: bBuf, base: bBase, kStride: inPlace ? sBk : width },
          out: { buf: oBuf, base: iadd(oRow, imul(jp, i32(NR * oColStride))), rowStride: oRowStride, colStride: oColStride },
        });
      };
      if (fullPanels > 0) rbBody.for(i32(0), i32(fullPanels), (jp, pb) => tile(pb, jp, NR, NR), 1, 'jp');
      if (tailVectors > 0) tile(rbBody, i32(fullPanels), 4 * tailVectors, tailCols);
    };
    if (tailRows === 0) rowBlock(mr)(body);
    else if (fullRowBlocks === 0) rowBlock(tailRows)(body);
    else body.if(bin('lt', rb, i32(fullRowBlocks)), rowBlock(mr), rowBlock(tailRows));
  });
  kernels.push({ name: `${ctx.name}_tiles`, units: C * perChunk, unitCost: 2 * mr * N * kc, body: blk.stmts });

  if (C > 1) kernels.push(sumChunks(ctx, e, partial, C, dims, M, N, out));
  return kernels;
}

/** The second kernel of split-K: C[p, i, :] = Σ_chunk partial[chunk, p, i, :], one unit per row of C. */
function sumChunks(ctx: TemplateContext, e: ScalarType, partial: string, C: number, dims: readonly Dim[], M: number, N: number, out: View): Kernel {
  const r = out.shape.length;
  const [sCm, sCn] = [out.strides[r - 2], out.strides[r - 1]];
  const P = dims.reduce((n, d) => n * d.size, 1);
  const vt = vectorOf(e);
  const blk = new Block();
  blk.for(START, END, (u, body) => {
    const p = body.bind(idiv(u, M), 'p');
    const i = body.bind(irem(u, M), 'i');
    const [cOff] = batchOffsets(body, p, dims, [2]);
    const src = body.bind(imul(u, i32(N)), 'src');
    const dst = body.bind(iadd(i32(out.offset), iadd(cOff, imul(i, i32(sCm)))), 'dst');
    const sumAt = (into: Block, j: Expr, t: 'vector' | 'scalar'): Expr => {
      const acc = into.let(load(partial, iadd(src, j), t === 'vector' ? vt : e), 's');
      into.for(i32(1), i32(C), (ch, cb) => cb.set(acc, add(acc, load(partial, iadd(iadd(src, j), imul(ch, i32(P * M * N))), acc.t))), 1, 'ch');
      return acc;
    };
    const nv = Math.floor(N / 4);
    if (nv > 0) body.for(i32(0), i32(4 * nv), (j, jb) => jb.store(out.buf, iadd(dst, imul(j, i32(sCn))), sumAt(jb, j, 'vector'), sCn), 4, 'j');
    for (let j = 4 * nv; j < N; j++) body.store(out.buf, iadd(dst, i32(j * sCn)), sumAt(body, i32(j), 'scalar'));
  });
  return { name: `${ctx.name}_sumK`, units: P * M, unitCost: C * N, body: blk.stmts };
}
