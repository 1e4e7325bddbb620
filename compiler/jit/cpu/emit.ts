/**
 * Emission of fused values as kernel IR, for every backend (the wasm lowering in vector and
 * scalar form, the gpu.js lowering in scalar form, one unit per thread): the value of a variable at given
 * coordinates, in scalar code or in 4-lane vector code. Materialised variables are read from
 * their buffers (strided views); fused ones are computed from their producers' inputs through
 * the elementwise rules (exprRules) and the view rules below, which map output coordinates to
 * input coordinates. Every intermediate is bound to a local once per coordinate tuple.
 *
 * Coordinates may carry the flat row-major index they came from: a reshape then reads a
 * contiguous buffer at that flat index directly instead of unravelling and re-ravelling it,
 * and the axes themselves are only computed (lazily) when a view asks for them.
 */
import type { Atom, Eqn, Var } from '../../ir';
import { Lit } from '../../ir';
import type { DType } from '../../dtype';
import type { PrimParams } from '../../primitives';
import { stridesOf } from '../../shape';
import { codegenKind } from '../codegen';
import type { Block } from '../../../kernels/ir/build';
import { bin, constant, cvt, load, select, vec } from '../../../kernels/ir/build';
import type { Expr, KType, ScalarType } from '../../../kernels/ir/types';
import { LANES } from '../../../kernels/ir/types';
import type { View } from '../../../kernels/cpu/template';
import { type CValue, exprRules } from './exprRules';
import {
  addConst, addIx, clampIx, constIx, dataIx, divConst, inRange, type Ix, laneOf, lanesOf, lessThan, mulConst, remConst, reverseIx,
} from './indexing';

let nextCoordsId = 0;

/** Coordinates of one element (or of four consecutive elements, in vector code). */
export class Coords {
  readonly id = nextCoordsId++;
  private cached?: readonly Ix[];

  private constructor(
    readonly shape: readonly number[],
    private readonly given: readonly Ix[] | undefined,
    /** The row-major flat index of these coordinates in `shape`, when known. */
    readonly flat: Ix | undefined,
  ) {}

  static of(shape: readonly number[], axes: readonly Ix[], flat?: Ix): Coords {
    return new Coords(shape, axes, flat);
  }

  /** How many coordinate tuples were unravelled from flat indices (a kernel's cost of div/rem). */
  static unravels = 0;

  static fromFlat(shape: readonly number[], flat: Ix): Coords {
    return new Coords(shape, undefined, flat);
  }

  get axes(): readonly Ix[] {
    if (this.given) return this.given;
    if (!this.cached) {
      Coords.unravels++;
      const st = stridesOf(this.shape);
      const flat = this.flat as Ix;
      this.cached = this.shape.map((d, i) => (d === 1 ? constIx(0) : i === 0 ? divConst(flat, st[i]) : remConst(divConst(flat, st[i]), d)));
    }
    return this.cached;
  }

  /** The flat row-major index (computed from the axes when not carried). */
  flatIndex(): Ix {
    if (this.flat) return this.flat;
    const st = stridesOf(this.shape);
    return this.axes.reduce<Ix>((acc, c, i) => (this.shape[i] === 1 ? acc : addIx(acc, mulConst(c, st[i]))), constIx(0));
  }
}

export interface CpuEmitEnv {
  /** The buffer view of a materialised variable (undefined while it is fused). */
  viewOf(v: Var): View | undefined;
  producer(v: Var): Eqn | undefined;
  /**
   * Whether reads at computed coordinates (pad, concat, gather) are clamped into range (the
   * default). GLSL texture reads are safe out of range and reject min/max in an index.
   */
  readonly clampReads?: boolean;
}

const componentScalar = (d: DType): ScalarType => (d === 'c64' ? 'f32' : (d as ScalarType));

const sizeOf = (s: readonly number[]): number => s.reduce((a, b) => a * b, 1);

/** Whether a view is the whole of a contiguous buffer region in row-major order. */
function isContiguous(view: View): boolean {
  const lanes = view.dtype === 'c64' ? 2 : 1;
  let s = lanes;
  for (let i = view.shape.length - 1; i >= 0; i--) {
    if (view.shape[i] !== 1 && view.strides[i] !== s) return false;
    s *= view.shape[i];
  }
  return true;
}

