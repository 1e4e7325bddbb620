/**
 * Tasks: from a run's task settings to train/validation/test datasets and to what the data
 * decides about the model (input encoding, input width, head).
 *
 *   smnist, psmnist  the `mnist` package digits as 784 x 1 sequences (raster / bit-reversal),
 *                    7,200 / 800 / 2,000 (src/data/mnist.ts)
 *   fashion          sequential Fashion-MNIST from IDX files (--data: their directory)
 *   listops          generated with the LRA recipe from the run seed
 *   adding           the adding problem (regression) from the run seed
 *   csv, ndjson      the user's files: --data (train), --val-data (default: hold out
 *                    --val-fraction of train, seed 42), --test-data (optional)
 */
import { type Dataset, checkDataset, holdOut, inputDim } from '../data/dataset';
import { addingSplits } from '../data/adding';
import { fashionMnistSplits } from '../data/fashionMnist';
import { listOpsSplits } from '../data/listops';
import { mnistSplits } from '../data/mnist';
import { loadUserData } from '../data/userData';
import { FormatError } from '../io/formatError';
import type { HeadConfig, ModelConfig } from '../models/config';
import type { TaskName, TaskSettings } from './config';
import { taskLimitError } from './limits';

/** The seed of held-out validation splits of user data (S5 uses 42 for its random splits). */
export const VALIDATION_SPLIT_SEED = 42;

export interface TaskData {
  readonly train: Dataset;
  readonly val: Dataset;
  /** Absent when the user gave no test file. */
  readonly test?: Dataset;
}

/** What the data contributes to the model config. */
export interface DataShape {
  readonly inputKind: 'float' | 'tokens';
  readonly dInput: number;
  readonly head: HeadConfig;
}

function userSplits(settings: TaskSettings, classes?: number): TaskData {
  if (settings.data === undefined) {
    throw new FormatError(`task ${settings.name} needs a training file`, { file: 'command line', field: '--data', expected: `a .${settings.name === 'csv' ? 'csv' : 'ndjson'} file` });
  }
  const options = { channels: settings.channels };
  const train = loadUserData(settings.data, { ...options, ...(classes !== undefined ? { numClasses: classes } : {}) });
  if (train.targets.kind === 'none') {
    throw new FormatError('training data has no targets', { file: settings.data, expected: 'a "label" or "target" field (column) in every example' });
  }
  const numClasses = train.targets.kind === 'classes' ? train.targets.numClasses : undefined;
  const withClasses = { ...options, ...(numClasses !== undefined ? { numClasses } : {}) };
  const test = settings.testData !== undefined ? loadUserData(settings.testData, withClasses) : undefined;
  if (settings.valData !== undefined) return { train, val: loadUserData(settings.valData, withClasses), ...(test ? { test } : {}) };
  const { kept, heldOut } = holdOut(train, { fraction: settings.valFraction, seed: VALIDATION_SPLIT_SEED }, { kept: `${train.name}/train`, heldOut: `${train.name}/val` });
  if (heldOut.size === 0) {
    throw new FormatError('no validation examples', { file: settings.data, field: '--val-fraction', expected: `a fraction that holds out at least one of ${train.size} examples, or --val-data` });
  }
  if (kept.size === 0) {
    throw new FormatError('no training examples left after holding out the validation split', {
      file: settings.data,
      field: '--val-fraction',
      expected: `a fraction that keeps at least one of ${train.size} example${train.size === 1 ? '' : 's'} for training, or --val-data`,
      actual: `${settings.valFraction} (holds out ${heldOut.size})`,
    });
  }
  return { train: kept, val: heldOut, ...(test ? { test } : {}) };
}

/**
 * Loads (or generates) the datasets of a task. `seed` is the run seed (generated tasks).
 * `classes` (a trained model's class count) fixes the class count of user data, whose labels
 * must then be below it; otherwise it is the largest training label + 1.
 */
