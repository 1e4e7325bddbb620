/**
 * Elementwise map template against plain loops: real and complex data,
 * size-1 and odd shapes, broadcasting, and a caller-supplied fused body.
 */
import { expect, it } from 'vitest';
import { broadcastTo, bufferOf, operandOf } from '../../kernels/operand';
import { PlanBuilder } from '../../kernels/plan';
import { elementwise, mapOperands } from '../../kernels/templates/elementwise';
import { describeEachBackend, expectClose, randomArray } from './helpers';

describeEachBackend('elementwise', (rt) => {
  for (const shape of [[1], [7], [3, 4], [2, 3, 5], [1000]]) {
    it(`real a*b + sin(a) over [${shape}]`, async () => {
      const n = shape.reduce((p, d) => p * d, 1);
      const a = randomArray(n, 1), b = randomArray(n, 2);
      const builder = new PlanBuilder('fma');
      const A = operandOf(builder.input('a', n), shape, 'f32');
      const B = operandOf(builder.input('b', n), shape, 'f32');
      const out = mapOperands(builder, {
        inputs: [A, B],
        dtype: 'f32',
        expr: ([x, y]) => ({ re: `${x.re} * ${y.re} + Math.sin(${x.re})`, im: '0.0' }),
      });
      const got = await rt().run(builder.build(bufferOf(out)), [a, b]);
      const want = Array.from(a, (x, i) => x * b[i] + Math.sin(x));
      expectClose(got, want, { atol: 1e-6, rtol: 1e-6 });
    });
  }

  for (const n of [1, 3, 100]) {
    it(`complex product z*w conj over ${n} elements`, async () => {
      const z = randomArray(2 * n, 3), w = randomArray(2 * n, 4);
      const builder = new PlanBuilder('cmul');
      const Z = operandOf(builder.input('z', 2 * n), [n], 'c64');
      const W = operandOf(builder.input('w', 2 * n), [n], 'c64');
      const out = mapOperands(builder, {
        inputs: [Z, W],
        dtype: 'c64',
        // z * conj(w)
        expr: ([p, q]) => ({
          re: `${p.re} * ${q.re} + ${p.im} * ${q.im}`,
          im: `${p.im} * ${q.re} - ${p.re} * ${q.im}`,
        }),
      });
      const got = await rt().run(builder.build(bufferOf(out)), [z, w]);
      const want = new Float64Array(2 * n);
      for (let i = 0; i < n; i++) {
        const [zr, zi, wr, wi] = [z[2 * i], z[2 * i + 1], w[2 * i], w[2 * i + 1]];
        want[2 * i] = zr * wr + zi * wi;
        want[2 * i + 1] = zi * wr - zr * wi;
      }
      expectClose(got, want, { atol: 1e-6, rtol: 1e-6 });
    });
  }

  it('broadcasts a row vector and a scalar against a [4, 3] matrix', async () => {
    const m = randomArray(12, 5), row = randomArray(3, 6), s = new Float32Array([2.5]);
    const builder = new PlanBuilder('bcast');
    const M = operandOf(builder.input('m', 12), [4, 3], 'f32');
    const R = broadcastTo(operandOf(builder.input('row', 3), [3], 'f32'), [4, 3]);
    const S = broadcastTo(operandOf(builder.input('s', 1), [1], 'f32'), [4, 3]);
    const out = mapOperands(builder, { inputs: [M, R, S], dtype: 'f32', expr: ([x, y, c]) => ({ re: `(${x.re} - ${y.re}) * ${c.re}`, im: '0.0' }) });
    const got = await rt().run(builder.build(bufferOf(out)), [m, row, s]);
    const want = Array.from(m, (x, i) => (x - row[i % 3]) * 2.5);
    expectClose(got, want, { atol: 1e-6, rtol: 1e-6 });
  });

  it('runs a raw body with statements and coordinate-dependent values', async () => {
    const x = randomArray(6, 7);
    const builder = new PlanBuilder('raw');
    const X = operandOf(builder.input('x', 6), [2, 3], 'f32');
    const out = elementwise(builder, {
      shape: [2, 3],
      dtype: 'c64',
      bindings: X.bindings,
      body: (coords, part) => ({
        statements: [`const v = ${X.read(coords, 're')};`],
        value: part === 're' ? `v * (${coords[0]} + 1.0)` : `v + ${coords[1]}`,
      }),
    });
    const got = await rt().run(builder.build(bufferOf(out)), [x]);
    const want: number[] = [];
    for (let i = 0; i < 2; i++) for (let j = 0; j < 3; j++) want.push(x[i * 3 + j] * (i + 1), x[i * 3 + j] + j);
    expectClose(got, want, { atol: 1e-6, rtol: 1e-6 });
  });

  it('rejects operands of mismatched shapes with both shapes named', () => {
    const builder = new PlanBuilder('bad');
    const A = operandOf(builder.input('a', 6), [2, 3], 'f32');
    const B = operandOf(builder.input('b', 6), [3, 2], 'f32');
    expect(() => mapOperands(builder, { inputs: [A, B], dtype: 'f32', expr: ([x]) => x })).toThrow(/input 1 has shape \[3, 2\], input 0 has \[2, 3\]/);
  });
});
