/**
 * The demo's model session, without the DOM: the sMNIST S5 run of `npm start` (config from
 * /default-config.json, digits from /mnist.bin) trained in the page by the library's `fit` loop
 * (no run directory; progress through callbacks), evaluated with its evaluation step, and run in
 * recurrent step mode (`model.step`, one pixel at a time) for the drawing canvas. Checkpoints are the CLI's format: `saveCheckpoint` gives the bytes of a .safetensors
 * file `ssmjit eval` and `ssmjit predict` accept, `loadCheckpoint` opens one `ssmjit train` wrote.
 */
import * as T from '../../src/index';
import { type DatasetSplits, takeRows } from '../../src/data/dataset';
import { decodeMnistBinary } from '../../src/data/mnistBinary';
import { mnistSplitsOf } from '../../src/data/mnistSplits';
import { encodeCheckpoint } from '../../src/io/checkpointRecord';
import type { ModelParams, ModelState, RecurrentState } from '../../src/models/seqModel';
import { type RunConfig, decodeRunConfig } from '../../src/train/config';
import { type EvalStep, compileEvalStep, evaluate } from '../../src/train/evaluate';
import { type FitResult, type StepInfo, fit } from '../../src/train/loop';
import { type RunSetup, scheduleOf, setupRun } from '../../src/train/setup';
import { type RunHistory, type TrainingSnapshot, openCheckpointBytes, snapshotCheckpoint, snapshotOf } from '../../src/train/snapshot';
import type { TrainCarry } from '../../src/train/step';

export const PIXELS = 784;

/** Fetches the digits and the run config; both come from the page's server. */
export async function loadDemoData(): Promise<{ config: RunConfig; splits: DatasetSplits }> {
  const [configResponse, digitsResponse] = await Promise.all([fetch('/default-config.json'), fetch('/mnist.bin')]);
  if (!configResponse.ok) throw new Error(`/default-config.json: ${configResponse.status} ${await configResponse.text()}`);
  if (!digitsResponse.ok) throw new Error(`/mnist.bin: ${digitsResponse.status}`);
  const config = decodeRunConfig(await configResponse.json(), { file: '/default-config.json' });
  if (config._tag === 'Left') throw config.left;
  const images = decodeMnistBinary(new Uint8Array(await digitsResponse.arrayBuffer()), '/mnist.bin');
  return { config: config.right, splits: mnistSplitsOf(images, { valFraction: config.right.task.valFraction, seed: 42 }) };
}

type PixelStep = (carry: RecurrentState, input: T.Tensor) => Promise<{ outputs: T.Tensor<'f32'>; carry: RecurrentState }>;

export class DemoSession {
  setup: RunSetup;
  carry: TrainCarry;
  step = 0;
  epoch = 0;
  history: RunHistory = {};
  private evalStep: EvalStep;
  private pixelStep?: PixelStep;

  constructor(
    public config: RunConfig,
    readonly splits: DatasetSplits,
  ) {
    this.setup = setupRun(config);
    this.carry = this.setup.initial;
    this.evalStep = compileEvalStep(this.setup.model, config.execution);
  }

  /** Recompiles the page's own steps (after a backend change: compiled code belongs to one backend; `fit` compiles its own per call). */
  recompile(): void {
    this.evalStep = compileEvalStep(this.setup.model, this.config.execution);
    this.pixelStep = undefined;
  }

  get stepsPerEpoch(): number {
    return scheduleOf(this.config, this.splits.train.size).stepsPerEpoch;
  }

  /**
   * Trains with the library's `fit` loop (the loop `ssmjit train` runs) until `steps` more steps
   * are done, `shouldStop` says so, or the run's epochs are over; `onStep` sees every step and
   * `log` the loop's lines (validation after each epoch). Resumes exactly where the last call
   * stopped, mid-epoch included.
   */
  async train(steps: number, hooks: { onStep?: (info: StepInfo) => void; shouldStop?: () => boolean; log?: (line: string) => void } = {}): Promise<FitResult> {
    const target = this.step + steps;
    const optim = { ...this.config.optim, ...(Number.isFinite(target) ? { maxSteps: target } : {}) };
    const config: RunConfig = { ...this.config, optim };
    const start: TrainingSnapshot = { config, carry: this.carry, step: this.step, epoch: this.epoch, key: this.setup.runKey, history: this.history };
    const result = await fit(config, this.setup, this.splits, start, { progress: false, plotTitle: false, log: hooks.log ?? (() => {}), ...(hooks.onStep ? { onStep: hooks.onStep } : {}), ...(hooks.shouldStop ? { shouldStop: hooks.shouldStop } : {}) });
    this.carry = result.snapshot.carry;
    this.step = result.snapshot.step;
    this.epoch = result.snapshot.epoch;
    this.history = result.snapshot.history;
    this.pixelStep = undefined;
    if (result.reason === 'diverged') throw new Error(result.message ?? 'the run diverged');
    return result;
  }

