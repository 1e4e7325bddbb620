/**
 * Building the pieces of a run from its config: the model, the optimizer with its per-leaf
 * group rules, the learning-rate schedule, the run's PRNG keys, and the initial training state.
 *
 * Keys: the run key is T.random.key(seed); split three ways into the initialisation key, the
 * shuffle key (epoch e uses the permutation of foldIn(shuffleKey, e)) and the dropout key
 * (step k uses foldIn(dropoutKey, k)). Everything random in a run is a function of the run key,
 * the epoch and the step, which is what makes a resumed run identical to an uninterrupted one.
 */
import * as T from '../index';
import { numBatches } from '../data/batching';
import type { PermutationFn } from '../data/rng';
import { paramGroupList } from '../models/paramGroups';
import { type ModelParams, type SequenceModel, sequenceModel } from '../models/seqModel';
import type { RunConfig } from './config';
import { type Optimizer, adamw, groupRule } from './optimizer';
import { type Schedule, checkSchedule } from './schedule';
import type { TrainCarry } from './step';

export interface RunKeys {
  readonly init: T.random.Key;
  readonly shuffle: T.random.Key;
  readonly dropout: T.random.Key;
}

export function runKeys(runKey: T.random.Key): RunKeys {
  const [init, shuffle, dropout] = T.random.split(runKey, 3);
  return { init, shuffle, dropout };
}

/** The shuffle order of epoch e: a permutation drawn from foldIn(shuffleKey, e). */
export const shuffleOf =
  (keys: RunKeys): PermutationFn =>
  (n, epoch) =>
    T.random.permutation(T.random.foldIn(keys.shuffle, epoch), n);

export function buildOptimizer(config: RunConfig, params: ModelParams): Optimizer<ModelParams> {
  const groups = paramGroupList(params, { optConfig: config.optim.optConfig, dtGlobal: config.optim.dtGlobal });
  return adamw<ModelParams>(groups.map((g) => groupRule(g, config.optim.weightDecay)));
}

export interface RunSetup {
  readonly model: SequenceModel;
  readonly optimizer: Optimizer<ModelParams>;
  readonly keys: RunKeys;
  readonly runKey: T.random.Key;
  /** The freshly initialised state (also the template a checkpoint is loaded against). */
  readonly initial: TrainCarry;
}

export function setupRun(config: RunConfig): RunSetup {
  const model = sequenceModel(config.model);
  const runKey = T.random.key(config.seed);
  const keys = runKeys(runKey);
  const { params, state } = model.init(keys.init);
  const optimizer = buildOptimizer(config, params);
  return { model, optimizer, keys, runKey, initial: { params, modelState: state, opt: optimizer.init(params) } };
}

/** Steps per epoch (drop_last) and the schedule of a run over a training set of `trainSize`. */
export function scheduleOf(config: RunConfig, trainSize: number): { stepsPerEpoch: number; schedule: Schedule } {
  const { batchSize, epochs, warmupEpochs, decay, lrMin, s5Quirks } = config.optim;
  const stepsPerEpoch = numBatches(trainSize, batchSize, true);
  if (stepsPerEpoch === 0) {
    throw new RangeError(`the batch size (${batchSize}) is larger than the training set (${trainSize} examples); lower --batch-size`);
  }
  const totalSteps = stepsPerEpoch * epochs;
  const schedule: Schedule = { decay, warmupSteps: Math.min(stepsPerEpoch * warmupEpochs, totalSteps), totalSteps, lrMin, s5Quirks };
  checkSchedule(schedule);
  return { stepsPerEpoch, schedule };
}
