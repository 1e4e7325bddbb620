/**
 * Regression tests: programs on which compiled and interpreted results once differed, or on
 * which compilation failed, each reduced to its smallest form. A test that still exposes an
 * open defect runs as an expected failure on the backends it affects (`it.fails`), with the
 * defect described beside it; it turns red when the defect is fixed, so the mark gets removed.
 */
import { it } from 'vitest';
import type { BackendName } from '../../kernels/backends';
import * as T from '../../src/index';
import type { Tensor } from '../../src/index';
import { describeEachBackend } from './backends';
import { expectJitMatchesInterpreter } from './oracle';
import { TOL } from './tolerances';

/** `it`, or `it.fails` on the backends where an open defect still shows. */
const itUnless = (backend: BackendName, affected: readonly BackendName[]) => (affected.includes(backend) ? it.fails : it);

describeEachBackend('jit regressions', (backend) => {
  /*
   * Open defect (webgpu): kernels/runtime.ts caches gpu.js kernels by source alone, and gpu.js's
   * WebGPU kernel fixes each argument's kind (device buffer or host array) when it is first
   * built. The output-packing kernel of a program whose output is an input or a host value
   * (random bits) has the same source as that of a program whose output a kernel computed
   * (`function (out0) { ... return out0[_i0]; ... }` at the same length), so after the latter
   * ran, the former is handed a Float32Array where a WebGPUBufferResult was built, and fails
   * with "WebGPUBufferResult passed as argument "out0" is from a different WebGPU device".
   */
  itUnless(backend, ['webgpu'])('an identity program after a computed output of the same length', async () => {
    // A length no other test here uses, so no earlier program has built this packing kernel.
    const x = T.tensor(Array.from({ length: 13 }, (_, i) => i + 1), 'f32');
    await expectJitMatchesInterpreter((v: Tensor) => T.cumsum(v as Tensor<'f32'>), [x], backend, TOL.arith);
    await expectJitMatchesInterpreter((v: Tensor) => v, [x], backend, TOL.exact);
  });
});
