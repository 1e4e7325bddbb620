/**
 * Elementwise map: out[i] = f(in_1[i], ..., in_N[i]) over an output shape,
 * one thread per output float (two per c64 element). This is the kernel a
 * compiler emits for a fused chain of elementwise operations: the body is an
 * arbitrary expression built from operand reads.
 *
 * Two entry points:
 *  - `elementwise`: the raw template; the caller supplies the body
 *    (statements + expression) per output component at given coordinates.
 *  - `mapOperands`: N operands read at the same coordinates (broadcast by
 *    the operands themselves) combined by a value-level expression.
 */
import { type Dtype, type Operand, type Part, type ValueExpr, elementOfCell, operandOf, widthOf } from '../operand';
import { type Binding, type BufferRef, PlanBuilder, assertCallerBindings, mergeBindings } from '../plan';
import { type Shape, assertShape, indent, product, unravelStatements } from '../source';

/** Statements to run, then the expression whose value is the result. */
export interface Emitted {
  readonly statements?: readonly string[];
  readonly value: string;
}

export interface ElementwiseOptions {
  readonly name?: string;
  readonly shape: Shape;
  readonly dtype: Dtype;
  readonly bindings: readonly Binding[];
  /** Component `part` of the output element at `coords` (part is 're' only for f32). */
  readonly body: (coords: readonly string[], part: Part) => Emitted;
  /** Templates composing this one may bind their own '_'-prefixed parameters. */
  readonly internal?: boolean;
}

function emitBranch(e: Emitted): string {
  return [...(e.statements ?? []), `return ${e.value};`].join('\n');
}

/** Kernel source body of an elementwise map (exported for inspection and reuse). */
export function elementwiseBody(shape: Shape, dtype: Dtype, body: ElementwiseOptions['body']): string {
  const { statements, coords } = unravelStatements('_e', shape, '_i');
  const lines = ['const _cell = this.thread.x;', ...elementOfCell('_cell', dtype), ...statements];
  if (dtype === 'f32') {
    lines.push(emitBranch(body(coords, 're')));
  } else {
    lines.push('if (_part == 0) {', indent(emitBranch(body(coords, 're'))), '}', emitBranch(body(coords, 'im')));
  }
  return lines.join('\n');
}

/** Adds an elementwise kernel to `builder`; returns its result (flat, row-major). */
export function elementwise(builder: PlanBuilder, opts: ElementwiseOptions): Operand {
  const name = opts.name ?? 'map';
  assertShape(opts.shape, `elementwise '${name}'`);
  if (!opts.internal) assertCallerBindings(opts.bindings, `elementwise '${name}'`);
  const cells = product(opts.shape) * widthOf(opts.dtype);
  const result: BufferRef = builder.launch(name, opts.bindings, elementwiseBody(opts.shape, opts.dtype, opts.body), [cells]);
  return operandOf(result, opts.shape, opts.dtype);
}

export interface MapOptions {
  readonly name?: string;
  readonly inputs: readonly Operand[];
  readonly dtype: Dtype;
  /** Output value from the input values (f32 inputs have im = '0.0'). */
  readonly expr: (values: readonly ValueExpr[]) => ValueExpr;
}

/** Elementwise map of same-shaped operands (broadcast them first with broadcastTo). */
export function mapOperands(builder: PlanBuilder, opts: MapOptions): Operand {
  const name = opts.name ?? 'map';
  if (opts.inputs.length === 0) throw new Error(`mapOperands '${name}': needs at least one input`);
  const shape = opts.inputs[0].shape;
  opts.inputs.forEach((op, i) => {
    if (op.shape.length !== shape.length || op.shape.some((d, j) => d !== shape[j])) {
      throw new Error(`mapOperands '${name}': input ${i} has shape [${op.shape.join(', ')}], input 0 has [${shape.join(', ')}]`);
    }
  });
  return elementwise(builder, {
    name,
    shape,
    dtype: opts.dtype,
    bindings: mergeBindings(`mapOperands '${name}'`, ...opts.inputs.map((op) => op.bindings)),
    body: (coords, part) => {
      const values = opts.inputs.map((op) => ({ re: op.read(coords, 're'), im: op.read(coords, 'im') }));
      const out = opts.expr(values);
      return { value: part === 're' ? out.re : out.im };
    },
  });
}
