/**
 * The configuration of a training run as an io-ts codec: the task and its data settings, the
 * model config (src/models/config.ts), the optimizer and schedule settings, the seed and the
 * execution mode. It is stored in every checkpoint and validated when a checkpoint is loaded,
 * so `ssmjit eval`, `predict` and `--resume` rebuild exactly the run that was saved.
 */
import * as t from 'io-ts';
import { type Either, left } from 'fp-ts/Either';
import { NonNegativeInt, NonNegativeNumber, PositiveInt, PositiveNumber, UnitIntervalOpen, oneOf, refine } from '../io/codecs';
import type { FormatError, FormatLocation } from '../io/formatError';
import { decodeWith } from '../io/ioTsReport';
import { ModelConfig } from '../models/config';
import { runLimitError } from './limits';
import type { BackendName } from '../../kernels/backends';

export const TASK_NAMES = ['smnist', 'psmnist', 'fashion', 'listops', 'adding', 'csv', 'ndjson'] as const;
export type TaskName = (typeof TASK_NAMES)[number];

const Path = refine(t.string, (s) => s.length > 0, 'a path');

export const TaskSettings = t.intersection([
  t.type({
    name: oneOf(TASK_NAMES),
    /** Values per time step of CSV files. */
    channels: PositiveInt,
    /** Fraction of the training data held out for validation (tasks without a fixed split). */
    valFraction: UnitIntervalOpen,
    /** Adding problem: sequence length. */
    seqLen: refine(PositiveInt, (n) => n >= 2, 'an integer >= 2'),
  }),
  t.partial({
    data: Path,
    valData: Path,
    testData: Path,
    nTrain: PositiveInt,
    nVal: PositiveInt,
    nTest: PositiveInt,
    minLength: NonNegativeInt,
    maxLength: PositiveInt,
  }),
]);
export type TaskSettings = t.TypeOf<typeof TaskSettings>;

export const OptConfigCodec = oneOf(['standard', 'BandCdecay', 'BfastandCdecay', 'noBCdecay'] as const);

export const OptimSettings = t.intersection([
  t.type({
    /** Base rate of the 'regular' group (AdamW with weight decay). */
    lr: PositiveNumber,
    /** Base rate of the SSM groups. */
    ssmLr: PositiveNumber,
    weightDecay: NonNegativeNumber,
    optConfig: OptConfigCodec,
    dtGlobal: t.boolean,
    epochs: PositiveInt,
    batchSize: PositiveInt,
    warmupEpochs: NonNegativeInt,
    decay: oneOf(['cosine', 'linear', 'constant'] as const),
    lrMin: NonNegativeNumber,
    /** 0 turns clipping off. */
    clipNorm: NonNegativeNumber,
    /** Reproduce S5's lagged schedule update and global-step cosine (src/train/schedule.ts). */
    s5Quirks: t.boolean,
  }),
  t.partial({ maxSteps: PositiveInt }),
]);
export type OptimSettings = t.TypeOf<typeof OptimSettings>;

/** The compute backends (kernels/backends.ts BackendName; the assertion below keeps the two lists equal). */
export const BACKEND_NAMES = ['wasm', 'cpu', 'webasm', 'webgpu', 'headlessgl', 'webgl2', 'webgl'] as const;
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
const backendListsAgree: Same<(typeof BACKEND_NAMES)[number], BackendName> = true;
void backendListsAgree;

export const RunConfig = t.intersection([
  t.type({
    task: TaskSettings,
    model: ModelConfig,
    optim: OptimSettings,
    /** Seeds initialisation, shuffling and dropout (the data splits use their own fixed seeds). */
    seed: NonNegativeInt,
    execution: oneOf(['jit', 'eager'] as const),
  }),
  t.partial({
    /**
     * The backend the compiled steps ran on. A resumed run uses it again by default: backends
     * round differently (gpu.js's cpu backend keeps fused chains in float64), so continuing a
     * run on another backend is not bit-identical to an uninterrupted run.
     */
    backend: oneOf(BACKEND_NAMES),
    /** The 'train' metrics interval and the `last` checkpoint interval (epochs) of the run, kept by a resumed run. */
    logEvery: PositiveInt,
    checkpointEvery: PositiveInt,
  }),
]);
export type RunConfig = t.TypeOf<typeof RunConfig>;

/**
 * Decodes a run config (e.g. from a checkpoint record) and checks its sizes against the limits
 * (src/train/limits.ts); the error names the field.
 */
export const decodeRunConfig = (value: unknown, where: FormatLocation = {}): Either<FormatError, RunConfig> => {
  const decoded = decodeWith(RunConfig, value, where, 'invalid run config');
  if (decoded._tag === 'Left') return decoded;
  const tooLarge = runLimitError(decoded.right, where);
  return tooLarge === undefined ? decoded : left(tooLarge);
};
