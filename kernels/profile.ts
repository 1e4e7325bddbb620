/**
 * Kernel profile: with SSMJIT_PROFILE=1 the runtime times every kernel call of a resident
 * plan (wall time from launch to the awaited result; exact on cpu and webasm, which finish
 * before returning, and a lower bound on GPU backends, which return before the device is
 * done) and prints a table of the kernels by total time when the process exits, each row
 * followed by the program equations the kernel computes and their source lines.
 */
import type { Listing } from './ir/types';
import { platform } from '#platform';
import type { Dims } from './plan';
import { envVar } from './platform/env';
import { product } from './source';

interface KernelTotals {
  calls: number;
  ms: number;
  floats: number;
  /** The program equations the kernel computes, with their source lines (see compiler/site.ts). */
  computes?: Listing;
}

/** Equations listed under a row of the table. */
const LISTED = 6;

const totals = new Map<string, KernelTotals>();
let reporting = false;

export const profiling = (): boolean => envVar('SSMJIT_PROFILE') === '1';

export function recordKernelTime(name: string, output: Dims, ms: number, computes?: Listing): void {
  const key = `${name} [${output.join('x')}]`;
  const t = totals.get(key) ?? { calls: 0, ms: 0, floats: product(output), computes };
  t.calls += 1;
  t.ms += ms;
  totals.set(key, t);
  if (!reporting) {
    reporting = true;
    platform.onExit(() => platform.writeDiagnostic(profileTable()));
  }
}

/** The table printed at exit: the kernels by total time, the top 40 and a total line. */
export function profileTable(top = 40): string {
  const rows = [...totals.entries()].sort((a, b) => b[1].ms - a[1].ms);
  const all = rows.reduce((s, [, t]) => s + t.ms, 0);
  const lines = ['kernel profile (SSMJIT_PROFILE=1): total ms, share, calls, ms/call, output floats, kernel [grid]'];
  for (const [key, t] of rows.slice(0, top)) {
    lines.push(`${t.ms.toFixed(0).padStart(9)} ${((100 * t.ms) / all).toFixed(1).padStart(5)}% ${String(t.calls).padStart(7)} ${(t.ms / t.calls).toFixed(3).padStart(9)} ${String(t.floats).padStart(9)}  ${key}`);
    const computes = t.computes?.() ?? [];
    for (const c of computes.slice(0, LISTED)) lines.push(`${' '.repeat(45)}# ${c}`);
    if (computes.length > LISTED) lines.push(`${' '.repeat(45)}# … ${computes.length - LISTED} more equations`);
  }
  lines.push(`${all.toFixed(0).padStart(9)} in ${rows.length} distinct kernels`);
  return `${lines.join('\n')}\n`;
}
