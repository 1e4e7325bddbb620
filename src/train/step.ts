/**
 * The compiled steps of a run. The training step is one program: forward pass in training
 * mode, loss, gradients (T.valueAndGrad), optional global-norm clipping and the optimizer
 * update; the evaluation step returns weighted loss and correct-count sums; the prediction
 * step returns the model outputs.
 *
 * Execution: 'jit' compiles each step with T.jit (traced once per input signature, the learning
 * rates and the dropout key are tensor inputs so nothing recompiles between steps; the training
 * step keeps its outputs on the device, so the parameters and optimizer state stay there from
 * step to step and only the batch goes in and the loss and correct-count come out); 'eager'
 * runs the same functions through the interpreter. Eager results are rounded to float32 after
 * every step, so the training state is always exactly what a checkpoint stores and a resumed
 * run continues bit for bit.
 */
import * as T from '../index';
import type { ApplyOptions, ModelParams, ModelState, SequenceModel } from '../models/seqModel';
import type { BatchTensors } from './batchTensors';
import { clipByGlobalNorm, globalNorm } from './clip';
import { type TargetTensors, exampleCorrect, exampleLosses, weightedMean } from './loss';
import type { AdamState, Optimizer, Rates } from './optimizer';

export type Execution = 'jit' | 'eager';

/** Everything a training step updates. */
export interface TrainCarry {
  readonly params: ModelParams;
  readonly modelState: ModelState;
  readonly opt: AdamState<ModelParams>;
}

export interface TrainStepResult {
  readonly carry: TrainCarry;
  /** Mean loss of the batch, before the update. */
  readonly loss: T.Tensor<'f32'>;
  /** Correct predictions in the batch (0 for regression). */
  readonly correct: T.Tensor<'f32'>;
  /** Global gradient norm before clipping. */
  readonly gradNorm: T.Tensor<'f32'>;
}

export interface EvalStepResult {
  /** Σ_b w_b loss_b. */
  readonly lossSum: T.Tensor<'f32'>;
  /** Σ_b w_b correct_b (0 for regression). */
  readonly correct: T.Tensor<'f32'>;
}

/** The inputs of a step, as a tree of tensors. */
export interface StepBatch {
  readonly inputs: T.Tensor;
  readonly targets: TargetTensors;
  readonly lengths?: T.Tensor<'i32'>;
  readonly weights: T.Tensor<'f32'>;
}

export function stepBatch(tensors: BatchTensors): StepBatch {
  if (!tensors.targets) throw new Error('a training or evaluation batch needs targets (labels or regression values)');
  return { inputs: tensors.inputs, targets: tensors.targets, weights: tensors.weights, ...(tensors.lengths ? { lengths: tensors.lengths } : {}) };
}

const correctOf = (outputs: T.Tensor<'f32'>, targets: TargetTensors, weights: T.Tensor<'f32'>): T.Tensor<'f32'> =>
  targets.kind === 'classes' ? T.sum(T.mul(exampleCorrect(outputs, targets.labels), weights)) : T.scalar(0);

export interface TrainStepOptions {
  /** Clip the global gradient norm to this value; 0 turns clipping off. */
  readonly clipNorm: number;
}

/** The training step as a plain function of tensors (trace it, or run it eagerly). */
export function trainStepFunction(model: SequenceModel, optimizer: Optimizer<ModelParams>, options: TrainStepOptions) {
  const lossOf = (params: ModelParams, modelState: ModelState, batch: StepBatch, key: T.random.Key | undefined) => {
    const applyOptions: ApplyOptions = { train: true, ...(key ? { key } : {}), ...(batch.lengths ? { lengths: batch.lengths } : {}) };
    const { outputs, state } = model.apply(params, modelState, batch.inputs, applyOptions);
    const loss = weightedMean(exampleLosses(outputs, batch.targets), batch.weights);
    return [loss, { state, correct: correctOf(outputs, batch.targets, batch.weights) }] as const;
  };
  const valueAndGrad = T.valueAndGrad(lossOf, { hasAux: true, argnums: 0 });
  return (carry: TrainCarry, batch: StepBatch, rates: Rates, key?: T.random.Key): TrainStepResult => {
    const [[loss, aux], rawGrads] = valueAndGrad(carry.params, carry.modelState, batch, key) as unknown as [
      [T.Tensor<'f32'>, { state: ModelState; correct: T.Tensor<'f32'> }],
      ModelParams,
    ];
    const clipped = options.clipNorm > 0 ? clipByGlobalNorm(rawGrads, options.clipNorm) : { grads: rawGrads, norm: globalNorm(rawGrads) };
    const updated = optimizer.update(clipped.grads, carry.opt, carry.params, rates);
    return {
      carry: { params: updated.params, modelState: aux.state, opt: updated.state },
      loss,
      correct: aux.correct,
      gradNorm: clipped.norm,
    };
  };
}

/** Evaluation: weighted loss and correct-count sums with running BatchNorm statistics. */
export function evalStepFunction(model: SequenceModel) {
  return (params: ModelParams, modelState: ModelState, batch: StepBatch): EvalStepResult => {
    const { outputs } = model.apply(params, modelState, batch.inputs, { train: false, ...(batch.lengths ? { lengths: batch.lengths } : {}) });
    return {
      lossSum: T.sum(T.mul(exampleLosses(outputs, batch.targets), batch.weights)),
      correct: correctOf(outputs, batch.targets, batch.weights),
    };
  };
}

/** Prediction: the model's outputs (log-probabilities or regression values). */
export function predictStepFunction(model: SequenceModel) {
  return (params: ModelParams, modelState: ModelState, inputs: T.Tensor, lengths?: T.Tensor<'i32'>): T.Tensor<'f32'> =>
    model.apply(params, modelState, inputs, { train: false, ...(lengths ? { lengths } : {}) }).outputs;
}

/** Every float leaf rounded to float32 (c64 leaves per component); other leaves kept. */
export function roundToFloat32<X>(tree: X): X {
  return T.tree.treeMap(tree, (leaf) => (leaf.dtype === 'f32' || leaf.dtype === 'c64' ? T.tensor(leaf.data(), leaf.dtype, leaf.shape) : leaf));
}

/**
 * A step run as compiled code or by the interpreter; both return a Promise. `deviceOutputs`
 * keeps a compiled step's outputs on the device (T.jit's option of that name).
 */
export function compileStep<A extends unknown[], R>(f: (...args: A) => R, execution: Execution, options: { deviceOutputs?: boolean } = {}): (...args: A) => Promise<R> {
  if (execution === 'jit') return T.jit(f, options);
  return async (...args: A) => roundToFloat32(f(...args));
}
