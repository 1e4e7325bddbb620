/**
 * Prints an IR in a readable text form, one equation per line:
 *   { lambda c:f32[4] ; a:f32[8,4] b:c64[4] .
 *     d:f32[8,4] = mul a c
 *     ...
 *     in (d) }
 * Sub-IRs (scan combines, call bodies) print indented under their equation; a custom rule
 * prints as <rule>.
 */
import { callBody } from './calls';
import type { Atom, Eqn, IR, Var } from './ir';
import { Lit } from './ir';

function letters(i: number): string {
  let s = '';
  do {
    s = String.fromCharCode(97 + (i % 26)) + s;
    i = Math.floor(i / 26) - 1;
  } while (i >= 0);
  return s;
}

const fmtNum = (x: number): string => (Number.isInteger(x) ? x.toFixed(1) : String(Math.fround(x) === x ? x : +x.toPrecision(8)));

function formatParam(key: string, v: unknown): string {
  if (Array.isArray(v)) return `[${v.join(',')}]`;
  if (typeof v === 'object' && v !== null && 'ir' in v) return key === 'combine' ? '<combine>' : '<rule>';
  if (typeof v === 'object' && v !== null && 'eqns' in v) return '<body>';
  return String(v);
}

/** Names of an IR's variables as printIR gives them: constants, inputs, then equation outputs in order. */
function namer(ir: IR): (v: Var) => string {
  const names = new Map<Var, string>();
  const name = (v: Var): string => {
    let n = names.get(v);
    if (!n) names.set(v, (n = letters(names.size)));
    return n;
  };
  for (const v of [...ir.constVars, ...ir.inVars]) name(v);
  for (const e of ir.eqns) e.outputs.forEach(name);
  return name;
}

function equationText(e: Eqn, name: (v: Var) => string): string {
  const decl = (v: Var): string => `${name(v)}:${v.aval.dtype}[${v.aval.shape.join(',')}]`;
  const atom = (a: Atom): string =>
    a instanceof Lit ? (a.dtype === 'c64' ? `(${fmtNum(a.re)}${a.im >= 0 ? '+' : ''}${fmtNum(a.im)}i)` : `${fmtNum(a.re)}:${a.dtype}`) : name(a);
  const params = Object.entries(e.params as object)
    .filter(([k]) => k !== 'combine' && k !== 'body')
    .map(([k, v]) => `${k}=${formatParam(k, v)}`);
  return `${e.outputs.map(decl).join(' ')} = ${e.prim}${params.length ? `[${params.join(' ')}]` : ''} ${e.inputs.map(atom).join(' ')}`;
}

/** Prints single equations of `ir` with the variable names printIR(ir) uses. */
export function equationPrinter(ir: IR): (e: Eqn) => string {
  const name = namer(ir);
  return (e) => equationText(e, name);
}

export function printIR(ir: IR, indent = ''): string {
  const name = namer(ir);
  const decl = (v: Var): string => `${name(v)}:${v.aval.dtype}[${v.aval.shape.join(',')}]`;
  const atom = (a: Atom): string =>
    a instanceof Lit ? (a.dtype === 'c64' ? `(${fmtNum(a.re)}${a.im >= 0 ? '+' : ''}${fmtNum(a.im)}i)` : `${fmtNum(a.re)}:${a.dtype}`) : name(a);
  const lines: string[] = [];
  const consts = ir.constVars.map(decl).join(' ');
  const ins = ir.inVars.map(decl).join(' ');
  lines.push(`${indent}{ lambda ${consts ? consts + ' ; ' : ''}${ins} .`);
  for (const e of ir.eqns) {
    lines.push(`${indent}    ${equationText(e, name)}`);
    const sub = subIR(e);
    if (sub) lines.push(printIR(sub, indent + '      '));
  }
  lines.push(`${indent}  in (${ir.outAtoms.map(atom).join(', ')}) }`);
  return lines.join('\n');
}

function subIR(e: Eqn): IR | undefined {
  return e.prim === 'assoc_scan' ? (e as Eqn<'assoc_scan'>).params.combine.ir : callBody(e);
}
