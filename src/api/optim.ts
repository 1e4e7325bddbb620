/**
 * `ssmjit/optim`: composable optimizers over any parameter tree (the optax design): Adam,
 * AdamW, SGD, clipping, weight decay, learning-rate schedules as functions of the step, and
 * parameter groups by label tree or by path (`multiTransform`); the S5 parameter groups of the
 * built-in models (`paramGroups`).
 */
export { type AdamOptions, type GradientTransformation, type Labels, type ScaleByAdamState, type ScheduleState, adam, adamw, addDecayedWeights, applyUpdates, chain, clipByGlobalNorm, globalNorm, multiTransform, scale, scaleByAdam, scaleByLearningRate, sgd } from '../optim/transform';
export { type Schedule, type WarmupDecayOptions, cosineDecay, linearDecay, scheduleValue, warmupDecay } from '../optim/schedules';
export { type GroupOptions, type OptConfig, type ParamGroup, paramGroupOf, paramGroups, paramGroupList } from '../models/paramGroups';
export { type DecayKind, learningRate } from '../train/schedule';
