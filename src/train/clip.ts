/**
 * Global-norm gradient clipping (Optax clip_by_global_norm), as a DSL program:
 *   n = sqrt(Σ_leaves Σ |g|²)       (|g|² = re² + im² for complex leaves)
 *   g ← g                if n < maxNorm
 *   g ← g · maxNorm / n  otherwise
 */
import * as T from '../index';

/** sqrt of the sum of squared moduli over every leaf: an f32 scalar. */
export function globalNorm(tree: unknown): T.Tensor<'f32'> {
  const [leaves] = T.tree.flatten(tree);
  let total: T.Tensor<'f32'> = T.scalar(0);
  for (const leaf of leaves as T.Tensor[]) {
    const squares =
      leaf.dtype === 'c64'
        ? T.add(T.square(T.real(leaf as T.Tensor<'c64'>)), T.square(T.imag(leaf as T.Tensor<'c64'>)))
        : T.square(leaf as T.Tensor<'f32'>);
    total = T.add(total, T.sum(squares));
  }
  return T.sqrt(total);
}

/** The tree scaled so its global norm is at most maxNorm; returns the norm before clipping too. */
export function clipByGlobalNorm<G>(grads: G, maxNorm: number): { grads: G; norm: T.Tensor<'f32'> } {
  if (!(maxNorm > 0)) throw new RangeError(`clipByGlobalNorm: maxNorm must be positive, got ${maxNorm}`);
  const norm = globalNorm(grads);
  const scale = T.where(T.less(norm, maxNorm), T.scalar(1), T.div(maxNorm, norm));
  return { grads: T.tree.treeMap(grads, (g) => T.mul(g as T.Tensor<'f32'>, scale)), norm };
}