export function loadTask(settings: TaskSettings, seed: number, classes?: number): TaskData {
  const tooLarge = taskLimitError(settings, { file: 'command line' });
  if (tooLarge !== undefined) throw tooLarge;
  const data = ((): TaskData => {
    switch (settings.name) {
      case 'smnist':
      case 'psmnist':
        return mnistSplits({ permuted: settings.name === 'psmnist', valFraction: settings.valFraction });
      case 'fashion':
        return fashionMnistSplits({ valFraction: settings.valFraction, ...(settings.data !== undefined ? { dir: settings.data } : {}) });
      case 'listops':
        return listOpsSplits({
          seed,
          ...(settings.nTrain !== undefined ? { nTrain: settings.nTrain } : {}),
          ...(settings.nVal !== undefined ? { nVal: settings.nVal } : {}),
          ...(settings.nTest !== undefined ? { nTest: settings.nTest } : {}),
          ...(settings.minLength !== undefined ? { minLength: settings.minLength } : {}),
          ...(settings.maxLength !== undefined ? { maxLength: settings.maxLength } : {}),
        });
      case 'adding':
        return addingSplits({
          seqLen: settings.seqLen,
          seed,
          ...(settings.nTrain !== undefined ? { nTrain: settings.nTrain } : {}),
          ...(settings.nVal !== undefined ? { nVal: settings.nVal } : {}),
          ...(settings.nTest !== undefined ? { nTest: settings.nTest } : {}),
        });
      case 'csv':
      case 'ndjson':
        return userSplits(settings, classes);
    }
  })();
  for (const d of [data.train, data.val, ...(data.test ? [data.test] : [])]) checkDataset(d);
  checkCompatible(data);
  return data;
}

/** Splits must agree on input kind, width and targets (lengths may differ). */
function checkCompatible(data: TaskData): void {
  const reference = dataShape(data.train);
  for (const d of [data.val, ...(data.test ? [data.test] : [])]) {
    const shape = dataShape(d);
    if (JSON.stringify(shape) !== JSON.stringify(reference)) {
      throw new FormatError(`dataset "${d.name}" does not match the training data`, {
        file: d.name,
        expected: describeShape(reference),
        actual: describeShape(shape),
      });
    }
  }
}

/** How a data shape differs from a model's inputs and head, in words; undefined when they agree. */
export function dataModelMismatch(shape: DataShape, model: Pick<ModelConfig, 'inputKind' | 'dInput' | 'head'>): { expected: string; actual: string } | undefined {
  const wanted: DataShape = { inputKind: model.inputKind, dInput: model.dInput, head: model.head };
  return JSON.stringify(dataShapeKey(shape)) === JSON.stringify(dataShapeKey(wanted)) ? undefined : { expected: describeShape(wanted), actual: describeShape(shape) };
}

const dataShapeKey = (shape: DataShape) => [shape.inputKind, shape.dInput, shape.head.kind, shape.head.kind === 'classification' ? shape.head.nClasses : shape.head.dOutput];

/** The data flags each task reads; the others are ignored by it (and reported so). */
export const TASK_DATA_FLAGS: Readonly<Record<TaskName, readonly (keyof TaskSettings)[]>> = {
  smnist: ['valFraction'],
  psmnist: ['valFraction'],
  fashion: ['data', 'valFraction'],
  listops: ['nTrain', 'nVal', 'nTest', 'minLength', 'maxLength'],
  adding: ['seqLen', 'nTrain', 'nVal', 'nTest'],
  csv: ['data', 'valData', 'testData', 'channels', 'valFraction'],
  ndjson: ['data', 'valData', 'testData', 'valFraction'],
};

/** The given data settings (keys of TaskSettings) that `task` does not read. */
export function ignoredDataSettings(task: TaskName, given: Iterable<string>): string[] {
  const used = new Set<string>(TASK_DATA_FLAGS[task]);
  const all = new Set(Object.values(TASK_DATA_FLAGS).flat());
  return [...given].filter((key) => all.has(key as keyof TaskSettings) && !used.has(key));
}

function describeShape(shape: DataShape): string {
  const head = shape.head.kind === 'classification' ? `${shape.head.nClasses} classes` : `regression of dimension ${shape.head.dOutput}`;
  return `${shape.inputKind} inputs of width ${shape.dInput}, ${head}`;
}

/** Input encoding, width and head implied by a dataset. */
export function dataShape(dataset: Dataset): DataShape {
  const t = dataset.targets;
  if (t.kind === 'none') throw new FormatError('dataset has no targets', { file: dataset.name, expected: 'labels or regression targets' });
  return {
    inputKind: dataset.inputs.kind,
    dInput: inputDim(dataset),
    head: t.kind === 'classes' ? { kind: 'classification', nClasses: t.numClasses } : { kind: 'regression', dOutput: t.dim },
  };
}
