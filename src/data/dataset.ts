/**
 * The in-memory dataset shape shared by every task, and row selection / split helpers.
 *
 * Layout: inputs are row-major. Float inputs are [N, L, C] (example, time step, channel);
 * token inputs are [N, L] integer ids, one-hot encoded into `inDim` channels by the model.
 * Padded tasks (ListOps, variable-length user data) carry `lengths`: the number of real steps
 * of each example; steps at t >= length are padding (zeros / token id 0).
 */
import { randomPermutation, seededRandom } from './rng';

export type SequenceInputs =
  /** [N, L, C] real-valued sequences. */
  | { readonly kind: 'float'; readonly data: Float32Array; readonly channels: number }
  /** [N, L] token ids in [0, vocabSize); the model one-hot encodes them into inDim >= vocabSize channels. */
  | { readonly kind: 'tokens'; readonly data: Int32Array; readonly vocabSize: number; readonly inDim: number };

export type Targets =
  /** One class label per example, in [0, numClasses). */
  | { readonly kind: 'classes'; readonly labels: Int32Array; readonly numClasses: number }
  /** [N, dim] real-valued regression targets. */
  | { readonly kind: 'regression'; readonly values: Float32Array; readonly dim: number }
  /** No targets (inputs for prediction). */
  | { readonly kind: 'none' };

export interface Dataset {
  /** Human-readable name, e.g. "smnist/train". */
  readonly name: string;
  /** Number of examples N. */
  readonly size: number;
  /** Sequence length L (the padded length when `lengths` is present). */
  readonly seqLen: number;
  readonly inputs: SequenceInputs;
  readonly targets: Targets;
  /** Real length of each example, for padded tasks; absent means every example has length L. */
  readonly lengths?: Int32Array;
  /** User data: the 1-based line of the file each example came from (for messages). */
  readonly sourceLines?: Int32Array;
}

export interface DatasetSplits {
  readonly train: Dataset;
  readonly val: Dataset;
  readonly test: Dataset;
}

/** Number of input channels the model sees: C for float inputs, inDim for tokens. */
export function inputDim(dataset: Dataset): number {
  return dataset.inputs.kind === 'float' ? dataset.inputs.channels : dataset.inputs.inDim;
}

/** Values per example in the input array (L*C or L). */
function inputStride(dataset: Dataset): number {
  return dataset.inputs.kind === 'float' ? dataset.seqLen * dataset.inputs.channels : dataset.seqLen;
}

/** Throws a RangeError if array sizes disagree with size / seqLen / channels. */
export function checkDataset(dataset: Dataset): void {
  const { size, seqLen, inputs, targets, lengths, name } = dataset;
  const fail = (what: string): never => {
    throw new RangeError(`dataset "${name}": ${what}`);
  };
  if (!Number.isSafeInteger(size) || size < 0) fail(`size must be a non-negative integer, got ${size}`);
  if (!Number.isSafeInteger(seqLen) || seqLen < 1) fail(`seqLen must be a positive integer, got ${seqLen}`);
  if (inputs.data.length !== size * inputStride(dataset)) {
    fail(`inputs hold ${inputs.data.length} values, expected ${size * inputStride(dataset)} (N*L${inputs.kind === 'float' ? '*C' : ''})`);
  }
  if (inputs.kind === 'tokens' && inputs.inDim < inputs.vocabSize) fail(`inDim ${inputs.inDim} is below vocabSize ${inputs.vocabSize}`);
  if (targets.kind === 'classes' && targets.labels.length !== size) fail(`${targets.labels.length} labels for ${size} examples`);
  if (targets.kind === 'regression' && targets.values.length !== size * targets.dim) {
    fail(`${targets.values.length} target values for ${size} examples of dimension ${targets.dim}`);
  }
  if (lengths !== undefined) {
    if (lengths.length !== size) fail(`${lengths.length} lengths for ${size} examples`);
    for (let i = 0; i < size; i++) if (lengths[i] < 1 || lengths[i] > seqLen) fail(`example ${i} has length ${lengths[i]} outside [1, ${seqLen}]`);
  }
}

function gather<T extends Float32Array | Int32Array>(source: T, rows: ArrayLike<number>, stride: number, make: (n: number) => T): T {
  const out = make(rows.length * stride);
  for (let i = 0; i < rows.length; i++) out.set(source.subarray(rows[i] * stride, (rows[i] + 1) * stride), i * stride);
  return out;
}

/** A new dataset holding copies of the given rows, in the given order. */
export function takeRows(dataset: Dataset, rows: ArrayLike<number>, name = dataset.name): Dataset {
  for (let i = 0; i < rows.length; i++) {
    if (!Number.isInteger(rows[i]) || rows[i] < 0 || rows[i] >= dataset.size) {
      throw new RangeError(`takeRows on "${dataset.name}": row ${rows[i]} outside [0, ${dataset.size})`);
    }
  }
  const stride = inputStride(dataset);
  const inputs: SequenceInputs =
    dataset.inputs.kind === 'float'
      ? { ...dataset.inputs, data: gather(dataset.inputs.data, rows, stride, (n) => new Float32Array(n)) }
      : { ...dataset.inputs, data: gather(dataset.inputs.data, rows, stride, (n) => new Int32Array(n)) };
  const { targets } = dataset;
  const picked: Targets =
    targets.kind === 'classes'
      ? { ...targets, labels: gather(targets.labels, rows, 1, (n) => new Int32Array(n)) }
      : targets.kind === 'regression'
        ? { ...targets, values: gather(targets.values, rows, targets.dim, (n) => new Float32Array(n)) }
        : targets;
  const lengths = dataset.lengths === undefined ? undefined : gather(dataset.lengths, rows, 1, (n) => new Int32Array(n));
  return { name, size: rows.length, seqLen: dataset.seqLen, inputs, targets: picked, ...(lengths ? { lengths } : {}) };
}

export interface HoldOutOptions {
  /** Fraction of the examples held out (e.g. 0.1 for a 10% validation split). */
  readonly fraction: number;
  /** Seed of the random split (S5 uses 42). */
  readonly seed: number;
}

/**
 * Randomly splits `dataset` into `kept` (the first N - round(N*fraction) examples of a seeded
 * permutation) and `heldOut` (the rest), like torch.utils.data.random_split([N-v, v]).
 */
export function holdOut(dataset: Dataset, options: HoldOutOptions, names?: { kept: string; heldOut: string }): { kept: Dataset; heldOut: Dataset } {
  const { fraction, seed } = options;
  if (!(fraction >= 0 && fraction < 1)) throw new RangeError(`holdOut: fraction must be in [0, 1), got ${fraction}`);
  const heldCount = Math.round(dataset.size * fraction);
  const order = randomPermutation(dataset.size, seededRandom(seed));
  const keptCount = dataset.size - heldCount;
  return {
    kept: takeRows(dataset, order.subarray(0, keptCount), names?.kept ?? dataset.name),
    heldOut: takeRows(dataset, order.subarray(keptCount), names?.heldOut ?? `${dataset.name}/heldout`),
  };
}

/** train/val/test from a training set and a test set, carving validation out of training. */
export function withValidation(prefix: string, train: Dataset, test: Dataset, options: HoldOutOptions): DatasetSplits {
  const { kept, heldOut } = holdOut(train, options, { kept: `${prefix}/train`, heldOut: `${prefix}/val` });
  return { train: kept, val: heldOut, test: { ...test, name: `${prefix}/test` } };
}
