/**
 * A scan combine (a scalar sub-IR) as loop statements: accumulators for each operand, and the
 * statements folding the element at the loop's coordinates into them.
 */
import type { Operand, Part } from '../../kernels/operand';
import type { ClosedIR, Var } from '../ir';
import { Lit } from '../ir';
import { elementwiseCode, literal, type ValueExpr } from './scalarCode';

export interface CombineCode {
  readonly init: string[];
  readonly step: string[];
  /** Accumulator names holding component `part` of each scan output. */
  readonly result: string[];
}

export function combineStatements(combine: ClosedIR, xs: readonly Operand[], at: readonly string[], part: Part): CombineCode {
  const { ir, consts } = combine;
  const k = xs.length;
  const acc = xs.map((_, i) => ({ re: `_a${i}r`, im: `_a${i}i` }));
  const init = ['let _first = 1.0;', ...acc.flatMap((a) => [`let ${a.re} = 0.0;`, `let ${a.im} = 0.0;`])];
  const cur = xs.map((x) => ({ re: x.read(at, 're'), im: x.dtype === 'c64' ? x.read(at, 'im') : '0.0' }));
  const env = new Map<Var, ValueExpr>();
  ir.constVars.forEach((v, i) => env.set(v, { re: literal(consts[i].data[0]), im: literal(consts[i].data[1] ?? 0) }));
  ir.inVars.forEach((v, i) => env.set(v, i < k ? acc[i] : { re: `_x${i - k}r`, im: `_x${i - k}i` }));
  const body: string[] = cur.flatMap((c, i) => [`const _x${i}r = ${c.re};`, `const _x${i}i = ${c.im};`]);
  let n = 0;
  const read = (a: Var | Lit): ValueExpr => (a instanceof Lit ? { re: literal(a.re), im: literal(a.im) } : (env.get(a) as ValueExpr));
  for (const e of ir.eqns) {
    const out = e.outputs[0];
    if (e.prim === 'broadcast_in_dim' || e.prim === 'reshape') {
      env.set(out, read(e.inputs[0]));
      continue;
    }
    const code = elementwiseCode[e.prim] as ((v: readonly ValueExpr[], d: readonly string[], p: unknown) => ValueExpr) | undefined;
    if (!code) throw new Error(`scan combine: '${e.prim}' is not elementwise`);
    const v = code(e.inputs.map(read), e.inputs.map((a) => a.aval.dtype), e.params);
    const name = `_c${n++}`;
    body.push(`const ${name}r = ${v.re};`, `const ${name}i = ${v.im};`);
    env.set(out, { re: `${name}r`, im: `${name}i` });
  }
  const results = ir.outAtoms.map(read);
  const step = [
    'if (_first > 0.5) {',
    ...acc.flatMap((a, i) => [`  ${a.re} = _x${i}r;`, `  ${a.im} = _x${i}i;`]),
    '  _first = 0.0;',
    '} else {',
    ...results.flatMap((r, i) => [`  const _n${i}r = ${r.re};`, `  const _n${i}i = ${r.im};`]),
    ...acc.flatMap((a, i) => [`  ${a.re} = _n${i}r;`, `  ${a.im} = _n${i}i;`]),
    '}',
  ];
  return { init, step: [...body, ...step], result: acc.map((a) => (part === 're' ? a.re : a.im)) };
}

/**
 * The combine as one expression per component (for tree-scan templates): `left` and `right`
 * hold the component expressions of the two tuples, c64 operands as two components (re, im).
 */
export function combineExpressions(combine: ClosedIR, widths: readonly number[], left: readonly string[], right: readonly string[]): string[] {
  const { ir, consts } = combine;
  const k = widths.length;
  const tuple = (comps: readonly string[]): ValueExpr[] => {
    let c = 0;
    return widths.map((w) => {
      const v = { re: comps[c], im: w === 2 ? comps[c + 1] : '0.0' };
      c += w;
      return v;
    });
  };
  const env = new Map<Var, ValueExpr>();
  ir.constVars.forEach((v, i) => env.set(v, { re: literal(consts[i].data[0]), im: literal(consts[i].data[1] ?? 0) }));
  const l = tuple(left);
  const r = tuple(right);
  ir.inVars.forEach((v, i) => env.set(v, i < k ? l[i] : r[i - k]));
  const read = (a: Var | Lit): ValueExpr => (a instanceof Lit ? { re: literal(a.re), im: literal(a.im) } : (env.get(a) as ValueExpr));
  for (const e of ir.eqns) {
    const out = e.outputs[0];
    if (e.prim === 'broadcast_in_dim' || e.prim === 'reshape') {
      env.set(out, read(e.inputs[0]));
      continue;
    }
    const code = elementwiseCode[e.prim] as ((v: readonly ValueExpr[], d: readonly string[], p: unknown) => ValueExpr) | undefined;
    if (!code) throw new Error(`scan combine: '${e.prim}' is not elementwise`);
    env.set(out, code(e.inputs.map(read), e.inputs.map((a) => a.aval.dtype), e.params));
  }
  return ir.outAtoms.flatMap((a, i) => {
    const v = read(a);
    return widths[i] === 2 ? [v.re, v.im] : [v.re];
  });
}
