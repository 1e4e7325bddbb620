/**
 * Memory of the backward pass with and without T.checkpoint: the buffer-plan peak (floats of
 * intermediates alive at once) and the kernel count of jit(valueAndGrad(loss)) for one S5-style
 * layer and for a stack of four with residual connections, each layer checkpointed or not
 * (P = 8 states, H = 8 channels, batch 1), at L = 1,024 and 16,384, on gpu.js `cpu` and `wasm`.
 * Lowering only: nothing runs. Prints the table of docs/transformations.md.
 *   npx esbuild scripts/bench-remat.ts --bundle --platform=node --format=esm \
 *     --external:gpu.js --external:gl --external:webgpu --outfile=dist/bench-remat.mjs \
 *     --banner:js="import { createRequire as cr } from 'node:module'; const require = cr(import.meta.url);"
 *   node dist/bench-remat.mjs
 */
import * as T from '../src/index';
import type { Tensor } from '../src/index';

interface Layer {
  LambdaRe: Tensor<'f32'>;
  LambdaIm: Tensor<'f32'>;
  B: Tensor<'c64'>;
  C: Tensor<'c64'>;
  D: Tensor<'f32'>;
  logStep: Tensor<'f32'>;
}

function s5Layer(p: Layer, u: Tensor<'f32'>): Tensor<'f32'> {
  const Lambda = T.complex(p.LambdaRe, p.LambdaIm);
  const Abar = T.exp(T.mul(Lambda, T.exp(p.logStep)));
  const Bu = T.mul(T.matmul(T.cast('c64')(u), T.mT(p.B)), T.div(T.sub(Abar, 1), Lambda));
  const x = T.linearRecurrence(T.broadcastTo(Abar, Bu.shape), Bu, { axis: 1 });
  return T.gelu(T.add(T.mul(T.real(T.matmul(x, T.mT(p.C))), 2), T.mul(p.D, u)));
}

const stack = (n: number, remat: boolean) => (p: Layer, u: Tensor<'f32'>): Tensor<'f32'> => {
  const layer = remat ? T.checkpoint((v: Tensor<'f32'>) => s5Layer(p, v)) : (v: Tensor<'f32'>) => s5Layer(p, v);
  if (n === 1) return layer(u);
  let h = u;
  for (let i = 0; i < n; i++) h = T.add(h, layer(h));
  return h;
};

const [P, H] = [8, 8];
const params: Layer = {
  LambdaRe: T.mul(T.ones([P]), -0.5),
  LambdaIm: T.ones([P]),
  B: T.cast('c64')(T.mul(T.ones([P, H]), 0.1)) as Tensor<'c64'>,
  C: T.cast('c64')(T.mul(T.ones([H, P]), 0.1)) as Tensor<'c64'>,
  D: T.ones([H]),
  logStep: T.mul(T.ones([P]), -2),
};

console.log('| program | L | gpu.js `cpu`, peak floats | `wasm`, peak floats | kernels (cpu / wasm) |');
console.log('|---|---|---|---|---|');
for (const L of [1024, 16384]) {
  const u = T.ones([1, L, H]);
  for (const [n, remat] of [[1, false], [1, true], [4, false], [4, true]] as const) {
    const f = stack(n, remat);
    const loss = (p: Layer, v: Tensor<'f32'>) => T.mean(T.square(f(p, v)));
    const cells: { peak: number; kernels: number }[] = [];
    for (const backend of ['cpu', 'wasm'] as const) {
      const l = await T.jit(T.valueAndGrad(loss, { argnums: [0, 1] }), { backend }).lower(params, u);
      cells.push({ peak: l.peakIntermediateFloats, kernels: l.kernels.length });
    }
    const name = `${n === 1 ? '1 layer' : `${n} layers`}${remat ? (n === 1 ? ', checkpointed' : ', each checkpointed') : ''}`;
    const fmt = (x: number) => x.toLocaleString('en-US');
    console.log(`| ${name} | ${fmt(L)} | ${fmt(cells[0].peak)} | ${fmt(cells[1].peak)} | ${cells[0].kernels} / ${cells[1].kernels} |`);
  }
}
