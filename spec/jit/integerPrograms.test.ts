/**
 * Random i32 programs, jit = interpreter, exactly. The interpreter's integers are 32-bit:
 * `mul` and `add` wrap modulo 2^32, division truncates and gives 0 for a zero divisor (and
 * wraps for -2^31 / -1). Inputs are drawn from three domains: small values around zero (every
 * division may meet a zero divisor), values past 2^24 (where float32 stops being exact) and
 * values spanning the whole 32-bit range (sums and products wrap around 2^31).
 *
 * What a backend promises is data, its descriptor's `exactIntegers` (kernels/capabilities.ts):
 * with it, every program must match bit for bit; without it (gpu.js backends hold integers as
 * float32, or float64 on cpu, and have no fixed-width arithmetic) the promise is exactness while
 * every value of the program stays within ±2^24, division by zero included. Programs outside a
 * backend's promise are not compared; they are counted and the count printed, and the test
 * requires that most programs are compared.
 */
import fc from 'fast-check';
import { expect, it } from 'vitest';
import type { BackendName } from '../../kernels/backends';
import { describeBackend } from '../../kernels/capabilities';
import * as T from '../../src/index';
import type { Tensor } from '../../src/index';
import { describeEachBackend } from './backends';

/** The integers a backend computes exactly (from its descriptor). */
const exactRange = (b: BackendName): 'int32' | 'float32' => (describeBackend(b).exactIntegers ? 'int32' : 'float32');
const FLOAT32_EXACT = 2 ** 24;

const RUNS: Record<BackendName, number> = { wasm: 150, cpu: 150, webasm: 100, webgpu: 25, headlessgl: 25, webgl2: 25, webgl: 25 };
const SEED_OFFSET: Record<BackendName, number> = { cpu: 0, webasm: 1, webgpu: 2, headlessgl: 3, wasm: 4, webgl2: 5, webgl: 6 };
const BASE_SEED = 20261201;

type I = Tensor<'i32'>;
const I = (x: Tensor): I => x as I;

interface IntOp {
  readonly name: string;
  readonly arity: 1 | 2;
  readonly apply: (a: I, b: I) => Tensor;
}

/** Elementwise integer operations (broadcasting binary ones); comparisons feed selects. */
const OPS: readonly IntOp[] = [
  { name: 'add', arity: 2, apply: (a, b) => T.add(a, b) },
  { name: 'sub', arity: 2, apply: (a, b) => T.sub(a, b) },
  { name: 'mul', arity: 2, apply: (a, b) => T.mul(a, b) },
  { name: 'div', arity: 2, apply: (a, b) => T.div(a, b) },
  { name: 'max', arity: 2, apply: (a, b) => T.maximum(a, b) },
  { name: 'min', arity: 2, apply: (a, b) => T.minimum(a, b) },
  { name: 'select_lt', arity: 2, apply: (a, b) => T.where(T.less(a, b), a, b) },
  { name: 'select_eq', arity: 2, apply: (a, b) => T.where(T.equal(a, b), T.add(a, 1), b) },
  { name: 'neg', arity: 1, apply: (a) => T.neg(a) },
  { name: 'abs', arity: 1, apply: (a) => T.abs(a) },
  { name: 'square', arity: 1, apply: (a) => T.mul(a, a) },
  { name: 'div_by_self_minus_1', arity: 1, apply: (a) => T.div(a, T.sub(a, 1)) },
];

type Domain = 'small' | 'past2^24' | 'int32';

interface IntProgram {
  readonly inputs: readonly { readonly shape: readonly number[]; readonly domain: Domain; readonly values: readonly number[] }[];
  readonly steps: readonly { readonly op: number; readonly a: number; readonly b: number }[];
}

/** Shapes that all broadcast with each other. */
const SHAPES: readonly (readonly number[])[] = [[], [3], [2, 3], [2, 1], [1, 3]];

const valueArb = (d: Domain): fc.Arbitrary<number> =>
  d === 'small'
    ? fc.integer({ min: -6, max: 6 })
    : d === 'past2^24'
      ? fc.oneof(fc.integer({ min: FLOAT32_EXACT - 4, max: FLOAT32_EXACT + 40 }), fc.integer({ min: -(2 ** 26), max: 2 ** 26 }))
      : fc.oneof(fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 }), fc.constantFrom(2 ** 31 - 1, -(2 ** 31), -1, 0, 1, 65536));

