/**
 * Typecheck of kernels and functions: every local is declared once before use with one type,
 * every buffer read or written is declared with the storage of the value, indices are i32,
 * loop bounds i32 with a positive step, calls match a function's signature, and each node's
 * recorded type is the one its operands imply. Run after every lowering and template in tests
 * and by `lowerToKernels` before rendering.
 */
import type { BufferDecl, Expr, KFunction, Kernel, KType, Stmt } from './types';
import { elementOf, isCompare, isVector, storageOf, vectorOf, withElement } from './types';

class Checker {
  private readonly scopes: Map<string, KType>[] = [new Map()];
  private readonly declared = new Set<string>();

  constructor(
    private readonly where: string,
    private readonly buffers: ReadonlyMap<string, BufferDecl>,
    private readonly functions: ReadonlyMap<string, KFunction>,
  ) {}

  fail(msg: string): never {
    throw new Error(`kernel IR typecheck (${this.where}): ${msg}`);
  }

  declare(name: string, t: KType): void {
    if (this.declared.has(name)) this.fail(`'${name}' declared twice`);
    this.declared.add(name);
    this.scopes[this.scopes.length - 1].set(name, t);
  }

  lookup(name: string): KType {
    for (let i = this.scopes.length - 1; i >= 0; i--) {
      const t = this.scopes[i].get(name);
      if (t) return t;
    }
    return this.fail(`'${name}' used before it is declared`);
  }

  buffer(id: string, t: KType, verb: string): void {
    const b = this.buffers.get(id);
    if (!b) this.fail(`${verb} of undeclared buffer '${id}'`);
    if (b.storage !== storageOf(t)) this.fail(`${verb} of ${t} from '${id}', which holds ${b.storage}`);
  }

  expr(e: Expr): KType {
    const want = (got: KType, t: KType, what: string): void => {
      if (got !== t) this.fail(`${what}: expected ${t}, got ${got}`);
    };
    switch (e.k) {
      case 'const':
        return e.t;
      case 'get':
        want(this.lookup(e.name), e.t, `'${e.name}'`);
        return e.t;
      case 'load':
        want(this.expr(e.index), 'i32', `index into '${e.buf}'`);
        this.buffer(e.buf, e.t, 'load');
        return e.t;
      case 'un': {
        const a = this.expr(e.a);
        if (e.op === 'bitsOf') want(e.t, withElement(a, 'i32'), 'bitsOf');
        else if (e.op === 'fromBits') want(e.t, withElement(a, 'f32'), 'fromBits');
        else want(e.t, a, e.op);
        return e.t;
      }
      case 'bin': {
        const a = this.expr(e.a);
        want(this.expr(e.b), a, `right operand of '${e.op}'`);
        want(e.t, isCompare(e.op) ? withElement(a, 'bool') : a, `result of '${e.op}'`);
        return e.t;
      }
      case 'select':
        want(this.expr(e.c), withElement(e.t, 'bool'), 'select condition');
        want(this.expr(e.a), e.t, 'select arm');
        want(this.expr(e.b), e.t, 'select arm');
        return e.t;
      case 'cvt': {
        const a = this.expr(e.a);
        if (isVector(a) !== isVector(e.t)) this.fail(`cvt between a scalar and a vector (${a} -> ${e.t})`);
        return e.t;
      }
      case 'splat':
        want(vectorOf(this.expr(e.a)), e.t, 'splat');
        return e.t;
      case 'vec':
        for (const l of e.lanes) want(vectorOf(this.expr(l)), e.t, 'vec lane');
        return e.t;
      case 'lane':
        want(elementOf(this.expr(e.a)), e.t, 'lane');
        return e.t;
      case 'fma':
        if (elementOf(e.t) !== 'f32') this.fail(`fma of ${e.t} (f32 or f32x4 only)`);
        want(this.expr(e.a), e.t, 'fma factor');
        want(this.expr(e.b), e.t, 'fma factor');
        want(this.expr(e.c), e.t, 'fma addend');
        return e.t;
      case 'call': {
        const fn = this.functions.get(e.fn);
        if (!fn) this.fail(`call of unknown function '${e.fn}'`);
        if (fn.params.length !== e.args.length) this.fail(`'${e.fn}' takes ${fn.params.length} arguments, got ${e.args.length}`);
        e.args.forEach((a, i) => want(this.expr(a), fn.params[i].t, `argument ${i} of '${e.fn}'`));
        want(fn.result, e.t, `result of '${e.fn}'`);
        return e.t;
      }
    }
  }

  stmts(list: readonly Stmt[]): void {
    this.scopes.push(new Map());
    for (const s of list) this.stmt(s);
    this.scopes.pop();
  }

  stmt(s: Stmt): void {
    switch (s.k) {
      case 'let':
        if (this.expr(s.init) !== s.t) this.fail(`let ${s.name}: ${s.t} initialised with ${s.init.t}`);
        this.declare(s.name, s.t);
        return;
      case 'set': {
        const t = this.lookup(s.name);
        if (this.expr(s.value) !== t) this.fail(`set of ${t} '${s.name}' to ${s.value.t}`);
        return;
      }
      case 'store':
        if (this.expr(s.index) !== 'i32') this.fail(`store index into '${s.buf}' is not i32`);
        this.buffer(s.buf, this.expr(s.value), 'store');
        return;
      case 'storePair': {
        if (this.expr(s.index) !== 'i32') this.fail(`store index into '${s.buf}' is not i32`);
        const a = this.expr(s.a);
        if (this.expr(s.b) !== a || !isVector(a)) this.fail(`storePair of ${a}, ${s.b.t}`);
        this.buffer(s.buf, a, 'store');
        return;
      }
      case 'for':
        if (this.expr(s.from) !== 'i32' || this.expr(s.to) !== 'i32') this.fail(`loop '${s.v}' bounds are not i32`);
        if (!(s.step > 0) || !Number.isInteger(s.step)) this.fail(`loop '${s.v}' step ${s.step} is not a positive integer`);
        this.scopes.push(new Map());
        this.declare(s.v, 'i32');
        this.stmts(s.body);
        this.scopes.pop();
        return;
      case 'if':
        if (this.expr(s.cond) !== 'bool') this.fail('if condition is not bool');
        this.stmts(s.then);
        this.stmts(s.else);
        return;
    }
  }
}

export function typecheckKernel(k: Kernel, buffers: readonly BufferDecl[], functions: ReadonlyMap<string, KFunction> = new Map()): void {
  const c = new Checker(`kernel ${k.name}`, new Map(buffers.map((b) => [b.id, b])), functions);
  if (!Number.isInteger(k.units) || k.units < 0) c.fail(`units ${k.units} is not a count`);
  c.declare('start', 'i32');
  c.declare('end', 'i32');
  c.stmts(k.body);
}

export function typecheckFunction(f: KFunction, functions: ReadonlyMap<string, KFunction> = new Map()): void {
  const c = new Checker(`function ${f.name}`, new Map(), functions);
  for (const p of f.params) c.declare(p.name, p.t);
  // The body in the function's own scope: the returned expression reads its locals.
  for (const s of f.body) c.stmt(s);
  if (c.expr(f.ret) !== f.result) c.fail(`returns ${f.ret.t}, declared ${f.result}`);
}
