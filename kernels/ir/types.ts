/**
 * The kernel IR: what fusion and the templates produce and what each backend renders. A kernel
 * is a small imperative program over flat buffers (loops, locals, loads, stores, scalar and
 * 4-lane vector arithmetic), run over a range of work units that a backend may split across
 * threads. Values have explicit types; complex numbers are pairs of f32 values.
 *
 * Types: scalars `f32`, `i32`, `bool` (0/1 at run time) and their 4-lane vectors `f32x4`,
 * `i32x4`, `boolx4` (a lane mask: all ones or all zeros). Index arithmetic is `i32`, exact and
 * wrapping at 2^32 like the interpreter's integers.
 *
 * Buffers are named; each holds elements of one storage type (`f32`, or `i32` for integers and
 * booleans). Indices count elements, not bytes. A vector load or store touches the lanes
 * `index + l * stride` (l = 0..3): stride 1 is contiguous, 0 a broadcast, anything else a gather.
 *
 * Nodes are plain immutable objects; the constructors in `build.ts` infer result types and
 * reject ill-typed combinations at once, and `typecheck.ts` re-checks whole kernels.
 */

export type ScalarType = 'f32' | 'i32' | 'bool';
export type VectorType = 'f32x4' | 'i32x4' | 'boolx4';
export type KType = ScalarType | VectorType;
export type Storage = 'f32' | 'i32';

export const LANES = 4;

export const isVector = (t: KType): t is VectorType => t.endsWith('x4');
export const elementOf = (t: KType): ScalarType => (isVector(t) ? (t.slice(0, -2) as ScalarType) : t);
export const vectorOf = (t: KType): VectorType => (isVector(t) ? t : (`${t}x4` as VectorType));
/** The same shape (scalar or vector) as `like`, with element type `e`. */
export const withElement = (like: KType, e: ScalarType): KType => (isVector(like) ? vectorOf(e) : e);
/** The storage type a loaded or stored value of this type uses. */
export const storageOf = (t: KType): Storage => (elementOf(t) === 'f32' ? 'f32' : 'i32');

export type UnOp =
  | 'neg' | 'abs' | 'sqrt' | 'floor' | 'ceil' | 'trunc' | 'nearest'
  /** Boolean negation (bool, boolx4). */
  | 'not'
  /** Bit reinterpretation: f32 -> i32 bits, and i32 bits -> f32. */
  | 'bitsOf' | 'fromBits';

export type ArithOp = 'add' | 'sub' | 'mul' | 'div' | 'min' | 'max' | 'rem';
export type BitOp = 'and' | 'or' | 'xor' | 'shl' | 'shr' | 'shru';
export type CompareOp = 'lt' | 'le' | 'gt' | 'ge' | 'eq' | 'ne';
export type BinOp = ArithOp | BitOp | CompareOp;

export const COMPARE_OPS: readonly CompareOp[] = ['lt', 'le', 'gt', 'ge', 'eq', 'ne'];
export const isCompare = (op: BinOp): op is CompareOp => (COMPARE_OPS as readonly string[]).includes(op);

/**
 * Expressions. Semantics worth stating:
 * - f32 arithmetic rounds to float32 after every operation; `min`/`max` propagate NaN;
 * - i32 `div` truncates and gives 0 for a zero divisor (and wraps for -2^31 / -1), `rem` is
 *   the truncated remainder (0 for a zero divisor), shifts take the count modulo 32;
 * - `cvt` converts values: f32 -> i32 truncates (NaN -> 0, saturating), i32 -> f32 rounds,
 *   numbers -> bool is `!= 0`, bool -> numbers is 0/1;
 * - `call` calls a function of the kernel IR's function table (the math library);
 * - `fma` (f32, f32x4) is a·b + c rounded once (fused) or twice (the product, then the sum):
 *   either result is admissible, as WebAssembly's `f32x4.relaxed_madd`, but a backend makes one
 *   choice for every `fma` of a program (the evaluator takes it as an option, `FmaMode`).
 */