export class ValueEmitter {
  private readonly memo = new Map<string, CValue>();
  /** Buffers this emitter read. */
  readonly reads = new Set<string>();
  /** Equations whose values it computed (fused into the kernel being built). */
  readonly eqns = new Set<Eqn>();

  constructor(
    private readonly env: CpuEmitEnv,
    private readonly block: Block,
    readonly vector: boolean,
  ) {}

  private type(d: DType): KType {
    const e = componentScalar(d);
    return this.vector ? (`${e}x4` as KType) : e;
  }

  private lit(d: DType, v: number): Expr {
    return constant(this.type(d), v);
  }

  bind = (e: Expr): Expr => this.block.bind(e);

  value(a: Atom, coords: Coords): CValue {
    if (a instanceof Lit) {
      const re = this.lit(a.dtype, a.re);
      return a.dtype === 'c64' ? { re, im: this.lit('f32', a.im) } : { re };
    }
    const key = `${a.id}@${coords.id}`;
    const hit = this.memo.get(key);
    if (hit) return hit;
    const v = this.compute(a, coords);
    const bound = v.im ? { re: this.bind(v.re), im: this.bind(v.im) } : { re: this.bind(v.re) };
    this.memo.set(key, bound);
    return bound;
  }

  /** Reads a buffer view at coordinates. */
  readView(view: View, coords: Coords): CValue {
    this.reads.add(view.buf);
    const lanes = view.dtype === 'c64' ? 2 : 1;
    let index: Ix;
    if (coords.flat && view.offset === 0 && isContiguous(view) && sizeOf(view.shape) === sizeOf(coords.shape)) {
      index = mulConst(coords.flat, lanes);
    } else {
      index = coords.axes.reduce<Ix>((acc, c, i) => (view.shape[i] === 1 || view.strides[i] === 0 ? acc : addIx(acc, mulConst(c, view.strides[i]))), constIx(view.offset));
    }
    const t = this.type(view.dtype);
    const at = (ix: Ix): Expr => {
      if (!this.vector) return load(view.buf, (ix as Ix & { kind: 'affine' }).base, t);
      if (ix.kind === 'affine') return load(view.buf, ix.base, t, ix.step);
      return vec(Array.from({ length: LANES }, (_, l) => load(view.buf, laneOf(ix, l), componentScalar(view.dtype))));
    };
    const re = at(index);
    return view.dtype === 'c64' ? { re, im: at(addConst(index, 1)) } : { re };
  }

  private compute(v: Var, coords: Coords): CValue {
    const view = this.env.viewOf(v);
    if (view) return this.readView(view, coords);
    const e = this.env.producer(v);
    if (!e) throw new Error(`jit (cpu): variable ${v.id} has neither a buffer nor a producer`);
    this.eqns.add(e);
    const kind = codegenKind(e.prim);
    if (kind === 'elementwise') {
      const rule = exprRules[e.prim] as ((v: readonly CValue[], d: readonly DType[], p: unknown, o: DType, b: (e: Expr) => Expr) => CValue) | undefined;
      if (!rule) throw new Error(`jit (cpu): no kernel-IR rule for '${e.prim}'`);
      const out = rule(e.inputs.map((x) => this.value(x, coords)), e.inputs.map((x) => x.aval.dtype), e.params, v.aval.dtype, this.bind);
      return this.conform(out, v.aval.dtype);
    }
    if (kind === 'view') return this.view(e, v, coords);
    throw new Error(`jit (cpu): '${e.prim}' cannot be fused; its output should have been materialised`);
  }

  /** Rules return component expressions of the dtype's component type (complex parts f32). */
  private conform(v: CValue, d: DType): CValue {
    const want = componentScalar(d);
    const re = cvt(v.re, want);
    if (d === 'c64') return { re, im: v.im ?? this.lit('f32', 0) };
    return { re };
  }

  private clamp(a: Ix, n: number): Ix {
    return this.env.clampReads === false ? (n === 1 ? constIx(0) : a) : clampIx(a, n);
  }

