/**
 * The demo page (examples/web/index.html, served by `npm run web`): trains the sMNIST S5 of
 * `npm start` in the page with the library's `fit` loop on the backend the visitor picks, draws the loss curve, shows the
 * validation accuracy, steps per second and the backend in use, predicts a row of test digits,
 * and classifies a digit drawn on a canvas pixel by pixel in recurrent step mode, with the class
 * probabilities updating as the pixels go in. Checkpoints load from a file picker and save as a
 * download, in the format `ssmjit eval` reads. `globalThis.ssmjitDemo` exposes the session to
 * the browser specs.
 *
 * The page is written against the DOM without the DOM type library (the project compiles for
 * Node and browsers alike), so elements are typed loosely here.
 */
import { availableBackends, currentBackend, resolveBackend, setBackend } from '../../src/backend';
import type { BackendName } from '../../kernels/backends';
import type { StepInfo } from '../../src/train/loop';
import { DemoSession, PIXELS, loadDemoData } from './session';

/* eslint-disable @typescript-eslint/no-explicit-any */
type El = any;
const doc = (globalThis as any).document;
const $ = (id: string): El => doc.getElementById(id);
const pageStart = performance.now();

const metrics = { firstStepMs: undefined as number | undefined, firstPredictionMs: undefined as number | undefined, stepsPerSecond: 0 };
const losses: number[] = [];
let session: DemoSession;
let training = false;
let stopRequested = false;

function say(id: string, text: string): void {
  $(id).textContent = text;
}

function drawLossCurve(): void {
  const canvas = $('loss');
  const ctx = canvas.getContext('2d');
  const w = canvas.width;
  const h = canvas.height;
  ctx.clearRect(0, 0, w, h);
  ctx.strokeStyle = '#ccc';
  ctx.strokeRect(0.5, 0.5, w - 1, h - 1);
  if (losses.length < 2) return;
  const top = Math.max(...losses.slice(0, 5), 2.5);
  const x = (i: number) => 30 + ((w - 40) * i) / (losses.length - 1);
  const y = (v: number) => h - 20 - ((h - 30) * Math.min(v, top)) / top;
  ctx.fillStyle = '#555';
  ctx.font = '11px sans-serif';
  ctx.fillText(top.toFixed(1), 2, 14);
  ctx.fillText('0', 2, h - 20);
  ctx.fillText(`step ${losses.length}`, w - 70, h - 5);
  ctx.strokeStyle = '#9ab';
  ctx.beginPath();
  losses.forEach((v, i) => (i ? ctx.lineTo(x(i), y(v)) : ctx.moveTo(x(i), y(v))));
  ctx.stroke();
  // A running mean over 20 steps.
  ctx.strokeStyle = '#c33';
  ctx.lineWidth = 2;
  ctx.beginPath();
  let sum = 0;
  losses.forEach((v, i) => {
    sum += v - (i >= 20 ? losses[i - 20] : 0);
    const mean = sum / Math.min(i + 1, 20);
    i ? ctx.lineTo(x(i), y(mean)) : ctx.moveTo(x(i), y(mean));
  });
  ctx.stroke();
  ctx.lineWidth = 1;
}

function showStep(r: StepInfo, rate: number): void {
  say('step', `${r.step} (epoch ${r.epoch + 1}/${session.config.optim.epochs}, ${session.stepsPerEpoch} steps each)`);
  say('loss-now', r.loss.toFixed(4));
  say('rate', `${rate.toFixed(2)} steps/s`);
}

/**
 * Trains `steps` steps (or until stopped) with the library's `fit` loop, updating the page from
 * its step callback; returns the losses. Validation after each epoch comes from fit's log.
 */
async function train(steps: number): Promise<number[]> {
  if (training) throw new Error('training is already running');
  training = true;
  stopRequested = false;
  const out: number[] = [];
  const began = performance.now();
  let timedSince = 0;
  try {
    await session.train(steps, {
      onStep: (r) => {
        metrics.firstStepMs ??= performance.now() - pageStart;
        out.push(r.loss);
        losses.push(r.loss);
        // Steps per second after the first step of the call (which includes compiling the step).
        if (out.length === 1) timedSince = performance.now();
        metrics.stepsPerSecond = out.length > 1 ? (out.length - 1) / ((performance.now() - timedSince) / 1000) : 0;
        showStep(r, metrics.stepsPerSecond);
        if (out.length % 5 === 1) drawLossCurve();
      },
      shouldStop: () => stopRequested,
      log: (line) => {
        const v = /validation loss ([\d.]+), accuracy ([\d.]+)%/.exec(line);
        if (v) say('val', `${v[2]}% (loss ${v[1]}, all ${session.splits.val.size} examples, step ${session.step})`);
        say('log', line);
      },
    });
  } finally {
    training = false;
    say('train-time', `${((performance.now() - began) / 1000).toFixed(1)} s`);
    drawLossCurve();
  }
  return out;
}

