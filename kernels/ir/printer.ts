/**
 * Text form of the kernel IR: one statement a line, expressions in prefix-free infix with
 * their types where they matter (loads, conversions, calls), so `jit(f).lower()` can show
 * every kernel as the backends receive it.
 */
import type { Expr, KFunction, Kernel, KernelProgram, Stmt } from './types';
import { isVector } from './types';

const INFIX: Record<string, string> = {
  add: '+', sub: '-', mul: '*', div: '/', rem: '%', and: '&', or: '|', xor: '^', shl: '<<', shr: '>>', shru: '>>>',
  lt: '<', le: '<=', gt: '>', ge: '>=', eq: '==', ne: '!=',
};

export function printExpr(e: Expr): string {
  switch (e.k) {
    case 'const':
      return isVector(e.t) ? `${e.t}(${e.t === 'f32x4' ? fmtFloat(e.v) : e.v})` : e.t === 'f32' ? fmtFloat(e.v) : e.t === 'bool' ? (e.v ? 'true' : 'false') : String(e.v);
    case 'get':
      return e.name;
    case 'load': {
      const stride = isVector(e.t) && e.stride !== 1 ? ` by ${e.stride}` : '';
      return `${e.buf}[${printExpr(e.index)}${stride}]${e.t === 'f32' ? '' : `:${e.t}`}`;
    }
    case 'un':
      return `${e.op}(${printExpr(e.a)})`;
    case 'bin':
      return INFIX[e.op] ? `(${printExpr(e.a)} ${INFIX[e.op]} ${printExpr(e.b)})` : `${e.op}(${printExpr(e.a)}, ${printExpr(e.b)})`;
    case 'select':
      return `(${printExpr(e.c)} ? ${printExpr(e.a)} : ${printExpr(e.b)})`;
    case 'cvt':
      return `${e.t}(${printExpr(e.a)})`;
    case 'splat':
      return `${e.t}(${printExpr(e.a)})`;
    case 'vec':
      return `${e.t}(${e.lanes.map(printExpr).join(', ')})`;
    case 'lane':
      return `${printExpr(e.a)}.${'xyzw'[e.lane]}`;
    case 'call':
      return `${e.fn}(${e.args.map(printExpr).join(', ')})`;
    case 'fma':
      return `fma(${printExpr(e.a)}, ${printExpr(e.b)}, ${printExpr(e.c)})`;
  }
}

function fmtFloat(v: number): string {
  if (Number.isNaN(v)) return 'nan';
  if (!Number.isFinite(v)) return v > 0 ? 'inf' : '-inf';
  const s = String(v);
  return /[.eE]/.test(s) ? s : `${s}.0`;
}

export function printStmts(stmts: readonly Stmt[], indent = '  '): string[] {
  const out: string[] = [];
  for (const s of stmts) {
    switch (s.k) {
      case 'let':
        out.push(`${indent}${s.t} ${s.name} = ${printExpr(s.init)}`);
        break;
      case 'set':
        out.push(`${indent}${s.name} = ${printExpr(s.value)}`);
        break;
      case 'store': {
        const stride = isVector(s.value.t) && s.stride !== 1 ? ` by ${s.stride}` : '';
        out.push(`${indent}${s.buf}[${printExpr(s.index)}${stride}] = ${printExpr(s.value)}`);
        break;
      }
      case 'storePair':
        out.push(`${indent}${s.buf}[${printExpr(s.index)} interleaved] = (${printExpr(s.a)}, ${printExpr(s.b)})`);
        break;
      case 'for':
        out.push(`${indent}for ${s.v} in ${printExpr(s.from)} ..< ${printExpr(s.to)}${s.step !== 1 ? ` by ${s.step}` : ''} {`);
        out.push(...printStmts(s.body, indent + '  '), `${indent}}`);
        break;
      case 'if':
        out.push(`${indent}if ${printExpr(s.cond)} {`, ...printStmts(s.then, indent + '  '));
        if (s.else.length) out.push(`${indent}} else {`, ...printStmts(s.else, indent + '  '));
        out.push(`${indent}}`);
        break;
    }
  }
  return out;
}

export function printKernel(k: Kernel): string {
  const computes = (k.computes?.() ?? []).map((c) => `  # ${c}`);
  return [`kernel ${k.name} over ${k.units} units (cost ${k.unitCost} per unit) {`, ...computes, ...printStmts(k.body), '}'].join('\n');
}

export function printFunction(f: KFunction): string {
  const params = f.params.map((p) => `${p.t} ${p.name}`).join(', ');
  return [`fn ${f.name}(${params}) -> ${f.result} {`, ...printStmts(f.body), `  return ${printExpr(f.ret)}`, '}'].join('\n');
}

export function printProgram(p: KernelProgram): string {
  const bufs = p.buffers.map((b) => `  ${b.kind} ${b.id}: ${b.storage}[${b.size}]`);
  return [`program ${p.name}`, ...bufs, ...p.kernels.map(printKernel)].join('\n');
}
