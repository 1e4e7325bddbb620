/**
 * Timing helpers of the benchmark scripts: the median of a sample, and a timed loop after
 * warm-up calls (V8 tiers a wasm function up between calls, not during a long one).
 */
export function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
}

/** Median and minimum milliseconds of `runs` runs of `f` after `warmups` untimed ones. */
export function timeMs(f: () => void, runs: number, warmups = 1): { median: number; min: number } {
  for (let i = 0; i < warmups; i++) f();
  const ms: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    f();
    ms.push(performance.now() - t0);
  }
  return { median: median(ms), min: Math.min(...ms) };
}
