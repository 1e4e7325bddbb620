/**
 * Helpers that emit gpu.js kernel source text, shared by the templates and by the compiler's
 * gpu.js lowering (compiler/jit): numeric literals, row-major strides and offsets, flat-index
 * unravelling, and the naming rule that keeps template locals apart from caller identifiers.
 * These are the only copies of the index helpers on the gpu.js path.
 *
 * Index arithmetic is float-valued. gpu.js kernels hold every number as a float (float32 on
 * webasm, webgpu and headlessgl; float64 JavaScript on cpu), so an index is an integer-valued
 * float, exact up to 2^24 in float32. The index helpers write their integer constants as float
 * literals (`12.0`) and a size-1 axis's coordinate as '0.0'. gpu.js types a numeric literal by
 * its value, not its spelling (`12` and `12.0` compile alike on every backend); what its type
 * inference does see is the shape of an expression: `Math.floor(…)` and thread indices are
 * Integer, a quotient `a / b` is Number. Every coordinate `unravel` returns is therefore a
 * `Math.floor` or a difference of two, Integer whatever the type of the flat index.
 *
 * Naming rule: identifiers a template generates start with an underscore
 * (`_cell`, `_acc0`); identifiers supplied by callers (kernel parameters of
 * operands and epilogues) must not.
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

/** `n`, after checking that it is an integer float32 represents exactly (|n| <= 2^24). */
export function exactInteger(n: number): number {
  if (!Number.isInteger(n) || Math.abs(n) > 2 ** 24) {
    throw new Error(`kernel source: ${n} is not an integer representable exactly in float32`);
  }
  return n;
}

/**
 * An integer literal (`12`) for a template's own arithmetic and loop bounds; rejects
 * non-integers and values past float32's exact range (see exactInteger).
 */
export function int(n: number): string {
  return String(exactInteger(n));
}

/**
 * An integer as a float literal (`12.0`, `-3.0`) for index arithmetic: an offset, extent or
 * bound. Any integer is accepted: past 2^24 the arithmetic is exact only on the cpu backend.
 */
export function indexLiteral(n: number): string {
  if (!Number.isInteger(n)) throw new Error(`kernel source: index literal ${n} is not an integer`);
  return `${n}.0`;
}

/** Strides and extents inside the index helpers: float literals, checked as exactInteger. */
const exactIndex = (n: number): string => indexLiteral(exactInteger(n));

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

/** The former name of `literal` (kernels/index.ts exports it). */
export const f32 = literal;

const IDENTIFIER = /^[A-Za-z$][A-Za-z0-9_$]*$/;
const RESERVED = new Set(['this', 'Math', 'function', 'return', 'let', 'const', 'for', 'if', 'else']);

/** Validates a caller-supplied identifier (kernel parameter). */
export function assertCallerIdentifier(name: string, where: string): void {
  if (!IDENTIFIER.test(name) || RESERVED.has(name)) {
    throw new Error(`${where}: '${name}' is not a valid kernel identifier (letters/digits, not starting with '_' or a digit)`);
  }
}

// ---------------------------------------------------------------------------------------------
// Index expressions

/** A name or a number: needs no parentheses and no binding. */
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

const isZero = (c: string): boolean => c === '0' || c === '0.0';

/**
 * Flat row-major offset of `coords` in `shape` as a source expression: `c0 * 20.0 + c1 * 5.0 + c2`
 * (coordinates made atoms). Size-1 axes and literal-zero coordinates add no term; with no term
 * left the offset is '0.0'. The sum itself is not parenthesised.
 */
export function rowMajorOffset(coords: readonly string[], shape: Shape): string {
  if (coords.length !== shape.length) {
    throw new Error(`rowMajorOffset: ${coords.length} coordinates for rank-${shape.length} shape`);
  }
  const strides = stridesOf(shape);
  const terms = coords.flatMap((c, i) => {
    if (shape[i] === 1 || strides[i] === 0 || isZero(c)) return [];
    return [strides[i] === 1 ? atom(c) : `${atom(c)} * ${exactIndex(strides[i])}`];
  });
  return terms.length === 0 ? '0.0' : terms.join(' + ');
}

/**
 * Coordinates of the flat row-major index `flat` (an integer-valued expression in
 * [0, product(shape))) within `shape`, as source expressions. With q(s) = Math.floor(flat / s)
 * (written Math.floor(flat) for s = 1), the coordinate on an axis of stride s and extent d is
 * q(s) - q(s * d) * d, or q(s) alone on the leading axis of extent > 1 (flat < size needs no
 * wrap). Size-1 axes give '0.0'.
 *
 * `bind` names an expression where statements are allowed and returns the name (the identity,
 * the default, keeps everything one expression); it is applied to the flat index, to each
 * quotient (computed once) and to each coordinate.
 */
export function unravel(flat: string, shape: Shape, bind: (expr: string) => string = (e) => e): string[] {
  const strides = stridesOf(shape);
  const size = product(shape);
  const f = bind(atom(flat));
  const quotients = new Map<number, string>();
  const quotient = (stride: number): string => {
    let q = quotients.get(stride);
    if (q === undefined) {
      q = bind(stride === 1 ? `Math.floor(${f})` : `Math.floor(${f} / ${exactIndex(stride)})`);
      quotients.set(stride, q);
    }
    return q;
  };
  return shape.map((d, i) => {
    if (d === 1) return '0.0';
    const q = quotient(strides[i]);
    const outer = strides[i] * d;
    return outer === size ? q : bind(`(${q} - ${quotient(outer)} * ${exactIndex(d)})`);
  });
}

/**
 * A binder for `unravel` in a kernel body: it binds each expression other than a name or
 * number to `const ${prefix}${n} = expr;` in `statements`.
 */
export function statementBinder(prefix: string): { readonly statements: string[]; readonly bind: (expr: string) => string } {
  const statements: string[] = [];
  let n = 0;
  const bind = (expr: string): string => {
    if (SIMPLE.test(expr)) return expr;
    const name = `${prefix}${n++}`;
    statements.push(`const ${name} = ${expr};`);
    return name;
  };
  return { statements, bind };
}

/** `unravel` in statement form: the statements binding the coordinates, and the coordinates. */
export function unravelStatements(flat: string, shape: Shape, prefix: string): { statements: string[]; coords: string[] } {
  const binder = statementBinder(prefix);
  const coords = unravel(flat, shape, binder.bind);
  return { statements: binder.statements, coords };
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
