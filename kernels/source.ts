/**
 * Helpers that emit gpu.js kernel source text: numeric literals every backend
 * types as f32, row-major index arithmetic, flat-index unravelling, and the
 * naming rule that keeps template locals apart from caller identifiers.
 *
 * Naming rule: identifiers a template generates start with an underscore
 * (`_cell`, `_acc0`); identifiers supplied by callers (kernel parameters of
 * operands and epilogues) must not.
 */
import { stridesOf } from '../compiler/shape';

/** Shape of a tensor: non-negative integer extents, row-major. */
export type Shape = readonly number[];

export function product(shape: Shape): number {
  let n = 1;
  for (const d of shape) n *= d;
  return n;
}

/** Row-major strides (in elements), shared with the compiler. */
export { stridesOf };

export function assertShape(shape: Shape, where: string): void {
  for (const d of shape) {
    if (!Number.isInteger(d) || d < 1) {
      throw new Error(`${where}: shape [${shape.join(', ')}] must have positive integer extents`);
    }
  }
}

/** A float literal: `2.0`, `-0.5`, `1e-7`. NaN and infinities are rejected. */
export function f32(x: number): string {
  if (!Number.isFinite(x)) throw new Error(`kernel source: non-finite literal ${x}`);
  const s = String(x);
  return /[.eE]/.test(s) ? s : `${s}.0`;
}

/** An integer literal; rejects non-integers and values past f32-exact range. */
export function int(n: number): string {
  if (!Number.isInteger(n) || Math.abs(n) > 2 ** 24) {
    throw new Error(`kernel source: ${n} is not an integer representable exactly in float32`);
  }
  return String(n);
}

const IDENTIFIER = /^[A-Za-z$][A-Za-z0-9_$]*$/;
const RESERVED = new Set(['this', 'Math', 'function', 'return', 'let', 'const', 'for', 'if', 'else']);

/** Validates a caller-supplied identifier (kernel parameter). */
export function assertCallerIdentifier(name: string, where: string): void {
  if (!IDENTIFIER.test(name) || RESERVED.has(name)) {
    throw new Error(`${where}: '${name}' is not a valid kernel identifier (letters/digits, not starting with '_' or a digit)`);
  }
}

/** `a * s` folded for the common strides 0 and 1. */
function scaled(expr: string, stride: number): string | null {
  if (stride === 0 || expr === '0') return null;
  return stride === 1 ? `(${expr})` : `(${expr}) * ${int(stride)}`;
}

/** Flat row-major offset of `coords` in `shape` as a source expression. */
export function rowMajorOffset(coords: readonly string[], shape: Shape): string {
  if (coords.length !== shape.length) {
    throw new Error(`rowMajorOffset: ${coords.length} coordinates for rank-${shape.length} shape`);
  }
  const strides = stridesOf(shape);
  const terms = coords
    .map((c, i) => (shape[i] === 1 ? null : scaled(c, strides[i])))
    .filter((t): t is string => t !== null);
  return terms.length === 0 ? '0' : terms.join(' + ');
}

/**
 * Statements binding `${prefix}${axis}` to the coordinates of flat index
 * `flat` within `shape`. Size-1 axes get the literal '0' and no statement.
 */
export function unravel(flat: string, shape: Shape, prefix: string): { statements: string[]; coords: string[] } {
  const strides = stridesOf(shape);
  const statements: string[] = [];
  const coords: string[] = [];
  let rest = flat;
  for (let i = 0; i < shape.length; i++) {
    if (shape[i] === 1) {
      coords.push('0');
      continue;
    }
    const name = `${prefix}${i}`;
    const isLastVarying = shape.slice(i + 1).every((d) => d === 1);
    if (isLastVarying) {
      statements.push(`const ${name} = ${rest};`);
    } else {
      statements.push(`const ${name} = Math.floor(${rest} / ${int(strides[i])});`);
    }
    coords.push(name);
    if (!isLastVarying) {
      const restName = `${prefix}r${i}`;
      statements.push(`const ${restName} = ${rest} - ${name} * ${int(strides[i])};`);
      rest = restName;
    }
  }
  return { statements, coords };
}

/** Balanced sum of expressions (better float32 rounding than a chain). */
export function balancedSum(terms: readonly string[]): string {
  if (terms.length === 0) return '0.0';
  let level = terms.map((t) => `(${t})`);
  while (level.length > 1) {
    const next: string[] = [];
    for (let i = 0; i < level.length; i += 2) {
      next.push(i + 1 < level.length ? `(${level[i]} + ${level[i + 1]})` : level[i]);
    }
    level = next;
  }
  return level[0];
}

/** Indents every line of `text` by `depth` levels of two spaces. */
export function indent(text: string, depth = 1): string {
  const pad = '  '.repeat(depth);
  return text.split('\n').map((l) => (l.trim() === '' ? l : pad + l)).join('\n');
}