  /** Loss and accuracy on the first `count` validation examples (all of them by default). */
  async validate(count = this.splits.val.size): Promise<{ loss: number; accuracy?: number; examples: number }> {
    const n = Math.min(count, this.splits.val.size);
    const subset = n === this.splits.val.size ? this.splits.val : takeRows(this.splits.val, Int32Array.from({ length: n }, (_, i) => i), `${this.splits.val.name}[:${n}]`);
    return evaluate(this.evalStep, this.carry.params, this.carry.modelState, subset, this.config.optim.batchSize);
  }

  /** Test example `i`: its pixel bytes (0..255, raster order) and label. */
  testDigit(i: number): { pixels: Uint8Array; label: number } {
    const test = this.splits.test;
    if (test.inputs.kind !== 'float' || test.targets.kind !== 'classes') throw new Error('the sMNIST test split is float sequences with class labels');
    const values = test.inputs.data.subarray(i * PIXELS, (i + 1) * PIXELS);
    return { pixels: Uint8Array.from(values, (v) => Math.round(v * 255)), label: test.targets.labels[i] };
  }

  /**
   * Classifies a 28x28 digit in recurrent step mode: the pixels enter one at a time in raster
   * order (the sMNIST order) through the model's step function, compiled once per parameter
   * set; `onProgress` sees the class probabilities after each pixel it is given.
   */
  async classifyStepMode(pixels: Uint8Array, onProgress?: (pixel: number, probabilities: number[]) => Promise<void> | void, every = 28): Promise<number[]> {
    const { params, modelState } = this.carry;
    const model = this.setup.model;
    if (!this.pixelStep) {
      const recurrent = model.prepareRecurrent(params);
      this.pixelStep = T.jit((carry: RecurrentState, input: T.Tensor) => model.step(params, modelState, recurrent, carry, input)) as PixelStep;
      this.recurrentInit = () => model.initRecurrentState(params, recurrent, 1);
    }
    let state = this.recurrentInit!();
    let probabilities: number[] = [];
    for (let i = 0; i < PIXELS; i++) {
      const out = await this.pixelStep!(state, T.tensor(new Float32Array([pixels[i] / 255]), 'f32', [1, 1]));
      state = out.carry;
      if ((i + 1) % every === 0 || i === PIXELS - 1) {
        probabilities = Array.from(out.outputs.data64(), (v) => Math.exp(v));
        await onProgress?.(i + 1, probabilities);
      }
    }
    return probabilities;
  }
  private recurrentInit?: () => RecurrentState;

  /** Class probabilities of whole sequences at once (the convolutional form `ssmjit predict` runs). */
  async classifyFull(digits: readonly Uint8Array[]): Promise<number[][]> {
    const inputs = T.tensor(Float32Array.from(digits.flatMap((d) => Array.from(d, (v) => v / 255))), 'f32', [digits.length, PIXELS, 1]);
    const model = this.setup.model;
    const predict = T.jit((params: ModelParams, state: ModelState, x: T.Tensor) => model.apply(params, state, x, { train: false }).outputs);
    const out = (await predict(this.carry.params, this.carry.modelState, inputs)).data64();
    return digits.map((_, b) => Array.from(out.subarray(b * 10, (b + 1) * 10), (v) => Math.exp(v)));
  }

  /** The checkpoint of the current state, as the bytes of a .safetensors file the CLI reads. */
  saveCheckpoint(): Uint8Array {
    const snapshot = { config: this.config, carry: this.carry, step: this.step, epoch: this.epoch, key: this.setup.runKey, history: this.history };
    return encodeCheckpoint(snapshotCheckpoint(snapshot, this.setup.optimizer)).bytes;
  }

  /** Replaces the state with a checkpoint's (its run config included), validated as the CLI validates it. */
  loadCheckpoint(bytes: Uint8Array, file: string): void {
    const opened = openCheckpointBytes(bytes, file);
    if (opened.config.task.name !== 'smnist') throw new Error(`${file}: a checkpoint of task ${opened.config.task.name}; this page runs sMNIST`);
    this.config = opened.config;
    this.setup = setupRun(opened.config);
    const snapshot = snapshotOf(opened, this.setup.initial);
    this.carry = snapshot.carry;
    this.step = snapshot.step;
    this.epoch = snapshot.epoch;
    this.history = snapshot.history;
    this.recompile();
  }
}
