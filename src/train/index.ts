/**
 * Training: the optimizer (AdamW over S5's parameter groups), learning-rate schedules,
 * gradient clipping, the compiled training/evaluation steps, checkpoints of training state,
 * tasks (datasets and what they decide about the model) and the training loop.
 */
export { ADAM_DEFAULTS, type AdamHyper, type AdamState, type LeafRule, type Optimizer, type Rates, adamw, groupRule, ratesOf } from './optimizer';
export { type DecayKind, type Schedule, checkSchedule, learningRate } from './schedule';
export { clipByGlobalNorm, globalNorm } from './clip';
export { type TargetTensors, exampleCorrect, exampleLosses, weightedMean } from './loss';
export { type BatchTensors, batchTensors } from './batchTensors';
export { type Execution, type TrainCarry, compileStep, evalStepFunction, predictStepFunction, roundToFloat32, stepBatch, trainStepFunction } from './step';
export { type Scores, compileEvalStep, evaluate, evaluateUnlessStopped, predictAll } from './evaluate';
export { OptimSettings, RunConfig, TaskSettings, TASK_NAMES, type TaskName, decodeRunConfig } from './config';
export { type DataShape, type TaskData, dataShape, loadTask } from './tasks';
export { type RunHistory, type TrainingSnapshot, carryTensors, checkModelAgainstTensors, firstNonFinite, openCheckpoint, restoreCarry, saveSnapshot, snapshotOf } from './checkpointing';
export { LIMITS, expectedParameterCount, modelLimitError, runLimitError, taskLimitError } from './limits';
export { type RunSetup, buildOptimizer, runKeys, scheduleOf, setupRun, shuffleOf } from './setup';
export { BEST_CHECKPOINT, LAST_CHECKPOINT, METRICS_FILE } from './runFiles';
export { type FitOptions, type FitResult, type StepInfo, type StopReason, fit, freshSnapshot } from './loop';
