/**
 * `ssmjit/train`: losses and metrics, the checkpoint format (safetensors + JSON records), and
 * the training loop of the built-in models with its schedules, clipping and evaluation.
 */
export { type TargetTensors, exampleCorrect, exampleLosses, weightedMean } from '../train/loss';
export { clipByGlobalNorm, globalNorm } from '../train/clip';
export { type Schedule as RunSchedule, learningRate } from '../train/schedule';
export { type Scores, evaluate, predictAll } from '../train/evaluate';
export { type FitOptions as RunFitOptions, type FitResult as RunFitResult, type StepInfo, type StopReason, fit as fitRun, freshSnapshot } from '../train/loop';
export { RunConfig, decodeRunConfig, TASK_NAMES, type TaskName } from '../train/config';
export { type RunSetup, setupRun } from '../train/setup';
export { type TaskData, loadTask } from '../train/tasks';
export { openCheckpoint, saveSnapshot, type TrainingSnapshot } from '../train/checkpointing';
