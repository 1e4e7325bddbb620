/**
 * How a tensor reads in console.log, the REPL and string templates: its dtype, shape and values
 * (numpy-style nested brackets; past 1000 elements each axis shows its first and last three
 * entries around an ellipsis), never its internals. A traced tensor has no values and says so.
 */
import type { DType } from './dtype';

const SUMMARY_THRESHOLD = 1000;
const EDGE = 3;

/** One element as text: numbers to 6 significant digits, complex as a+bi, booleans as true/false. */
function scalarText(dtype: DType, data: Float64Array, i: number): string {
  const num = (v: number) => (Number.isInteger(v) ? String(v) : Number(v.toPrecision(6)).toString());
  if (dtype === 'c64') {
    const re = data[2 * i];
    const im = data[2 * i + 1];
    return `${num(re)}${im < 0 || Object.is(im, -0) ? '-' : '+'}${num(Math.abs(im))}i`;
  }
  if (dtype === 'bool') return data[i] !== 0 ? 'true' : 'false';
  return num(data[i]);
}

/** The nested-bracket text of row-major values with the given shape. */
export function formatValues(dtype: DType, shape: readonly number[], data: Float64Array): string {
  const size = shape.reduce((a, b) => a * b, 1);
  const summarise = size > SUMMARY_THRESHOLD;
  const strides = shape.map((_, d) => shape.slice(d + 1).reduce((a, b) => a * b, 1));
  const build = (dim: number, offset: number, indent: string): string => {
    if (dim === shape.length) return scalarText(dtype, data, offset);
    const n = shape[dim];
    const picks = summarise && n > 2 * EDGE ? [...Array.from({ length: EDGE }, (_, i) => i), -1, ...Array.from({ length: EDGE }, (_, i) => n - EDGE + i)] : Array.from({ length: n }, (_, i) => i);
    const parts = picks.map((i) => (i < 0 ? '…' : build(dim + 1, offset + i * strides[dim], `${indent} `)));
    const sep = dim === shape.length - 1 ? ', ' : `,\n${indent} `;
    return `[${parts.join(sep)}]`;
  };
  return build(0, 0, '');
}

export function formatTensor(dtype: DType, shape: readonly number[], values: Float64Array | undefined): string {
  const head = `Tensor<${dtype}>[${shape.join(',')}]`;
  if (values === undefined) return `${head} (traced: no values until the function runs)`;
  const body = formatValues(dtype, shape, values);
  return body.includes('\n') ? `${head}\n${body}` : `${head} ${body}`;
}
