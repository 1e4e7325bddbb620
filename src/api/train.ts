/**
 * `ssmjit/train`: `fit`, the training loop for any model given as a loss function
 * `(params, state, batch, key) → { loss, aux?, state }` (checkpoints, resume, metrics, progress
 * and plots as for the built-in models); losses; and the built-in models' own run
 * (`fitRun`, what `ssmjit train` calls) with its configs, tasks and checkpoints.
 */
export { type FitModelOptions as FitOptions, type FitModelResult as FitResult, type LossFunction, type LossOutput, fitModel as fit } from '../train/fitModel';
export { type TargetTensors, exampleCorrect, exampleLosses, weightedMean } from '../train/loss';
export { clipByGlobalNorm, globalNorm } from '../train/clip';
export { type Schedule as RunSchedule, learningRate } from '../train/schedule';
export { type Scores, evaluate, predictAll } from '../train/evaluate';
export { type FitOptions as RunFitOptions, type FitResult as RunFitResult, type StepInfo, type StopReason, fit as fitRun, freshSnapshot } from '../train/loop';
export { RunConfig, decodeRunConfig, TASK_NAMES, type TaskName } from '../train/config';
export { type RunSetup, setupRun } from '../train/setup';
export { type TaskData, loadTask } from '../train/tasks';
export { openCheckpoint, saveSnapshot, type TrainingSnapshot } from '../train/checkpointing';