async function validate(count?: number): Promise<{ loss: number; accuracy?: number; examples: number }> {
  const v = await session.validate(count);
  say('val', `${v.accuracy !== undefined ? `${(100 * v.accuracy).toFixed(1)}%` : '-'} (loss ${v.loss.toFixed(3)}, ${v.examples} examples, step ${session.step})`);
  return v;
}

function drawDigit(canvas: El, pixels: Uint8Array): void {
  const ctx = canvas.getContext('2d');
  const cell = canvas.width / 28;
  for (let i = 0; i < PIXELS; i++) {
    const v = 255 - pixels[i];
    ctx.fillStyle = `rgb(${v},${v},${v})`;
    ctx.fillRect((i % 28) * cell, Math.floor(i / 28) * cell, cell, cell);
  }
}

async function showTestDigits(): Promise<void> {
  const row = $('tests');
  row.innerHTML = '';
  const digits = Array.from({ length: 10 }, (_, i) => session.testDigit(i));
  const probabilities = await session.classifyFull(digits.map((d) => d.pixels));
  metrics.firstPredictionMs ??= performance.now() - pageStart;
  digits.forEach((d, i) => {
    const box = doc.createElement('figure');
    const canvas = doc.createElement('canvas');
    canvas.width = 56;
    canvas.height = 56;
    drawDigit(canvas, d.pixels);
    const p = probabilities[i];
    const guess = p.indexOf(Math.max(...p));
    const caption = doc.createElement('figcaption');
    caption.textContent = `${guess} (${(100 * p[guess]).toFixed(0)}%)`;
    caption.className = guess === d.label ? 'right' : 'wrong';
    caption.title = `label ${d.label}`;
    box.append(canvas, caption);
    box.onclick = () => {
      drawing.set(d.pixels);
      drawDigit($('draw'), drawing);
    };
    row.append(box);
  });
}

// ------------------------------------------------------------ drawing

const drawing = new Uint8Array(PIXELS);

function brush(cx: number, cy: number): void {
  for (let y = Math.floor(cy - 2); y <= cy + 2; y++) {
    for (let x = Math.floor(cx - 2); x <= cx + 2; x++) {
      if (x < 0 || y < 0 || x >= 28 || y >= 28) continue;
      const d = Math.hypot(x + 0.5 - cx, y + 0.5 - cy);
      const v = Math.round(255 * Math.max(0, Math.min(1, 1.6 - d)));
      drawing[y * 28 + x] = Math.max(drawing[y * 28 + x], v);
    }
  }
}

function showProbabilities(p: number[], pixel: number): void {
  const bars = $('probs');
  bars.innerHTML = '';
  const best = p.indexOf(Math.max(...p));
  p.forEach((v, k) => {
    const row = doc.createElement('div');
    row.className = k === best ? 'bar best' : 'bar';
    row.innerHTML = `<span>${k}</span><i style="width:${(100 * v).toFixed(1)}%"></i><b>${(100 * v).toFixed(1)}%</b>`;
    bars.append(row);
  });
  say('scan', `pixel ${pixel} of ${PIXELS}: ${best}`);
}

async function classifyDrawing(): Promise<number[]> {
  const canvas = $('draw');
  const ctx = canvas.getContext('2d');
  const cell = canvas.width / 28;
  drawDigit(canvas, drawing);
  return session.classifyStepMode(drawing, async (pixel, p) => {
    showProbabilities(p, pixel);
    drawDigit(canvas, drawing);
    ctx.fillStyle = 'rgba(200, 40, 40, 0.35)';
    ctx.fillRect(0, 0, canvas.width, Math.floor((pixel - 1) / 28) * cell + cell);
    await new Promise((resolve) => setTimeout(resolve, 0));
  });
}

