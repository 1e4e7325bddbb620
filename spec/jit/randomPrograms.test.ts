/**
 * Random well-typed programs (programs.ts: DAGs of 5 to 30 operations over real and complex
 * values, with broadcasting, matmul, reductions, cumsum, linear recurrences, associative
 * scans, FFTs and structural ops): the jitted program must equal the interpreted one on every
 * backend. The fast-check seed is fixed (one per backend, printed in the test name); to
 * explore, SSMJIT_JIT_SEED sets the base seed and SSMJIT_JIT_RUNS multiplies the number of
 * programs. A failure is shrunk to a minimal program, printed as a listing and as JSON, and
 * belongs in regressions.test.ts. Programs that run into an open defect (knownDefects.ts;
 * recognised by its error message or by the program's structure) are skipped and counted in
 * the log, so the run keeps testing everything else on that backend.
 *
 * Float32 tolerance (TOLERANCES.md): programs chain up to 30 operations, sums of up to 8
 * terms and DFTs of up to 8 points, on values mostly kept of order one: rtol 1e-4, and atol
 * 1e-4 relative to the largest intermediate value (an output may cancel to nearly zero from
 * large intermediates, where float32 can only promise an error relative to those).
 *
 * Programs per backend: the backends whose shader compilers take tens to hundreds of ms per
 * kernel (webgpu, headless-gl) run fewer (30 against 300 on cpu and 200 on webasm).
 */
import fc from 'fast-check';
import { expect, it } from 'vitest';
import type { BackendName } from '../../kernels/backends';
import * as T from '../../src/index';
import { describeEachBackend } from './backends';
import { treeMismatch } from './oracle';
import { type DefectName, programDefect } from './knownDefects';
import { buildProgram, largestValue, type Program, programArgs, programFunction, rawProgramArb, showProgram } from './programs';
import { PROGRAM_OPS } from './programOps';
import { programTol } from './tolerances';

const BASE_SEED = Number(process.env.SSMJIT_JIT_SEED ?? 20261122);
const SCALE = Number(process.env.SSMJIT_JIT_RUNS ?? 1);
const RUNS: Record<BackendName, number> = { wasm: 300, cpu: 300, webasm: 200, webgpu: 30, headlessgl: 30, webgl2: 30, webgl: 30 };
const SEED_OFFSET: Record<BackendName, number> = { cpu: 0, webasm: 1, webgpu: 2, headlessgl: 3, wasm: 4, webgl2: 5, webgl: 6 };

/** undefined when the compiled program equals the interpreted one, else a report. */
async function compareProgram(prog: Program, argSeed: number, backend: BackendName): Promise<string | undefined> {
  const f = programFunction(prog);
  const xs = programArgs(prog, argSeed);
  const expected = f(...xs);
  let actual: unknown;
  try {
    actual = await T.jit(f, { backend })(...xs);
  } catch (e) {
    return `compilation or execution failed: ${(e as Error).message}`;
  }
  return treeMismatch(actual, expected, programTol(largestValue(prog, xs)));
}

it('the generator reaches every operation, with type rules that agree with tracing', () => {
  const seen = new Set<string>();
  for (const raw of fc.sample(rawProgramArb({ minSteps: 5, maxSteps: 30 }), { seed: BASE_SEED, numRuns: 300 })) {
    const prog = buildProgram(raw);
    expect(prog.steps.length).toBe(raw.steps.length);
    prog.steps.forEach((s) => seen.add(s.op));
    // Tracing checks every step's declared type against the traced one.
    T.makeIR(programFunction(prog))(...prog.inputs.map((t) => T.spec(t.shape, t.dtype)));
  }
  expect(PROGRAM_OPS.map((o) => o.name).filter((n) => !seen.has(n))).toEqual([]);
});

describeEachBackend('random programs, jit = interpreter', (backend) => {
  const runs = Math.max(1, Math.round(RUNS[backend] * SCALE));
  const seed = BASE_SEED + SEED_OFFSET[backend];
  it(`${runs} programs of 5 to 30 ops (fast-check seed ${seed})`, async () => {
    const skipped = new Map<DefectName, number>();
    await fc.assert(
      fc.asyncProperty(rawProgramArb({ minSteps: 5, maxSteps: 30 }), async (raw) => {
        const prog = buildProgram(raw);
        const problem = await compareProgram(prog, raw.seed, backend);
        if (!problem) return;
        const defect = programDefect(prog, backend, problem);
        if (defect) {
          skipped.set(defect, (skipped.get(defect) ?? 0) + 1);
          fc.pre(false);
        }
        throw new Error(`${problem}\n${showProgram(prog)}\nprogram: ${JSON.stringify(prog)}\nargument seed: ${raw.seed}`);
      }),
      { seed, numRuns: runs, maxSkipsPerRun: 1000 },
    );
    if (skipped.size) console.log(`random programs [${backend}]: skipped for known defects: ${[...skipped].map(([d, n]) => `${d} ×${n}`).join(', ')}`);
  });
});
