/**
 * Training, evaluating and running a user's model on the tasks of `ssmjit train`: the model's
 * outputs meet the task's targets through the built-in losses (negative log-likelihood of
 * log-probabilities for classification, mean squared error for regression), `fit` trains it with
 * AdamW, clipping and the run's schedule, and its checkpoints hold `params.*`, `state.*` and
 * `opt.*` tensors with the model file's path and SHA-256 in the record.
 */
import * as T from '../index';
import type { Dataset } from '../data/dataset';
import { inputDim } from '../data/dataset';
import { tensorBatches } from '../data/tensorBatches';
import { FormatError } from '../io/formatError';
import type { TensorMap } from '../io/tensor';
import { type GradientTransformation, adamw, chain, clipByGlobalNorm } from '../optim/transform';
import { warmupDecay } from '../optim/schedules';
import { restoreTree } from '../train/checkpointing';
import { type FitModelResult, fitModel } from '../train/fitModel';
import { type TargetTensors, exampleCorrect, exampleLosses, weightedMean } from '../train/loss';
import type { ProgressStream } from '../cli/progress';
import type { ApplyContext, LoadedModel, ModelInfo, UserModel } from './load';

export interface ModelBatch {
  readonly inputs: T.Tensor;
  readonly targets: TargetTensors;
  readonly weights: T.Tensor<'f32'>;
  readonly lengths?: T.Tensor<'i32'>;
}

export function modelInfo(dataset: Dataset): ModelInfo {
  const t = dataset.targets;
  if (t.kind === 'none') throw new FormatError('dataset has no targets', { file: dataset.name, expected: 'labels or regression targets' });
  return {
    inputKind: dataset.inputs.kind,
    dInput: inputDim(dataset),
    seqLen: dataset.seqLen,
    head: t.kind === 'classes' ? { kind: 'classification', nClasses: t.numClasses } : { kind: 'regression', dOutput: t.dim },
  };
}

export function initUserModel(loaded: LoadedModel, info: ModelInfo, seed: number): { params: unknown; state: unknown } {
  const out = loaded.model.init(T.random.key(seed), info);
  if (typeof out !== 'object' || out === null || !('params' in out)) {
    throw new FormatError('init must return { params, state? }', { file: loaded.file, actual: typeof out });
  }
  return { params: out.params, state: out.state ?? {} };
}

/** apply with its result normalised to { outputs, state } and its outputs checked against the head. */
export function applyChecked(model: UserModel, info: ModelInfo, file: string) {
  const width = info.head.kind === 'classification' ? info.head.nClasses : info.head.dOutput;
  return (params: unknown, state: unknown, inputs: T.Tensor, context: Omit<ApplyContext, 'info'>): { outputs: T.Tensor<'f32'>; state: unknown } => {
    const r = model.apply(params, state, inputs, { ...context, info });
    const out = r instanceof T.Tensor ? { outputs: r, state } : { outputs: r.outputs, state: r.state ?? state };
    const o = out.outputs;
    if (!(o instanceof T.Tensor) || o.dtype !== 'f32' || o.ndim !== 2 || o.shape[0] !== inputs.shape[0] || o.shape[1] !== width) {
      throw new FormatError('apply returned outputs of the wrong type or shape', {
        file,
        expected: `f32[${inputs.shape[0]}, ${width}] (${info.head.kind === 'classification' ? 'log-probabilities of each class' : 'regression values'})`,
        actual: o instanceof T.Tensor ? `${o.dtype}[${o.shape.join(', ')}]` : typeof o,
      });
    }
    return out;
  };
}

const batchOf = (b: { inputs: T.Tensor; targets?: TargetTensors; weights: T.Tensor<'f32'>; lengths?: T.Tensor<'i32'> }): ModelBatch => {
  if (!b.targets) throw new Error('a training or evaluation batch needs targets');
  return { inputs: b.inputs, targets: b.targets, weights: b.weights, ...(b.lengths ? { lengths: b.lengths } : {}) };
};

export interface UserTrainOptions {
  readonly batchSize: number;
  readonly epochs: number;
  readonly lr: number;
  readonly weightDecay: number;
  readonly clipNorm: number;
  readonly decay: 'cosine' | 'linear' | 'constant';
  readonly warmupEpochs: number;
  readonly lrMin: number;
  readonly seed: number;
  readonly maxSteps?: number;
  readonly execution: 'jit' | 'eager';
  readonly dir?: string;
  /** Continue from `<dir>/last`. */
  readonly resume?: boolean;
  readonly config: Readonly<Record<string, unknown>>;
  readonly logEvery: number;
  readonly progress?: ProgressStream | false;
  readonly log?: (line: string) => void;
  readonly shouldStop?: () => boolean;
}

export function optimizerOf(options: UserTrainOptions, stepsPerEpoch: number): GradientTransformation<unknown> {
  const rate = warmupDecay({ base: options.lr, warmupSteps: options.warmupEpochs * stepsPerEpoch, totalSteps: Math.max(options.epochs * stepsPerEpoch, 1), end: options.lrMin, decay: options.decay });
  const base = adamw(rate, { weightDecay: options.weightDecay });
  return (options.clipNorm > 0 ? chain(clipByGlobalNorm(options.clipNorm), base) : base) as GradientTransformation<unknown>;
}

