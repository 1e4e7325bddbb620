// jax-js's FFTs for `npm run bench` (run from a folder where @jax-js/jax is installed: the bench
// copies this file beside the peers of ../shared/bench/peers): fft of one complex 2^16 row and
// rfft of [64, 2048], jitted, each timed to the read-back of its outputs (median of 15 after a
// warm-up). Prints one JSON line.
import { init, defaultDevice, jit, numpy as np, random } from '@jax-js/jax';
await init('wasm');
defaultDevice('wasm');
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
async function time(run, reps = 15) {
  await run();
  const ts = [];
  for (let i = 0; i < reps; i++) {
    const t = performance.now();
    await run();
    ts.push(performance.now() - t);
  }
  return median(ts);
}
const n = 1 << 16;
const re = random.normal(random.key(1), [n]);
const im = random.normal(random.key(2), [n]);
const fft = jit((r, i) => {
  const o = np.fft.fft({ real: r, imag: i });
  return [o.real, o.imag];
});
const fftMs = await time(async () => {
  const [a, b] = fft(re.ref, im.ref);
  await Promise.all([a.data(), b.data()]);
});
const x = random.normal(random.key(3), [64, 2048]);
const rfft = jit((v) => {
  const o = np.fft.rfft(v);
  return [o.real, o.imag];
});
const rfftMs = await time(async () => {
  const [a, b] = rfft(x.ref);
  await Promise.all([a.data(), b.data()]);
});
console.log(JSON.stringify({ peer: 'jaxjs-wasm', fft_2_16_ms: +fftMs.toFixed(3), rfft_64x2048_ms: +rfftMs.toFixed(3) }));