export type Expr =
  | { readonly k: 'const'; readonly t: KType; readonly v: number }
  | { readonly k: 'get'; readonly t: KType; readonly name: string }
  | { readonly k: 'load'; readonly t: KType; readonly buf: string; readonly index: Expr; readonly stride: number }
  | { readonly k: 'un'; readonly t: KType; readonly op: UnOp; readonly a: Expr }
  | { readonly k: 'bin'; readonly t: KType; readonly op: BinOp; readonly a: Expr; readonly b: Expr }
  | { readonly k: 'select'; readonly t: KType; readonly c: Expr; readonly a: Expr; readonly b: Expr }
  | { readonly k: 'cvt'; readonly t: KType; readonly a: Expr }
  | { readonly k: 'splat'; readonly t: VectorType; readonly a: Expr }
  /** A vector from four scalars (lane 0 first). */
  | { readonly k: 'vec'; readonly t: VectorType; readonly lanes: readonly Expr[] }
  | { readonly k: 'lane'; readonly t: ScalarType; readonly a: Expr; readonly lane: number }
  | { readonly k: 'call'; readonly t: KType; readonly fn: string; readonly args: readonly Expr[] }
  | { readonly k: 'fma'; readonly t: KType; readonly a: Expr; readonly b: Expr; readonly c: Expr };

/** How `fma` rounds: once (`fused`) or after the product and after the sum (`separate`). */
export type FmaMode = 'fused' | 'separate';

/**
 * Statements. `let` declares a mutable local (names are unique within a kernel or function);
 * `for` declares its i32 counter and runs `from, from + step, …` while `< to` (step > 0);
 * `storePair` writes two vectors interleaved (a0 b0 a1 b1 …: a complex vector's parts).
 */
export type Stmt =
  | { readonly k: 'let'; readonly name: string; readonly t: KType; readonly init: Expr }
  | { readonly k: 'set'; readonly name: string; readonly value: Expr }
  | { readonly k: 'store'; readonly buf: string; readonly index: Expr; readonly value: Expr; readonly stride: number }
  | { readonly k: 'storePair'; readonly buf: string; readonly index: Expr; readonly a: Expr; readonly b: Expr }
  | { readonly k: 'for'; readonly v: string; readonly from: Expr; readonly to: Expr; readonly step: number; readonly body: readonly Stmt[] }
  | { readonly k: 'if'; readonly cond: Expr; readonly then: readonly Stmt[]; readonly else: readonly Stmt[] };

/** A function of the math library: parameters, a body, and the returned expression. */
export interface KFunction {
  readonly name: string;
  readonly params: readonly { readonly name: string; readonly t: KType }[];
  readonly result: KType;
  readonly body: readonly Stmt[];
  readonly ret: Expr;
}

/** Lines made when first asked and then kept (formatting a source line costs tens of µs). */
export type Listing = () => readonly string[];

/**
 * A kernel: `body` runs for the work units [start, end) (the i32 variables `start` and `end`);
 * a launch covers [0, units). Units must be independent: any split across threads gives the
 * same result. `unitCost` estimates the scalar operations of one unit, so a backend can leave
 * small launches on one thread.
 */
export interface Kernel {
  readonly name: string;
  readonly units: number;
  readonly unitCost: number;
  readonly body: readonly Stmt[];
  /**
   * What it computes, for people: the program equations fused into it, each with the user's
   * source line where known (printed by `printKernel` and by the SSMJIT_PROFILE=1 table).
   */
  readonly computes?: Listing;
  /** The template's own name for the kernel (`matmul_tiles`), where the lowering named it after what it computes. */
  readonly template?: string;
}

export type BufferKind = 'input' | 'constant' | 'temp';

export interface BufferDecl {
  readonly id: string;
  /** Elements (not bytes). */
  readonly size: number;
  readonly storage: Storage;
  readonly kind: BufferKind;
  /** The values of a constant buffer. */
  readonly data?: Float32Array | Int32Array;
}

/** A program: buffers, and kernels run in order. */
export interface KernelProgram {
  readonly name: string;
  readonly buffers: readonly BufferDecl[];
  readonly kernels: readonly Kernel[];
}
