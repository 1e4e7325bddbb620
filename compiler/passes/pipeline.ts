/**
 * The named pipeline of IR → IR passes that jit runs before lowering: simplify, splitting
 * complex matmuls with real structure, CSE, DCE; then call equations (custom rules,
 * checkpoint) are inlined and the inlined code is simplified, split and pruned the same way,
 * without a second CSE (which would merge a checkpoint's recomputation with the original).
 * Each pass is a named function over an immutable IR; `typecheck` can run after each one, and
 * `SSMJIT_DUMP_IR=1` (or the `dump` option) prints the IR after every pass.
 */
import type { IR } from '../ir';
import { printIR } from '../printer';
import { typecheck } from '../typecheck';
import { cse } from './cse';
import { dce } from './dce';
import { inlineCalls } from './inline';
import { simplify } from './simplify';
import { splitComplexMatmul } from './complexMatmul';
import { envVar } from '../../kernels/platform/env';

export interface Pass {
  readonly name: string;
  readonly run: (ir: IR) => IR;
}

export const PASSES: readonly Pass[] = [
  { name: 'simplify', run: simplify },
  { name: 'split-complex-matmul', run: splitComplexMatmul },
  { name: 'cse', run: cse },
  { name: 'dce', run: dce },
  { name: 'inline-calls', run: inlineCalls },
  { name: 'simplify-inlined', run: simplify },
  { name: 'split-complex-matmul-inlined', run: splitComplexMatmul },
  { name: 'dce-inlined', run: dce },
];

export interface PipelineOptions {
  readonly check?: boolean;
  readonly dump?: (pass: string, text: string) => void;
}

export interface PassTrace {
  readonly pass: string;
  readonly ir: IR;
}

export function runPasses(ir: IR, opts: PipelineOptions = {}, passes: readonly Pass[] = PASSES): { ir: IR; trace: PassTrace[] } {
  const dump = opts.dump ?? (envVar('SSMJIT_DUMP_IR') ? (pass, text) => console.error(`--- after ${pass} ---\n${text}`) : undefined);
  const trace: PassTrace[] = [{ pass: 'input', ir }];
  let cur = ir;
  for (const p of passes) {
    cur = p.run(cur);
    if (opts.check ?? true) typecheck(cur, `after ${p.name}`);
    dump?.(p.name, printIR(cur));
    trace.push({ pass: p.name, ir: cur });
  }
  return { ir: cur, trace };
}
