/**
 * Traversal of the kernel IR: every expression of a statement list, in evaluation order, with
 * nested expressions before the node that holds them. Analyses (the buffers a kernel touches,
 * the functions it calls) are one callback over it.
 */
import type { Expr, KFunction, Stmt } from './types';

export function forEachExpr(stmts: readonly Stmt[], visit: (e: Expr) => void): void {
  const expr = (e: Expr): void => {
    switch (e.k) {
      case 'load':
        expr(e.index);
        break;
      case 'un':
      case 'cvt':
      case 'splat':
      case 'lane':
        expr(e.a);
        break;
      case 'bin':
        expr(e.a);
        expr(e.b);
        break;
      case 'select':
        expr(e.c);
        expr(e.a);
        expr(e.b);
        break;
      case 'fma':
        expr(e.a);
        expr(e.b);
        expr(e.c);
        break;
      case 'vec':
        e.lanes.forEach(expr);
        break;
      case 'call':
        e.args.forEach(expr);
        break;
      default:
        break;
    }
    visit(e);
  };
  const stmt = (s: Stmt): void => {
    switch (s.k) {
      case 'let':
        return expr(s.init);
      case 'set':
        return expr(s.value);
      case 'store':
        expr(s.index);
        return expr(s.value);
      case 'storePair':
        expr(s.index);
        expr(s.a);
        return expr(s.b);
      case 'for':
        expr(s.from);
        expr(s.to);
        return s.body.forEach(stmt);
      case 'if':
        expr(s.cond);
        s.then.forEach(stmt);
        return s.else.forEach(stmt);
    }
  };
  stmts.forEach(stmt);
}

/** Buffers a statement list reads or writes. */
export function buffersOf(stmts: readonly Stmt[]): Set<string> {
  const found = new Set<string>();
  forEachExpr(stmts, (e) => {
    if (e.k === 'load') found.add(e.buf);
  });
  const stores = (list: readonly Stmt[]): void => {
    for (const s of list) {
      if (s.k === 'store' || s.k === 'storePair') found.add(s.buf);
      else if (s.k === 'for') stores(s.body);
      else if (s.k === 'if') {
        stores(s.then);
        stores(s.else);
      }
    }
  };
  stores(stmts);
  return found;
}

/** The statements of a function with its returned expression as a last one (for traversals). */
export const functionStmts = (fn: KFunction): Stmt[] => [...fn.body, { k: 'let', name: '', t: fn.result, init: fn.ret }];

/** Functions called from a statement list, transitively through the function table. */
export function calledFunctions(roots: readonly (readonly Stmt[])[], table: ReadonlyMap<string, KFunction>): KFunction[] {
  const found = new Map<string, KFunction>();
  const visit = (e: Expr): void => {
    if (e.k !== 'call' || found.has(e.fn)) return;
    const fn = table.get(e.fn);
    if (!fn) throw new Error(`kernel IR: call of unknown function '${e.fn}'`);
    found.set(e.fn, fn);
    forEachExpr(functionStmts(fn), visit);
  };
  roots.forEach((r) => forEachExpr(r, visit));
  return [...found.values()];
}
