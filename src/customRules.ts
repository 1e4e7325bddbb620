/**
 * User-defined derivative rules for a function (JAX's custom_vjp / custom_jvp).
 *
 *   const g = T.customVjp(f, (args, out, ct) => [ct·∂f/∂x, …]);   // reverse rule
 *   const h = T.customJvp(f, (args, tangents) => [out, tangent]);   // forward rule
 *
 * f takes tensors and returns a tensor or an array of tensors. Calling g traces f and the rule
 * into one `custom_vjp` equation, so the rule survives jit, grad, jvp and their compositions:
 * every derivative of g comes from the rule (forward mode through a VJP rule, and reverse mode
 * through a JVP rule, by transposing it), and the rule's own code is differentiated for higher
 * orders. The VJP rule must be linear in the cotangent, the JVP rule in the tangents.
 * Complex values follow the library's convention: a c64 cotangent is ∂L/∂x + i·∂L/∂y.
 * f and the rules must not capture traced values from outside: pass them as arguments.
 */
import { ShapeDtypeError, userCallSite } from '../compiler/errors';
import type { AVal, ClosedIR, IR } from '../compiler/ir';
import { bind, traceFlat, type TracedIR } from '../compiler/tracer';
import { Tensor } from './tensor';
import { zeros } from './ops/creation';

type Out = Tensor | Tensor[];
const outList = (o: Out): Tensor[] => (o instanceof Tensor ? [o] : o);
const rebuild = (like: Out, ts: readonly Tensor[]): Out => (like instanceof Tensor ? ts[0] : [...ts]);
const isDiff = (a: AVal): boolean => a.dtype === 'f32' || a.dtype === 'c64';
const zerosLikeAval = (a: AVal): Tensor => zeros(a.shape, a.dtype);
const show = (a: AVal): string => `${a.dtype}[${a.shape.join(',')}]`;

function checkArgs(op: string, args: readonly unknown[]): Tensor[] {
  args.forEach((a, i) => {
    if (!(a instanceof Tensor)) throw new TypeError(`${op}: argument ${i} must be a tensor, got ${typeof a}`);
  });
  return args as Tensor[];
}

function noTracedCaptures(op: string, what: string, traced: TracedIR): void {
  const t = traced.consts.find((c) => c.isTracer);
  if (t) throw new Error(`${op}: ${what} captures a traced value (${show(t.aval)}) from outside; pass it as an argument instead`);
}

const closed = (op: string, what: string, traced: TracedIR): ClosedIR => {
  noTracedCaptures(op, what, traced);
  return { ir: traced.ir, consts: traced.consts.map((c) => c.value()) };
};

/** Checks a rule's results against the avals it must have (the arguments', or the outputs'). */
function checkResults(op: string, what: string, got: readonly (Tensor | null)[], want: readonly AVal[]): Tensor[] {
  if (got.length !== want.length) throw new TypeError(`${op}: ${what} must return ${want.length} tensor(s), got ${got.length}`);
  return got.map((t, i) => {
    if (t === null || t === undefined) return zerosLikeAval(want[i]);
    if (!(t instanceof Tensor)) throw new TypeError(`${op}: ${what} result ${i} must be a tensor or null, got ${typeof t}`);
    if (t.dtype !== want[i].dtype || t.shape.join() !== want[i].shape.join()) {
      throw new ShapeDtypeError(op, [t.aval], `${what} result ${i} must be ${show(want[i])}, got ${show(t.aval)}`, userCallSite());
    }
    return t;
  });
}

/** Traces f on the arguments' avals: its body and output structure. */
function traceBody(op: string, f: (...xs: Tensor[]) => Out, avals: readonly AVal[]): { body: IR; captured: readonly Tensor[]; like: Out } {
  let like: Out | undefined;
  const traced = traceFlat((...xs) => {
    const out = f(...xs);
    if (!(out instanceof Tensor) && !(Array.isArray(out) && out.every((o) => o instanceof Tensor))) {
      throw new TypeError(`${op}: the function must return a tensor or an array of tensors`);
    }
    like = out;
    return outList(out);
  }, avals);
  noTracedCaptures(op, 'the function', traced);
  return { body: traced.ir, captured: traced.consts, like: like as Out };
}

/**
 * f with a user VJP: bwd(args, out, ct) returns one cotangent per argument (null for zero),
 * where out is f's value and ct has out's structure.
 */
export function customVjp<A extends Tensor[], R extends Out>(
  f: (...args: A) => R,
  bwd: (args: A, out: R, ct: R) => readonly (Tensor | null)[],
): (...args: A) => R {
  return (...args: A): R => {
    const xs = checkArgs('customVjp', args);
    const argAvals = xs.map((x) => x.aval);
    const { body, captured, like } = traceBody('customVjp', f as never, argAvals);
    const outAvals = body.outAtoms.map((a) => a.aval);
    const n = xs.length;
    const m = outAvals.length;
    const rule = traceFlat((...zs) => {
      const cts = bwd(zs.slice(0, n) as A, rebuild(like, zs.slice(n, n + m)) as R, rebuild(like, zs.slice(n + m)) as R);
      return checkResults('customVjp', 'the VJP rule', cts, argAvals).map((c, i) => (isDiff(argAvals[i]) ? c : zerosLikeAval(argAvals[i])));
    }, [...argAvals, ...outAvals, ...outAvals]);
    const outs = bind('custom_vjp', [...captured, ...xs], { body, bwd: closed('customVjp', 'the VJP rule', rule) });
    return rebuild(like, outs) as R;
  };
}

/**
 * f with a user JVP: jvp(primals, tangents) returns [out, outTangent] (each with f's output
 * structure), the tangent linear in `tangents`.
 */
export function customJvp<A extends Tensor[], R extends Out>(f: (...args: A) => R, jvp: (primals: A, tangents: A) => readonly [R, R]): (...args: A) => R {
  return (...args: A): R => {
    const xs = checkArgs('customJvp', args);
    const argAvals = xs.map((x) => x.aval);
    const { body, captured, like } = traceBody('customJvp', f as never, argAvals);
    const outAvals = body.outAtoms.map((a) => a.aval);
    const n = xs.length;
    const rule = traceFlat((...zs) => {
      const res = jvp(zs.slice(0, n) as A, zs.slice(n) as A);
      if (!Array.isArray(res) || res.length !== 2) throw new TypeError('customJvp: the JVP rule must return [out, outTangent]');
      const outs = checkResults('customJvp', 'the JVP rule (out)', outList(res[0]), outAvals);
      const tangents = checkResults('customJvp', 'the JVP rule (tangent)', outList(res[1]), outAvals);
      return [...outs, ...tangents];
    }, [...argAvals, ...argAvals]);
    const outs = bind('custom_jvp', [...captured, ...xs], { body, jvp: closed('customJvp', 'the JVP rule', rule) });
    return rebuild(like, outs) as R;
  };
}
