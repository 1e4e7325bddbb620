/**
 * Helpers for gpu.js kernel source text and plan bookkeeping: shapes (`product`, row-major
 * `stridesOf`, `assertShape`), float literals as every gpu.js backend reads them (`literal`),
 * parenthesising an operand of an operator (`atom`), and the rule for caller-supplied kernel
 * identifiers (plan buffer ids become kernel parameters): letters and digits, not starting
 * with '_' (the renderer's own locals) or a digit. The gpu.js renderer of the kernel IR
 * (kernels/gpujs/render.ts) writes kernel bodies with them.
 */

/** Shape of a tensor: non-negative integer extents, row-major. */
export type Shape = readonly number[];

export function product(shape: Shape): number {
  let n = 1;
  for (const d of shape) n *= d;
  return n;
}

/** Row-major strides (in elements) of `shape`. */
export function stridesOf(shape: Shape): number[] {
  const strides = new Array<number>(shape.length);
  let s = 1;
  for (let i = shape.length - 1; i >= 0; i--) {
    strides[i] = s;
    s *= shape[i];
  }
  return strides;
}

export function assertShape(shape: Shape, where: string): void {
  for (const d of shape) {
    if (!Number.isInteger(d) || d < 1) {
      throw new Error(`${where}: shape [${shape.join(', ')}] must have positive integer extents`);
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Numeric literals

/**
 * A float value as a literal: the float32 nearest `x` (so every backend, the float64 cpu one
 * included, starts from the same constant), written with a decimal point or exponent (`2.0`,
 * `1e-7`); negative fractions are parenthesised (`(-0.5)`). NaN is written `(0.0 / 0.0)` and
 * ±Infinity as ±3.4028234663852886e38, the largest float32: the shader languages have no
 * literal for either.
 */
export function literal(x: number): string {
  if (Number.isNaN(x)) return '(0.0 / 0.0)';
  if (x === Infinity) return '3.4028234663852886e38';
  if (x === -Infinity) return '-3.4028234663852886e38';
  const s = String(Math.fround(x) === x ? x : Math.fround(x));
  return /[.eE]/.test(s) ? (s.startsWith('-') ? `(${s})` : s) : `${s}.0`;
}

const IDENTIFIER = /^[A-Za-z$][A-Za-z0-9_$]*$/;
const RESERVED = new Set(['this', 'Math', 'function', 'return', 'let', 'const', 'for', 'if', 'else']);

/** Validates a caller-supplied identifier (kernel parameter). */
export function assertCallerIdentifier(name: string, where: string): void {
  if (!IDENTIFIER.test(name) || RESERVED.has(name)) {
    throw new Error(`${where}: '${name}' is not a valid kernel identifier (letters/digits, not starting with '_' or a digit)`);
  }
}

/** A name or a number: needs no parentheses. */
const SIMPLE = /^[\w.]+$/;

/**
 * `expr` made safe as an operand of a binary operator: unchanged when it is a name, a number,
 * a call or already enclosed in one pair of parentheses; parenthesised otherwise.
 */
export function atom(expr: string): string {
  if (SIMPLE.test(expr)) return expr;
  const open = /^[\w.]*\(/.exec(expr);
  if (open) {
    let depth = 0;
    for (let i = open[0].length - 1; i < expr.length; i++) {
      if (expr[i] === '(') depth++;
      else if (expr[i] === ')' && --depth === 0) {
        if (i === expr.length - 1) return expr;
        break;
      }
    }
  }
  return `(${expr})`;
}
