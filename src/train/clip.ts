/**
 * Global-norm gradient clipping (Optax clip_by_global_norm), as a DSL program:
 *   n = sqrt(Σ_leaves Σ |g|²)       (|g|² = re² + im² for complex leaves)
 *   g ← g                if n < maxNorm
 *   g ← g · maxNorm / n  otherwise
 */
import * as T from '../index';
import { globalNorm } from '../optim/transform';

/** sqrt of the sum of squared moduli over every leaf: an f32 scalar (ssmjit/optim's globalNorm). */
export { globalNorm };

/** The tree scaled so its global norm is at most maxNorm; returns the norm before clipping too. */
export function clipByGlobalNorm<G>(grads: G, maxNorm: number): { grads: G; norm: T.Tensor<'f32'> } {
  if (!(maxNorm > 0)) throw new RangeError(`clipByGlobalNorm: maxNorm must be positive, got ${maxNorm}`);
  const norm = globalNorm(grads);
  const scale = T.where(T.less(norm, maxNorm), T.scalar(1), T.div(maxNorm, norm));
  return { grads: T.tree.treeMap(grads, (g) => T.mul(g as T.Tensor<'f32'>, scale)), norm };
}