  private view(e: Eqn, v: Var, coords: Coords): CValue {
    const inShape = (i: number): readonly number[] => e.inputs[i].aval.shape;
    const outShape = v.aval.shape;
    const read = (i: number, axes: readonly Ix[], flat?: Ix): CValue => this.value(e.inputs[i], Coords.of(inShape(i), axes, flat));
    const ax = coords.axes;
    switch (e.prim) {
      case 'broadcast_in_dim': {
        const { dims } = e.params as PrimParams['broadcast_in_dim'];
        return read(0, inShape(0).map((d, i) => (d === 1 ? constIx(0) : ax[dims[i]])));
      }
      case 'reshape': {
        const src = inShape(0);
        const drop = (s: readonly number[]) => s.filter((d) => d !== 1).join();
        if (drop(src) === drop(outShape) && !coords.flat) {
          const kept = ax.filter((_, i) => outShape[i] !== 1);
          let k = 0;
          return read(0, src.map((d) => (d === 1 ? constIx(0) : kept[k++])));
        }
        return this.value(e.inputs[0], Coords.fromFlat(src, coords.flatIndex()));
      }
      case 'transpose': {
        const { perm } = e.params as PrimParams['transpose'];
        const src = new Array<Ix>(perm.length);
        perm.forEach((p, i) => (src[p] = ax[i]));
        return read(0, src);
      }
      case 'slice': {
        const { start } = e.params as PrimParams['slice'];
        return read(0, ax.map((c, i) => addConst(c, start[i])));
      }
      case 'reverse': {
        const { axes } = e.params as PrimParams['reverse'];
        return read(0, ax.map((c, i) => (axes.includes(i) ? reverseIx(c, outShape[i]) : c)));
      }
      case 'pad': {
        const { lo, value } = e.params as PrimParams['pad'];
        const src = inShape(0);
        let cond: Expr | undefined;
        const axes = ax.map((c, i) => {
          if (outShape[i] === src[i]) return addConst(c, -lo[i]);
          const shifted = addConst(c, -lo[i]);
          const ok = inRange(shifted, 0, src[i], this.vector);
          cond = cond ? this.bind(andOf(cond, ok)) : this.bind(ok);
          return this.clamp(shifted, src[i]);
        });
        const inner = read(0, axes);
        if (!cond) return inner;
        const d = v.aval.dtype;
        const fill = this.lit(d, d === 'i32' ? Math.trunc(value) | 0 : d === 'bool' ? (value !== 0 ? 1 : 0) : value);
        return inner.im ? { re: select(cond, inner.re, fill), im: select(cond, inner.im, this.lit('f32', 0)) } : { re: select(cond, inner.re, fill) };
      }
      case 'concat': {
        const { axis } = e.params as PrimParams['concat'];
        let start = 0;
        const pieces = e.inputs.map((a, i) => {
          const from = start;
          start += a.aval.shape[axis];
          const axes = ax.map((c, j) => (j === axis ? this.clamp(addConst(c, -from), a.aval.shape[axis]) : c));
          return { end: start, value: read(i, axes) };
        });
        let out = pieces[pieces.length - 1].value;
        for (let i = pieces.length - 2; i >= 0; i--) {
          const cond = this.bind(lessThan(ax[axis], pieces[i].end, this.vector));
          const p = pieces[i].value;
          out = out.im ? { re: select(cond, p.re, out.re), im: select(cond, p.im as Expr, out.im) } : { re: select(cond, p.re, out.re) };
        }
        return out;
      }
      case 'gather': {
        const { axis } = e.params as PrimParams['gather'];
        const k = inShape(1).length;
        const idx = this.value(e.inputs[1], Coords.of(inShape(1), ax.slice(axis, axis + k))).re;
        const at = this.clamp(dataIx(idx, this.vector), inShape(0)[axis]);
        return read(0, [...ax.slice(0, axis), at, ...ax.slice(axis + k)]);
      }
      case 'iota': {
        const { axis, dtype } = e.params as PrimParams['iota'];
        const c = ax[axis];
        const ints = this.vector ? lanesOf(c) : (c as Ix & { kind: 'affine' }).base;
        const re = cvt(ints, componentScalar(dtype));
        return dtype === 'c64' ? { re, im: this.lit('f32', 0) } : { re };
      }
    }
    throw new Error(`jit (cpu): no view rule for '${e.prim}'`);
  }
}

const andOf = (a: Expr, b: Expr): Expr => bin('and', a, b);
