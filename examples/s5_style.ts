/**
 * An S5-style state-space layer written as fp-ts pipelines over the DSL (S5: Smith, Warrington
 * & Linderman, "Simplified State Space Layers for Sequence Modeling", 2023):
 *
 *   ZOH discretisation   Λ̄ = exp(Λ ⊙ Δ),   B̄ = ((Λ̄ − 1) / Λ)[:, None] ⊙ B̃
 *   inputs               Bu_k = B̄ u_k                       (a matmul over the sequence)
 *   recurrence           x_k = Λ̄ ⊙ x_{k−1} + Bu_k,  x_{−1} = 0  (the linear recurrence)
 *   outputs              y_k = 2 Re(C̃ x_k) + D ⊙ u_k        (conjugate-symmetric half kept)
 *
 * Running the file traces the layer with makeIR, prints its IR, type-checks it, and evaluates
 * it eagerly on random parameters:
 *   npx esbuild examples/s5_style.ts --bundle --platform=node --format=esm \
 *     --outfile=dist/examples/s5_style.mjs && node dist/examples/s5_style.mjs
 */
import { pipe } from 'fp-ts/function';
import { pathToFileURL } from 'node:url';
import type { Tensor } from '../src/index';
import * as T from '../src/index';

/** Parameters of one S5 layer with P (halved) states and H features. */
export interface S5Params {
  /** Λ: diagonal continuous-time state matrix, c64[P]. */
  readonly lambda: Tensor<'c64'>;
  /** Δ: per-state timescales, f32[P]. */
  readonly delta: Tensor<'f32'>;
  /** B̃: input matrix in the eigenbasis, c64[P, H]. */
  readonly bTilde: Tensor<'c64'>;
  /** C̃: output matrix in the eigenbasis, c64[H, P]. */
  readonly cTilde: Tensor<'c64'>;
  /** D: feedthrough, f32[H]. */
  readonly d: Tensor<'f32'>;
}

/** Zero-order hold: Λ̄ = exp(ΛΔ) and B̄ = ((Λ̄ − 1)/Λ)[:, None] ⊙ B̃. */
export function discretizeZoh(p: S5Params): { readonly lambdaBar: Tensor<'c64'>; readonly bBar: Tensor<'c64'> } {
  const lambdaBar = pipe(p.lambda, T.mul(p.delta), T.exp);
  const bBar = pipe(lambdaBar, T.sub(1), T.div(p.lambda), T.expandDims(-1), T.mul(p.bTilde));
  return { lambdaBar, bBar };
}

/** The layer on a sequence u: f32[L, H] -> y: f32[L, H]. */
export function s5Layer(p: S5Params, u: Tensor<'f32'>): Tensor<'f32'> {
  const { lambdaBar, bBar } = discretizeZoh(p);
  const bu = pipe(u, T.cast('c64'), T.matmul(T.mT(bBar))); // [L, P]
  const x = T.linearRecurrence(lambdaBar, bu, { axis: 0 }); // along axis 0; Λ̄ broadcasts over the sequence
  const cx = pipe(x, T.matmul(T.mT(p.cTilde))); // [L, H]
  return pipe(cx, T.real, T.mul(2), T.add(T.mul(p.d, u)));
}

/** Shape specs of the parameters, for tracing. */
export const paramSpecs = (P: number, H: number) => ({
  lambda: T.spec([P], 'c64'),
  delta: T.spec([P]),
  bTilde: T.spec([P, H], 'c64'),
  cTilde: T.spec([H, P], 'c64'),
  d: T.spec([H]),
});

/** Random parameters in S5's ranges: Re Λ = −1/2, log Δ ~ U[log 0.001, log 0.1). */
export function randomParams(seed: number, P: number, H: number): S5Params {
  const [k1, k2, k3, k4, k5, k6, k7] = T.random.split(T.random.key(seed), 7);
  const cnormal = (a: T.random.Key, b: T.random.Key, shape: readonly number[], std: number) =>
    T.complex(T.random.normal(a, shape, std), T.random.normal(b, shape, std));
  return {
    lambda: T.complex(T.full([P], -0.5), T.mul(T.random.uniform(k1, [P]), Math.PI * P)),
    delta: pipe(T.random.uniform(k2, [P], Math.log(0.001), Math.log(0.1)), T.exp),
    bTilde: cnormal(k3, k4, [P, H], 1 / Math.sqrt(2 * P)),
    cTilde: cnormal(k5, k6, [H, P], Math.SQRT1_2),
    d: T.random.normal(k7, [H]),
  };
}

export function main(log: (line: string) => void = console.log): Tensor<'f32'> {
  const [P, H, L] = [4, 3, 16];
  const program = T.makeIR(s5Layer)(paramSpecs(P, H), T.spec([L, H]));
  T.typecheck(program.ir);
  log(`S5-style layer, P=${P} states, H=${H} features, L=${L} steps; its IR:`);
  log(program.toString());

  const params = randomParams(0, P, H);
  const u = T.random.normal(T.random.key(1), [L, H]);
  const y = s5Layer(params, u);
  log(`y = s5Layer(params, u): ${y.dtype}[${y.shape.join(',')}], first rows:`);
  (y.toArray() as number[][]).slice(0, 3).forEach((row) => log('  ' + row.map((v) => v.toFixed(6)).join('  ')));
  return y;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) main();