export async function trainUserModel(loaded: LoadedModel, data: { train: Dataset; val: Dataset }, options: UserTrainOptions): Promise<FitModelResult<unknown, unknown>> {
  const info = modelInfo(data.train);
  const apply = applyChecked(loaded.model, info, loaded.file);
  const stepsPerEpoch = Math.floor(data.train.size / options.batchSize);
  if (stepsPerEpoch < 1) throw new FormatError(`the training set has ${data.train.size} examples, fewer than one batch`, { file: 'command line', field: '--batch-size', actual: String(options.batchSize) });
  return fitModel<unknown, unknown, ModelBatch, { accuracy?: T.Tensor<'f32'> }>({
    init: initUserModel(loaded, info, options.seed),
    loss: (params, state, batch, key) => {
      const { outputs, state: next } = apply(params, state, batch.inputs, { train: true, key, ...(batch.lengths ? { lengths: batch.lengths } : {}) });
      const loss = weightedMean(exampleLosses(outputs, batch.targets), batch.weights);
      const aux = batch.targets.kind === 'classes' ? { accuracy: weightedMean(exampleCorrect(outputs, batch.targets.labels), batch.weights) } : {};
      return { loss, aux, state: next };
    },
    evaluate: (params, state, batch) => {
      const { outputs } = apply(params, state, batch.inputs, { train: false, ...(batch.lengths ? { lengths: batch.lengths } : {}) });
      const loss = weightedMean(exampleLosses(outputs, batch.targets), batch.weights);
      return { loss, aux: batch.targets.kind === 'classes' ? { accuracy: weightedMean(exampleCorrect(outputs, batch.targets.labels), batch.weights) } : {} };
    },
    optimizer: optimizerOf(options, stepsPerEpoch),
    trainBatches: (epoch) => [...tensorBatches(data.train, { batchSize: options.batchSize, shuffle: options.seed, epoch, dropLast: true })].map(batchOf),
    valBatches: () => [...tensorBatches(data.val, { batchSize: options.batchSize, pad: true })].map(batchOf),
    epochs: options.epochs,
    stepsPerEpoch,
    seed: options.seed,
    execution: options.execution,
    logEvery: options.logEvery,
    config: options.config,
    plotTitle: `${String((options.config.task as { name?: string } | undefined)?.name ?? 'task')} / ${loaded.file.split('/').pop()}`,
    ...(options.maxSteps !== undefined ? { maxSteps: options.maxSteps } : {}),
    ...(options.dir !== undefined ? { dir: options.dir } : {}),
    ...(options.resume ? { resume: true } : {}),
    ...(options.progress !== undefined ? { progress: options.progress } : {}),
    ...(options.log ? { log: options.log } : {}),
    ...(options.shouldStop ? { shouldStop: options.shouldStop } : {}),
  });
}

/** The params and state of a checkpoint, shaped like the model's init (optimizer tensors are ignored). */
export function restoreUserModel(tensors: TensorMap, templates: { params: unknown; state: unknown }, file: string): { params: unknown; state: unknown } {
  const known = new Set([...T.tree.treePaths(templates.params).map((p) => `params.${p}`), ...T.tree.treePaths(templates.state).map((p) => `state.${p}`)]);
  const extra = Object.keys(tensors).find((n) => (n.startsWith('params.') || n.startsWith('state.')) && !known.has(n));
  if (extra !== undefined) throw new FormatError('checkpoint has a tensor this model does not', { file, field: extra, expected: "only tensors of the model file's init" });
  return { params: restoreTree(tensors, 'params', templates.params, file), state: restoreTree(tensors, 'state', templates.state, file) };
}

/** Loss and accuracy sums over a dataset in padded batches (weights 0 on padding rows). */
export async function evaluateUserModel(
  model: UserModel,
  info: ModelInfo,
  file: string,
  params: unknown,
  state: unknown,
  dataset: Dataset,
  batchSize: number,
): Promise<{ loss: number; accuracy?: number; examples: number }> {
  const apply = applyChecked(model, info, file);
  const step = T.jit((p: unknown, s: unknown, b: ModelBatch) => {
    const { outputs } = apply(p, s, b.inputs, { train: false, ...(b.lengths ? { lengths: b.lengths } : {}) });
    return {
      loss: T.sum(T.mul(exampleLosses(outputs, b.targets), b.weights)),
      correct: b.targets.kind === 'classes' ? T.sum(T.mul(exampleCorrect(outputs, b.targets.labels), b.weights)) : T.scalar(0),
    };
  });
  let loss = 0;
  let correct = 0;
  for (const b of tensorBatches(dataset, { batchSize, pad: true })) {
    const r = await step(params, state, batchOf(b));
    loss += r.loss.item() as number;
    correct += r.correct.item() as number;
  }
  return { loss: loss / dataset.size, ...(dataset.targets.kind === 'classes' ? { accuracy: correct / dataset.size } : {}), examples: dataset.size };
}

/** The model's outputs for every example, in order. */
export async function predictUserModel(model: UserModel, info: ModelInfo, file: string, params: unknown, state: unknown, dataset: Dataset, batchSize: number): Promise<Float32Array[]> {
  const apply = applyChecked(model, info, file);
  const run = T.jit((p: unknown, s: unknown, inputs: T.Tensor, lengths?: T.Tensor<'i32'>) => apply(p, s, inputs, { train: false, ...(lengths ? { lengths } : {}) }).outputs);
  const rows: Float32Array[] = [];
  for (const b of tensorBatches(dataset, { batchSize, pad: true })) {
    const out = await run(params, state, b.inputs, b.lengths);
    const width = out.shape[1];
    const values = out.data();
    for (let i = 0; i < b.real; i++) rows.push(values.slice(i * width, (i + 1) * width));
  }
  return rows;
}