function setUpDrawing(): void {
  const canvas = $('draw');
  let down = false;
  const at = (e: El) => {
    const r = canvas.getBoundingClientRect();
    brush(((e.clientX - r.left) / r.width) * 28, ((e.clientY - r.top) / r.height) * 28);
    drawDigit(canvas, drawing);
  };
  canvas.onpointerdown = (e: El) => {
    down = true;
    at(e);
  };
  canvas.onpointermove = (e: El) => down && at(e);
  canvas.onpointerup = () => {
    down = false;
    void classifyDrawing();
  };
  $('clear').onclick = () => {
    drawing.fill(0);
    drawDigit(canvas, drawing);
  };
  $('classify').onclick = () => void classifyDrawing();
  drawDigit(canvas, drawing);
}

// ------------------------------------------------------------ backends

async function useBackend(choice: BackendName | 'auto'): Promise<void> {
  setBackend(choice);
  const chosen = await resolveBackend();
  session?.recompile();
  const status = (await availableBackends()).find((s) => s.name === chosen);
  say('backend', `${chosen}${choice === 'auto' ? ' (auto)' : ''}: ${status?.reason ?? ''}`);
}

async function describeThreads(): Promise<void> {
  const wasm = (await availableBackends()).find((s) => s.name === 'wasm');
  const isolated = (globalThis as { crossOriginIsolated?: boolean }).crossOriginIsolated === true;
  say('threads', isolated ? `wasm backend: ${wasm?.reason}` : `single-threaded: ${wasm?.reason ?? 'the page is not cross-origin isolated'}`);
  if (!isolated) $('threads').className = 'warn';
}

async function fillPicker(): Promise<void> {
  const picker = $('backend-picker');
  for (const s of await availableBackends()) {
    const option = doc.createElement('option');
    option.value = s.name;
    option.disabled = !s.available;
    option.textContent = s.available ? s.name : `${s.name} (unavailable)`;
    option.title = s.reason;
    picker.append(option);
  }
  picker.onchange = async () => {
    if (training) stopRequested = true;
    await useBackend(picker.value);
  };
}

// ------------------------------------------------------------ checkpoints

function download(bytes: Uint8Array, name: string): void {
  const url = URL.createObjectURL(new Blob([bytes as any], { type: 'application/octet-stream' }));
  const a = doc.createElement('a');
  a.href = url;
  a.download = name;
  a.click();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

function setUpCheckpoints(): void {
  $('save').onclick = () => download(session.saveCheckpoint(), `smnist-s5-web-step${session.step}.safetensors`);
  $('load').onchange = async (e: El) => {
    const file = e.target.files[0];
    if (!file) return;
    try {
      session.loadCheckpoint(new Uint8Array(await file.arrayBuffer()), file.name);
      losses.length = 0;
      say('step', `${session.step} (loaded ${file.name})`);
      say('error', '');
      await showTestDigits();
    } catch (err) {
      say('error', (err as Error).message);
    }
  };
}

// ------------------------------------------------------------ start

async function main(): Promise<void> {
  say('status', 'loading digits and the run config');
  const { config, splits } = await loadDemoData();
  session = new DemoSession(config, splits);
  const m = config.model;
  say('model', `S5, ${m.nLayers} layer, width ${m.dModel}, P ${m.ssm.kind === 's5' ? m.ssm.P : '-'}, ${m.ssm.kind === 's5' && m.ssm.bidirectional ? 'bidirectional' : 'causal'}; batch ${config.optim.batchSize}, lr ${config.optim.lr}; ${splits.train.size}/${splits.val.size}/${splits.test.size} train/val/test`);
  await fillPicker();
  await useBackend('auto');
  await describeThreads();
  setUpDrawing();
  setUpCheckpoints();
  $('train').onclick = () => void train(Infinity).catch((e) => say('error', e.message));
  $('stop').onclick = () => (stopRequested = true);
  $('validate').onclick = () => void validate().catch((e) => say('error', e.message));
  drawLossCurve();
  await showTestDigits();
  say('status', 'ready');
  (globalThis as any).pageReady = true;
}

(globalThis as any).ssmjitDemo = {
  train,
  validate,
  testDigit: (i: number) => {
    const d = session.testDigit(i);
    return { pixels: Array.from(d.pixels), label: d.label };
  },
  drawAndClassify: async (pixels: number[]) => {
    drawing.set(pixels);
    return classifyDrawing();
  },
  classifyFull: async (pixels: number[]) => (await session.classifyFull([Uint8Array.from(pixels)]))[0],
  saveCheckpoint: () => Array.from(session.saveCheckpoint()),
  showTestDigits,
  backend: () => currentBackend(),
  useBackend,
  metrics: () => ({ ...metrics, step: session.step }),
};

main().catch((e) => {
  say('error', `${(e as Error).message}`);
  console.error(e);
});
