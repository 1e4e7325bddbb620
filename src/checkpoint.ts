/**
 * checkpoint(f) (rematerialisation, JAX's jax.checkpoint / remat): the same function, whose
 * backward pass recomputes f's forward from f's inputs instead of keeping f's intermediates
 * alive from the forward pass to the backward one. Trades compute for memory: the forward
 * values inside f are live only while f runs, once in each pass.
 *
 * f takes and returns pytrees of tensors; it may capture values from outside (model
 * parameters, traced or not), which are differentiated like its arguments. Calling the result
 * traces f into one `checkpoint` equation; its VJP is another checkpoint equation holding f's
 * VJP program (forward replay included), which jit inlines after common-subexpression
 * elimination so the recomputation is not merged back into the forward pass.
 */
import { bind, traceFlat } from '../compiler/tracer';
import { flatten, type TreeDef, unflatten } from './pytree';
import { Tensor } from './tensor';

export function checkpoint<A extends unknown[], R>(f: (...args: A) => R): (...args: A) => R {
  return (...args: A): R => {
    const [leaves, inDef] = flatten(args);
    let outDef: TreeDef | undefined;
    const traced = traceFlat((...xs) => {
      const [outs, def] = flatten(f(...unflatten<A>(inDef, xs)));
      outDef = def;
      outs.forEach((o, i) => {
        if (!(o instanceof Tensor)) throw new TypeError(`checkpoint: output leaf ${i} must be a tensor`);
      });
      return outs as Tensor[];
    }, (leaves as Tensor[]).map((t) => t.aval));
    const outs = bind('checkpoint', [...traced.consts, ...(leaves as Tensor[])], { body: traced.ir });
    return unflatten<R>(outDef as TreeDef, outs);
  };
}
