/**
 * Open defects of the jit that the specs expose, each with the backends it affects. A test
 * that exposes one is declared with `itUnless(defect, backend)`: an expected failure
 * (`it.fails`) where the defect shows, an ordinary test elsewhere. When a defect is fixed the
 * expected failures turn red; delete the entry and its uses then. regressions.test.ts holds
 * each defect's smallest reproduction and its full description.
 */
import { it } from 'vitest';
import { ALL_BACKENDS, type BackendName } from '../../kernels/backends';
import type { Program } from './programs';

export interface Defect {
  readonly summary: string;
  readonly backends: readonly BackendName[];
}

export const DEFECTS = {
  staleScheduleCost: {
    summary: 'the fusion schedule never lowers a value\'s cost after materialising its inputs, so cheap maps over buffers get kernels of their own',
    backends: ALL_BACKENDS,
  },
  webgpuStorageBufferLimit: {
    summary: 'a kernel reading eight or more buffers cannot be built on webgpu (8 storage buffers per stage)',
    backends: ['webgpu'],
  },
  scanComponentImaginaryRead: {
    summary: 'an f32 output of a multi-output associative scan reads the next component as its imaginary part',
    backends: ALL_BACKENDS,
  },
  headlessglIntegerIndex: {
    summary: 'index expressions with no thread coordinate in them (in0[((0 + _s))], in0[(((0.0 + 1.0)))]) fail GLSL compilation on headless-gl',
    backends: ['headlessgl'],
  },
  headlessglHoistedGather: {
    summary: 'a scan reading a gathered complex value fails GLSL compilation on headless-gl (hoisted index read defined twice)',
    backends: ['headlessgl'],
  },
  webgpuIntegerClamp: {
    summary: 'a clamped read at (n.0 − Math.floor(i)) becomes i32 arithmetic in WGSL, and max(i32, 0.0) fails to compile on webgpu',
    backends: ['webgpu'],
  },
  cacheSizeGetter: {
    summary: 'jit(f).cacheSize is always 0: Object.assign copied the getter\'s value',
    backends: ALL_BACKENDS,
  },
} as const satisfies Record<string, Defect>;

export type DefectName = keyof typeof DEFECTS;

/** True when `defect` shows on `backend`. */
export const shows = (defect: DefectName, backend: BackendName): boolean => (DEFECTS[defect].backends as readonly BackendName[]).includes(backend);

/** `it.fails` where any of `defects` shows on `backend`, else `it`. */
export const itUnless = (defects: DefectName | readonly DefectName[], backend: BackendName): typeof it | typeof it.fails =>
  (typeof defects === 'string' ? [defects] : defects).some((d) => shows(d, backend)) ? it.fails : it;

/**
 * The open defect a failing random program (programs.ts) runs into, recognised by its error
 * message or by the program's structure; undefined for any other failure.
 */
export function programDefect(prog: Program, backend: BackendName, problem: string): DefectName | undefined {
  if (shows('headlessglIntegerIndex', backend) && /no matching overloaded function found/.test(problem)) return 'headlessglIntegerIndex';
  if (shows('headlessglHoistedGather', backend) && /'hoisted_\d+_kernel' : redefinition/.test(problem)) return 'headlessglHoistedGather';
  if (shows('webgpuStorageBufferLimit', backend) && /Invalid BindGroupLayout/.test(problem)) return 'webgpuStorageBufferLimit';
  if (shows('webgpuIntegerClamp', backend) && /no matching call to 'max\(i32, abstract-float\)'/.test(problem)) return 'webgpuIntegerClamp';
  const first = prog.inputs.length;
  const scanOutputs = new Set(prog.steps.flatMap((s, k) => (s.op.startsWith('associative scan: ') ? [first + k] : [])));
  if (prog.steps.some((s) => s.op === 'rfft' && scanOutputs.has(s.args[0]))) return 'scanComponentImaginaryRead';
  return undefined;
}
