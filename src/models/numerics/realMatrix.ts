// Dense real matrices for the float64 SSM numerics: row-major Float64Array
// storage, entry (i, j) at data[i * cols + j].

export interface RealMatrix {
  readonly rows: number;
  readonly cols: number;
  readonly data: Float64Array;
}

export const realMatrix = (rows: number, cols: number): RealMatrix => {
  if (!Number.isInteger(rows) || !Number.isInteger(cols) || rows < 0 || cols < 0) {
    throw new RangeError(`realMatrix: shape must be non-negative integers, got ${rows} x ${cols}`);
  }
  return { rows, cols, data: new Float64Array(rows * cols) };
};

/** The rows x cols matrix with entries entry(i, j). */
export const realMatrixFromFunction = (
  rows: number,
  cols: number,
  entry: (i: number, j: number) => number,
): RealMatrix => {
  const m = realMatrix(rows, cols);
  for (let i = 0; i < rows; i++) for (let j = 0; j < cols; j++) m.data[i * cols + j] = entry(i, j);
  return m;
};

export const realEntry = (m: RealMatrix, i: number, j: number): number => m.data[i * m.cols + j];

export const transposeReal = (m: RealMatrix): RealMatrix =>
  realMatrixFromFunction(m.cols, m.rows, (i, j) => m.data[j * m.cols + i]);

export const realMatmul = (a: RealMatrix, b: RealMatrix): RealMatrix => {
  if (a.cols !== b.rows) {
    throw new RangeError(`realMatmul: inner dimensions differ (${a.rows}x${a.cols} times ${b.rows}x${b.cols})`);
  }
  const out = realMatrix(a.rows, b.cols);
  for (let i = 0; i < a.rows; i++) {
    for (let k = 0; k < a.cols; k++) {
      const aik = a.data[i * a.cols + k];
      if (aik === 0) continue;
      for (let j = 0; j < b.cols; j++) out.data[i * b.cols + j] += aik * b.data[k * b.cols + j];
    }
  }
  return out;
};

/** max_ij |a_ij - b_ij|; throws if the shapes differ. */
export const maxAbsDiffReal = (a: RealMatrix, b: RealMatrix): number => {
  if (a.rows !== b.rows || a.cols !== b.cols) {
    throw new RangeError(`maxAbsDiffReal: shapes ${a.rows}x${a.cols} and ${b.rows}x${b.cols} differ`);
  }
  let m = 0;
  for (let i = 0; i < a.data.length; i++) m = Math.max(m, Math.abs(a.data[i] - b.data[i]));
  return m;
};
