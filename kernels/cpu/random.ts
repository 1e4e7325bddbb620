/**
 * The CPU template of `random_bits`: counter-based random words generated in a kernel, so the
 * bits (dropout masks, noise) never pass through the host. Bit-identical to the interpreter
 * (`compiler/interpreter/random.ts`): element i (row-major over the output shape) is the first
 * word of Threefry-2x32-20(key, counter (i, 0)), reinterpreted as a signed i32.
 *
 * Threefry-2x32 (Salmon et al., SC 2011) with key words k0, k1 and the parity word
 * k2 = 0x1bd11bda ^ k0 ^ k1: x = (c0 + k0, c1 + k1); then 5 groups of 4 rounds, a round being
 * `x0 += x1; x1 = rotl(x1, r) ^ x0` with r from ROTATIONS (even groups the first row, odd groups
 * the second), and after group g the key injection `x0 += k[(g+1) % 3]`,
 * `x1 += k[(g+2) % 3] + g + 1`. In the kernel IR every word is an i32 whose additions wrap, and
 * rotl(x, r) = (x shl r) | (x shru (32 - r)), so the signed storage of the words changes no bit.
 * The counter's second word is 0, so x1 starts as k1; the injection constants
 * `k[(g+2) % 3] + g + 1` are computed once per launch; x1's last injection is skipped, as only
 * x0 is output.
 *
 * Loop shape: a unit is a block of BLOCK consecutive elements, and a launch range of units is one
 * contiguous element range [lo, hi) (the last unit stops at the element count). The range runs
 * as i32x4 words over the counters of consecutive elements, INTERLEAVE = 4 vectors per step
 * (four independent round chains, so the latency of one chain's add → rotate → xor hides behind
 * the others'), then single vectors, then scalar rounds for the last < 4 elements.
 *
 * Speed (V8, 2^20 words, one thread of a shared 2-core Xeon): 2.35 ns/word with 4 chains,
 * 2.9 with 2, 3.1 with 1, 2.2 with 8 (16 live words spill); 1.2 ns/word on 2 threads. The bound
 * is the shifts: two per round, and x86 runs vector shifts on two ports only (wasm has no rotate).
 */
import { Block, type Expr, END, START, add, bin, constant, i32, iadd, imul, isub, load, min, splat, vec } from '../ir/build';
import type { Kernel } from '../ir/types';
import type { TemplateContext, View } from './template';

/** Rotation constants of Threefry-2x32: row 0 for even groups of rounds, row 1 for odd ones. */
export const ROTATIONS = [
  [13, 15, 26, 6],
  [17, 29, 16, 24],
] as const;
/** The Threefish key-schedule parity constant. */
export const PARITY = 0x1bd11bda;
/** Groups of four rounds (20 rounds). */
const GROUPS = 5;
/** Elements per work unit (a multiple of 4 · INTERLEAVE). */
export const BLOCK = 256;
/** Vectors of four counters run side by side in the main loop. */
const INTERLEAVE = 4;
const STEP = 4 * INTERLEAVE;
/** Estimated operations per element (≈125 scalar i32 operations of Threefry, in 4 lanes). */
const COST_PER_ELEMENT = 32;

/** The key schedule of one launch: the words added before round 1 and after every group. */
interface KeySchedule {
  /** k0 and k1 (added to the counter words before the first round). */
  readonly k0: Expr;
  readonly k1: Expr;
  /**
   * After group g: x0 += inject0[g], x1 += inject1[g] (= k[(g+2) % 3] + g + 1); x1's last
   * injection is left out (only x0 is output).
   */
  readonly inject0: readonly Expr[];
  readonly inject1: readonly Expr[];
}

/** Scalar key schedule from the key words, bound to locals of `b`. */
function keySchedule(b: Block, k0: Expr, k1: Expr): KeySchedule {
  const ks = [k0, k1, b.let(bin('xor', bin('xor', i32(PARITY), k0), k1), 'k2_')];
  const inject0: Expr[] = [];
  const inject1: Expr[] = [];
  for (let g = 0; g < GROUPS; g++) {
    inject0.push(ks[(g + 1) % 3]);
    if (g < GROUPS - 1) inject1.push(b.let(add(ks[(g + 2) % 3], i32(g + 1)), `inj${g}_`));
  }
  return { k0, k1, inject0, inject1 };
}

/** The same schedule broadcast to i32x4 locals. */
function splatSchedule(b: Block, s: KeySchedule): KeySchedule {
  const v = (e: Expr, hint: string) => b.let(splat(e), hint);
  const k0 = v(s.k0, 'vk0_');
  const k1 = v(s.k1, 'vk1_');
  const k2 = v(s.inject0[1], 'vk2_'); // inject0 cycles k1, k2, k0, k1, k2
  const ks = [k0, k1, k2];
  return {
    k0,
    k1,
    inject0: s.inject0.map((_, g) => ks[(g + 1) % 3]),
    inject1: s.inject1.map((e, g) => v(e, `vinj${g}_`)),
  };
}