const inputArb = fc
  .record({ shape: fc.constantFrom(...SHAPES), domain: fc.constantFrom<Domain>('small', 'small', 'small', 'past2^24', 'int32') })
  .chain(({ shape, domain }) => fc.array(valueArb(domain), { minLength: shape.reduce((a, b) => a * b, 1), maxLength: shape.reduce((a, b) => a * b, 1) }).map((values) => ({ shape, domain, values })));

const programArb: fc.Arbitrary<IntProgram> = fc.record({
  inputs: fc.array(inputArb, { minLength: 1, maxLength: 3 }),
  steps: fc.array(fc.record({ op: fc.nat(OPS.length - 1), a: fc.nat(100), b: fc.nat(100) }), { minLength: 1, maxLength: 8 }),
});

/** The program as a function: step k applies its op to two earlier values (broadcasting). */
function programFunction(p: IntProgram): (...xs: Tensor[]) => Tensor[] {
  return (...xs) => {
    const values: Tensor[] = [...xs];
    for (const s of p.steps) {
      const op = OPS[s.op];
      const a = values[values.length - 1 - (s.a % Math.min(values.length, 3))];
      const b = values[s.b % values.length];
      values.push(op.apply(I(a), I(b)));
    }
    return values.slice(xs.length);
  };
}

const show = (p: IntProgram): string =>
  [...p.inputs.map((x, i) => `v${i}: i32[${x.shape}] (${x.domain}) = [${x.values.join(', ')}]`), ...p.steps.map((s, k) => `step ${k}: ${OPS[s.op].name} (a=${s.a}, b=${s.b})`)].join('\n');

it('the integer generator reaches every operation and every domain', () => {
  const ops = new Set<string>();
  const domains = new Set<Domain>();
  for (const p of fc.sample(programArb, { seed: BASE_SEED, numRuns: 200 })) {
    p.steps.forEach((s) => ops.add(OPS[s.op].name));
    p.inputs.forEach((x) => domains.add(x.domain));
  }
  expect(OPS.map((o) => o.name).filter((n) => !ops.has(n))).toEqual([]);
  expect([...domains].sort()).toEqual(['int32', 'past2^24', 'small']);
});

describeEachBackend('random i32 programs, jit = interpreter exactly', (backend) => {
  const runs = RUNS[backend];
  const seed = BASE_SEED + SEED_OFFSET[backend];
  const range = exactRange(backend);
  it(`${runs} programs (fast-check seed ${seed}), exact over ${range === 'int32' ? 'wrapping 32-bit integers' : '±2^24'}`, async () => {
    let compared = 0;
    let outside = 0;
    let zeroDivisions = 0;
    await fc.assert(
      fc.asyncProperty(programArb, async (p) => {
        const f = programFunction(p);
        const xs = p.inputs.map((x) => T.tensor(Float64Array.from(x.values), 'i32', [...x.shape]));
        const expected = f(...xs);
        const values = [...xs, ...expected].flatMap((t) => [...t.data64()]);
        if (range === 'float32' && values.some((v) => Math.abs(v) > FLOAT32_EXACT)) {
          outside++;
          return;
        }
        compared++;
        if (p.steps.some((s) => OPS[s.op].name.startsWith('div'))) zeroDivisions += values.includes(0) ? 1 : 0;
        const actual = (await T.jit(f, { backend })(...xs)) as Tensor[];
        actual.forEach((t, i) => {
          const want = [...expected[i].data64()];
          const got = [...t.data64()];
          if (t.dtype !== 'i32' || got.some((v, j) => v !== want[j])) {
            throw new Error(`output ${i}: ${t.dtype} [${got.join(', ')}], interpreter [${want.join(', ')}]\n${show(p)}`);
          }
        });
      }),
      { seed, numRuns: runs },
    );
    console.log(`random i32 programs [${backend}]: ${compared} compared (${zeroDivisions} with a zero among the values of a division program), ${outside} outside the backend's exact range (${range})`);
    expect(compared).toBeGreaterThan(runs / 4);
  });
});
