/**
 * Evaluation of a model on a dataset: mean loss and, for classification, accuracy, over every
 * example (the last batch is padded to full size with zero-weight rows, so the compiled step
 * keeps one input signature). BatchNorm uses its running statistics.
 */
import * as T from '../index';
import { batches } from '../data/batching';
import type { Dataset } from '../data/dataset';
import type { ModelParams, ModelState, SequenceModel } from '../models/seqModel';
import { batchTensors } from './batchTensors';
import { type EvalStepResult, type Execution, compileStep, evalStepFunction, predictStepFunction, stepBatch } from './step';

export interface Scores {
  /** Mean loss per example. */
  readonly loss: number;
  /** Fraction correct (classification only). */
  readonly accuracy?: number;
  readonly examples: number;
}

export type EvalStep = (params: ModelParams, modelState: ModelState, batch: ReturnType<typeof stepBatch>) => Promise<EvalStepResult>;

export const compileEvalStep = (model: SequenceModel, execution: Execution): EvalStep => compileStep(evalStepFunction(model), execution);

export async function evaluate(
  step: EvalStep,
  params: ModelParams,
  modelState: ModelState,
  dataset: Dataset,
  batchSize: number,
): Promise<Scores> {
  return (await evaluateUnlessStopped(step, params, modelState, dataset, batchSize, () => false)) as Scores;
}

/**
 * evaluate, yielding to the event loop after every batch (so a Ctrl-C handler runs) and giving
 * up with undefined as soon as `shouldStop` says so.
 */
export async function evaluateUnlessStopped(
  step: EvalStep,
  params: ModelParams,
  modelState: ModelState,
  dataset: Dataset,
  batchSize: number,
  shouldStop: () => boolean,
): Promise<Scores | undefined> {
  if (dataset.size === 0) throw new RangeError(`cannot evaluate on "${dataset.name}": it has no examples`);
  let lossSum = 0;
  let correct = 0;
  for (const batch of batches(dataset, { batchSize })) {
    if (shouldStop()) return undefined;
    const result = await step(params, modelState, stepBatch(batchTensors(batch, Math.min(batchSize, dataset.size))));
    lossSum += result.lossSum.item() as number;
    correct += result.correct.item() as number;
    await yieldToEventLoop();
  }
  if (shouldStop()) return undefined;
  const classification = dataset.targets.kind === 'classes';
  return { loss: lossSum / dataset.size, ...(classification ? { accuracy: correct / dataset.size } : {}), examples: dataset.size };
}

/** Lets pending I/O and signal handlers run (awaiting a resolved promise does not). */
export const yieldToEventLoop = (): Promise<void> =>
  new Promise((resolve) => (typeof setImmediate === 'function' ? setImmediate(resolve) : setTimeout(resolve, 0)));

/** Model outputs for every example of `dataset`, in order: f32 rows of the output width. */
export async function predictAll(
  model: SequenceModel,
  execution: Execution,
  params: ModelParams,
  modelState: ModelState,
  dataset: Dataset,
  batchSize: number,
): Promise<Float32Array[]> {
  const step = compileStep(predictStepFunction(model), execution);
  const rows: Float32Array[] = [];
  for (const batch of batches(dataset, { batchSize })) {
    const tensors = batchTensors(batch, Math.min(batchSize, dataset.size));
    const outputs = (await step(params, modelState, tensors.inputs, tensors.lengths)) as T.Tensor<'f32'>;
    const width = outputs.size / outputs.shape[0];
    const data = outputs.data() as Float32Array;
    for (let i = 0; i < tensors.real; i++) rows.push(data.slice(i * width, (i + 1) * width));
  }
  return rows;
}
