/**
 * Names and descriptions of kernels, shared by the lowerings: a kernel is named after what it
 * computes (`exp_mul_add[8,1024]` for a fused map, `matmul 8192x64x64` for a matmul template)
 * and lists the program equations it computes, each with the user's source line where the
 * tracer recorded one (compiler/site.ts), in the variable names of `printIR`.
 */
import type { Eqn, IR } from '../ir';
import { equationPrinter } from '../printer';
import { siteLine } from '../site';
import { codegenKind } from './codegen';
import type { Listing } from '../../kernels/ir/types';

const shapeText = (s: readonly number[]): string => `[${s.join(',')}]`;

/**
 * Equations in program order, each printed with its source line: `c:f32[3] = exp a  @
 * spec/x.test.ts:12`. The equations are taken at once, the lines made when first asked.
 */
export function equationLister(ir: IR): (eqns: Iterable<Eqn>) => Listing {
  let show: ((e: Eqn) => string) | undefined;
  let order: Map<Eqn, number> | undefined;
  return (eqns) => {
    const list = [...new Set(eqns)];
    let lines: readonly string[] | undefined;
    return () => {
      if (lines) return lines;
      show ??= equationPrinter(ir);
      order ??= new Map(ir.eqns.map((e, i) => [e, i]));
      const at = order;
      const print = show;
      lines = list
        .sort((a, b) => (at.get(a) ?? 0) - (at.get(b) ?? 0))
        .map((e) => {
          const line = siteLine(e.site);
          return line ? `${print(e)}  @ ${line}` : print(e);
        });
      return lines;
    };
  };
}

/**
 * A fused kernel's name: its elementwise primitives in program order (the first three), or
 * its view primitives when it only moves data, and the output shape.
 */
export function fusedKernelName(eqns: Iterable<Eqn>, shape: readonly number[], order?: ReadonlyMap<Eqn, number>): string {
  const list = [...eqns];
  if (order) list.sort((a, b) => (order.get(a) ?? 0) - (order.get(b) ?? 0));
  const prims = (kind: string) => [...new Set(list.filter((e) => codegenKind(e.prim) === kind).map((e) => e.prim))];
  const ew = prims('elementwise');
  const chosen = ew.length ? ew : prims('view');
  const what = chosen.length ? chosen.slice(0, 3).join('_') + (chosen.length > 3 ? '_etc' : '') : 'copy';
  return `${what}${shapeText(shape)}`;
}

/** A template instance's name: the primitive and the shapes that size its work. */
export function templateKernelName(e: Eqn): string {
  const [x, y] = e.inputs.map((a) => a.aval.shape);
  const out = e.outputs[0].aval.shape;
  switch (e.prim) {
    case 'matmul': {
      const M = x.length >= 2 ? x[x.length - 2] : 1;
      const K = x[x.length - 1];
      const N = y.length >= 2 ? y[y.length - 1] : 1;
      const batch = out.slice(0, Math.max(0, out.length - 2)).reduce((p, d) => p * d, 1);
      return `matmul ${batch > 1 ? `${batch}x` : ''}${M}x${K}x${N}`;
    }
    case 'reduce_sum':
    case 'reduce_max':
    case 'argmax':
      return `${e.prim.replace('reduce_', '')}${shapeText(x)}->${shapeText(out)}`;
    default:
      return `${e.prim}${shapeText(x ?? out)}`;
  }
}