/** rotl(x, r) on i32 or i32x4 words. */
function rotl(x: Expr, r: number): Expr {
  return bin('or', bin('shl', x, constant(x.t, r)), bin('shru', x, constant(x.t, 32 - r)));
}

/**
 * Emits Threefry-2x32-20 for several counters (first words `counters`, second words 0) side by
 * side, each step applied to every counter before the next; returns the first output words.
 */
function threefryFirstWords(b: Block, s: KeySchedule, counters: readonly Expr[]): Expr[] {
  const x0 = counters.map((c) => b.let(add(c, s.k0), 'x0_'));
  const x1 = counters.map(() => b.let(s.k1, 'x1_'));
  const each = (f: (j: number) => void) => counters.forEach((_, j) => f(j));
  for (let g = 0; g < GROUPS; g++) {
    for (const r of ROTATIONS[g % 2]) {
      each((j) => b.set(x0[j], add(x0[j], x1[j])));
      each((j) => b.set(x1[j], bin('xor', rotl(x1[j], r), x0[j])));
    }
    each((j) => b.set(x0[j], add(x0[j], s.inject0[g])));
    if (g < GROUPS - 1) each((j) => b.set(x1[j], add(x1[j], s.inject1[g])));
  }
  return x0;
}

function checkViews(key: View, out: View): void {
  if (key.dtype !== 'i32' || key.shape.length !== 1 || key.shape[0] !== 2) {
    throw new Error(`random_bits: the key must be an i32[2] view, got ${key.dtype}[${key.shape.join(', ')}]`);
  }
  if (out.dtype !== 'i32') throw new Error(`random_bits: the output must be i32, got ${out.dtype}`);
  let s = 1;
  for (let a = out.shape.length - 1; a >= 0; a--) {
    if (out.shape[a] !== 1 && out.strides[a] !== s) {
      throw new Error(`random_bits: the output must be contiguous row-major, got strides [${out.strides.join(', ')}]`);
    }
    s *= out.shape[a];
  }
}

/** random_bits: out[i] = the interpreter's bits for element i of `shape`, from the i32[2] key in `key` (a View of 2 i32 elements). */
export function randomBits(ctx: TemplateContext, key: View, out: View): Kernel[] {
  checkViews(key, out);
  const n = out.shape.reduce((a, d) => a * d, 1);
  if (n === 0) return [];
  if (n > 2 ** 31 - 1 - BLOCK) throw new Error(`random_bits: ${n} elements exceed the i32 counter range`);
  const b = new Block();
  const k0 = b.let(load(key.buf, i32(key.offset), 'i32'), 'k0_');
  const k1 = b.let(load(key.buf, i32(key.offset + key.strides[0]), 'i32'), 'k1_');
  const sched = keySchedule(b, k0, k1);
  const vsched = splatSchedule(b, sched);
  const iota = b.let(vec([0, 1, 2, 3].map(i32)), 'iota');
  const at = (i: Expr) => iadd(i, i32(out.offset));

  const lo = b.let(min(imul(START, i32(BLOCK)), i32(n)), 'lo');
  const hi = b.let(min(imul(END, i32(BLOCK)), i32(n)), 'hi');
  const hiStep = b.let(iadd(lo, bin('and', isub(hi, lo), i32(-STEP))), 'hiStep');
  b.for(lo, hiStep, (i, body) => {
    const c = body.let(add(splat(i), iota), 'c');
    const counters = Array.from({ length: INTERLEAVE }, (_, v) => (v === 0 ? c : add(c, splat(i32(4 * v)))));
    threefryFirstWords(body, vsched, counters).forEach((w, v) => body.store(out.buf, at(iadd(i, i32(4 * v))), w));
  }, STEP);
  const hi4 = b.let(iadd(hiStep, bin('and', isub(hi, hiStep), i32(-4))), 'hi4');
  b.for(hiStep, hi4, (i, body) => {
    const [w] = threefryFirstWords(body, vsched, [add(splat(i), iota)]);
    body.store(out.buf, at(i), w);
  }, 4);
  b.for(hi4, hi, (i, body) => {
    const [w] = threefryFirstWords(body, sched, [i]);
    body.store(out.buf, at(i), w);
  });

  return [{ name: `${ctx.name}_threefry`, units: Math.ceil(n / BLOCK), unitCost: BLOCK * COST_PER_ELEMENT, body: b.stmts }];
}
