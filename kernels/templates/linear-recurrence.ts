/**
 * First-order linear recurrence along an axis, the core of diagonal
 * state-space models (S4D, S5):
 *
 *   x_t = a_t * x_{t-1} + b_t,   x_{-1} = x0 (default 0)
 *
 * over real or complex data, forward or reversed (x_t = a_t x_{t+1} + b_t,
 * starting from the last position). Built on the tree scan with the
 * associative operator on pairs (A, B) representing x -> A x + B:
 *
 *   (A1, B1) o (A2, B2) = (A2 A1, A2 B1 + B2)
 *
 * whose B component of the inclusive scan is x_t. Complex pairs use four
 * components (A.re, A.im, B.re, B.im); threads producing A components fold
 * only A (the dependency analysis sees that A never reads B).
 */
import { type Dtype, type Epilogue, type Operand } from '../operand';
import { PlanBuilder, mergeBindings } from '../plan';
import { associativeScan } from './associative-scan';

export interface LinearRecurrenceOptions {
  readonly name?: string;
  /** Coefficients a_t (broadcast to b's shape by the caller). */
  readonly a: Operand;
  /** Inputs b_t; the output has b's shape. */
  readonly b: Operand;
  readonly axis: number;
  readonly reverse?: boolean;
  /** Initial state, shape of b without `axis` (default zero). */
  readonly initial?: Operand;
  readonly fanout?: number;
  readonly epilogue?: Epilogue;
}

/** Complex (A, B) pair composition as component expressions [Ar, Ai, Br, Bi]. */
export function composeComplex(l: readonly string[], r: readonly string[]): string[] {
  const [a1r, a1i, b1r, b1i] = l;
  const [a2r, a2i, b2r, b2i] = r;
  return [
    `${a2r} * ${a1r} - ${a2i} * ${a1i}`,
    `${a2r} * ${a1i} + ${a2i} * ${a1r}`,
    `${a2r} * ${b1r} - ${a2i} * ${b1i} + ${b2r}`,
    `${a2r} * ${b1i} + ${a2i} * ${b1r} + ${b2i}`,
  ];
}

/** Real (A, B) pair composition [A, B]. */
export function composeReal(l: readonly string[], r: readonly string[]): string[] {
  return [`${r[0]} * ${l[0]}`, `${r[0]} * ${l[1]} + ${r[1]}`];
}

export function linearRecurrence(builder: PlanBuilder, opts: LinearRecurrenceOptions): Operand {
  const name = opts.name ?? 'recurrence';
  const where = `linearRecurrence '${name}'`;
  const { a, b, axis } = opts;
  const shape = b.shape;
  if (a.shape.length !== shape.length || a.shape.some((d, i) => d !== shape[i])) {
    throw new Error(`${where}: a has shape [${a.shape.join(', ')}], b has [${shape.join(', ')}] (broadcast a first)`);
  }
  if (!Number.isInteger(axis) || axis < 0 || axis >= shape.length) {
    throw new Error(`${where}: axis ${axis} out of range for shape [${shape.join(', ')}]`);
  }
  const stateShape = shape.filter((_, i) => i !== axis);
  const x0 = opts.initial;
  if (x0 && (x0.shape.length !== stateShape.length || x0.shape.some((d, i) => d !== stateShape[i]))) {
    throw new Error(`${where}: initial state has shape [${x0.shape.join(', ')}], expected [${stateShape.join(', ')}]`);
  }
  const dtype: Dtype = a.dtype === 'c64' || b.dtype === 'c64' || x0?.dtype === 'c64' ? 'c64' : 'f32';
  const T = shape[axis];
  const reverse = opts.reverse ?? false;
  const firstTime = reverse ? String(T - 1) : '0';

  /** b_t, with a_t x0 folded in at the first time step. */
  const bWithInitial = (coords: readonly string[]): [string, string] => {
    const br = b.read(coords, 're');
    const bi = dtype === 'c64' ? b.read(coords, 'im') : '0.0';
    if (!x0) return [br, bi];
    const sc = coords.filter((_, i) => i !== axis);
    const [ar, ai, xr, xi] = [a.read(coords, 're'), a.read(coords, 'im'), x0.read(sc, 're'), x0.read(sc, 'im')];
    const isFirst = `${coords[axis]} == ${firstTime}`;
    if (dtype === 'f32') return [`(${isFirst} ? ${ar} * ${xr} + ${br} : ${br})`, '0.0'];
    return [
      `(${isFirst} ? ${ar} * ${xr} - ${ai} * ${xi} + ${br} : ${br})`,
      `(${isFirst} ? ${ar} * ${xi} + ${ai} * ${xr} + ${bi} : ${bi})`,
    ];
  };

  const bindings = mergeBindings(where, a.bindings, b.bindings, x0?.bindings ?? []);
  if (dtype === 'f32') {
    return associativeScan(builder, {
      name, shape, axis, reverse, bindings, fanout: opts.fanout, epilogue: opts.epilogue,
      components: 2,
      element: (coords) => [a.read(coords, 're'), bWithInitial(coords)[0]],
      combine: composeReal,
      output: { components: [1], dtype: 'f32' },
    });
  }
  return associativeScan(builder, {
    name, shape, axis, reverse, bindings, fanout: opts.fanout, epilogue: opts.epilogue,
    components: 4,
    element: (coords) => [a.read(coords, 're'), a.read(coords, 'im'), ...bWithInitial(coords)],
    combine: composeComplex,
    output: { components: [2, 3], dtype: 'c64' },
  });
}
