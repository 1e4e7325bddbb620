/**
 * Training curves as a self-contained SVG file (no scripts, fonts or external references):
 * left panel, training loss per step (log scale when the loss spans more than a decade, with
 * a smoothed trend once there are 20 points); right panel, validation and test accuracy per
 * epoch (in %), or validation and test loss per epoch for runs without accuracy (regression).
 */
import { dirname } from 'node:path';
import { writeFileAtomic } from '../io/atomic';
import { ensureDirectory } from '../io/fsErrors';
import { MetricRecord } from '../io/metrics';

export interface PlotOptions {
  readonly title?: string;
  readonly width?: number;
  readonly height?: number;
}

interface Point {
  readonly x: number;
  readonly y: number;
}

interface Series {
  readonly name: string;
  readonly color: string;
  readonly points: readonly Point[];
  readonly markers: boolean;
  /** Line opacity (1 = solid). */
  readonly opacity: number;
}

interface Panel {
  readonly left: number;
  readonly top: number;
  readonly width: number;
  readonly height: number;
}

/** Smallest and largest of many numbers (Math.min(...xs) overflows the stack past ~120,000 values). */
function minOf(values: readonly number[]): number {
  let m = Infinity;
  for (const v of values) if (v < m) m = v;
  return m;
}
function maxOf(values: readonly number[]): number {
  let m = -Infinity;
  for (const v of values) if (v > m) m = v;
  return m;
}

const COLORS = { loss: '#1f77b4', smooth: '#0b3d66', val: '#d62728', test: '#2ca02c' };
const FONT = 'font-family="Helvetica, Arial, sans-serif"';

/**
 * Round tick values covering [min, max]: steps of 1, 2 or 5 times a power of ten; with
 * `integer` (an epoch axis) the step is at least 1, so every tick is a whole number.
 */
export function niceTicks(min: number, max: number, target = 5, integer = false): number[] {
  if (!(max > min)) return [min];
  const raw = (max - min) / target;
  const power = 10 ** Math.floor(Math.log10(raw));
  const nice = [1, 2, 5, 10].map((m) => m * power).find((s) => s >= raw) ?? 10 * power;
  const step = integer ? Math.max(1, nice) : nice;
  const ticks: number[] = [];
  for (let v = Math.ceil(min / step - 1e-9) * step; v <= max + step * 1e-9; v += step) ticks.push(Number(v.toPrecision(12)));
  return ticks;
}

/** Tick values for a log axis: powers of ten, with 2 and 5 multiples when few decades. */
export function logTicks(min: number, max: number): number[] {
  const lo = Math.floor(Math.log10(min));
  const hi = Math.ceil(Math.log10(max));
  const multiples = hi - lo <= 3 ? [1, 2, 5] : [1];
  const ticks: number[] = [];
  for (let e = lo; e <= hi; e++) for (const m of multiples) {
    const v = Number((m * 10 ** e).toPrecision(12));
    if (v >= min * 0.999 && v <= max * 1.001) ticks.push(v);
  }
  return ticks;
}

function formatTick(v: number): string {
  if (v === 0) return '0';
  const a = Math.abs(v);
  if (a >= 1e5 || a < 1e-3) return v.toExponential(0).replace('e+', 'e');
  if (a >= 1000) return `${Number((v / 1000).toPrecision(3))}k`;
  return String(Number(v.toPrecision(3)));
}

function escapeXml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

/** Exponential moving average, for a readable trend through noisy per-step losses. */
function smooth(points: readonly Point[], weight: number): Point[] {
  let state = points[0]?.y ?? 0;
  return points.map((p, i) => {
    state = i === 0 ? p.y : weight * state + (1 - weight) * p.y;
    return { x: p.x, y: state };
  });
}

/** An x axis: its label, and whether ticks must be whole numbers (epochs). */
interface XAxis {
  readonly label: string;
  readonly integer: boolean;
}

const STEP_AXIS: XAxis = { label: 'step', integer: false };
const EPOCH_AXIS: XAxis = { label: 'epoch', integer: true };

function drawPanel(panel: Panel, title: string, xAxis: XAxis, yLabel: string, series: Series[], logY: boolean, yRange?: [number, number]): string {
  const all = series.flatMap((s) => s.points).filter((p) => Number.isFinite(p.y) && (!logY || p.y > 0));
  const out: string[] = [];
  const { left, top, width, height } = panel;
  out.push(`<text x="${left}" y="${top - 12}" font-size="15" font-weight="bold" ${FONT}>${escapeXml(title)}</text>`);
  out.push(`<rect x="${left}" y="${top}" width="${width}" height="${height}" fill="#ffffff" stroke="#444444"/>`);
  out.push(`<text x="${left + width / 2}" y="${top + height + 42}" text-anchor="middle" font-size="13" ${FONT}>${escapeXml(xAxis.label)}</text>`);
  out.push(`<text transform="translate(${left - 52} ${top + height / 2}) rotate(-90)" text-anchor="middle" font-size="13" ${FONT}>${escapeXml(yLabel)}</text>`);
  if (all.length === 0) {
    out.push(`<text x="${left + width / 2}" y="${top + height / 2}" text-anchor="middle" font-size="13" fill="#777777" ${FONT}>no data yet</text>`);
    return out.join('\n');
  }
  let xMin = minOf(all.map((p) => p.x));
  let xMax = maxOf(all.map((p) => p.x));
  if (xMax === xMin) (xMin -= 1), (xMax += 1);
  let [yMin, yMax] = yRange ?? [minOf(all.map((p) => p.y)), maxOf(all.map((p) => p.y))];
  if (yMax === yMin) (yMin = logY ? yMin / 2 : yMin - 1), (yMax = logY ? yMax * 2 : yMax + 1);
  if (yRange === undefined) {
    // 4% headroom so lines do not run along the frame.
    const pad = logY ? (yMax / yMin) ** 0.04 : 0.04 * (yMax - yMin);
    [yMin, yMax] = logY ? [yMin / pad, yMax * pad] : [yMin - pad, yMax + pad];
  }
  const ty = (y: number) => (logY ? Math.log10(y) : y);
  const sx = (x: number) => left + ((x - xMin) / (xMax - xMin)) * width;
  const sy = (y: number) => top + height - ((ty(y) - ty(yMin)) / (ty(yMax) - ty(yMin))) * height;
  for (const x of niceTicks(xMin, xMax, 6, xAxis.integer)) {
    out.push(`<line x1="${sx(x).toFixed(1)}" y1="${top}" x2="${sx(x).toFixed(1)}" y2="${top + height}" stroke="#e5e5e5"/>`);
    out.push(`<text x="${sx(x).toFixed(1)}" y="${top + height + 18}" text-anchor="middle" font-size="12" ${FONT}>${formatTick(x)}</text>`);
  }
  for (const y of logY ? logTicks(yMin, yMax) : niceTicks(yMin, yMax, 5)) {
    out.push(`<line x1="${left}" y1="${sy(y).toFixed(1)}" x2="${left + width}" y2="${sy(y).toFixed(1)}" stroke="#e5e5e5"/>`);
    out.push(`<text x="${left - 8}" y="${(sy(y) + 4).toFixed(1)}" text-anchor="end" font-size="12" ${FONT}>${formatTick(y)}</text>`);
  }
  // Legend: one row above the panel, right-aligned, so it never covers data.
  let legendRight = left + width;
  for (const s of [...series].reverse()) {
    const textWidth = 7 * s.name.length;
    const x = legendRight - textWidth - 28;
    out.push(`<line x1="${x}" y1="${top - 16}" x2="${x + 20}" y2="${top - 16}" stroke="${s.color}" stroke-width="2.5"/>`);
    out.push(`<text x="${x + 25}" y="${top - 12}" font-size="12" ${FONT}>${escapeXml(s.name)}</text>`);
    legendRight = x - 12;
  }
  for (const s of series) {
    const points = s.points.filter((p) => Number.isFinite(p.y) && (!logY || p.y > 0));
    if (points.length === 0) continue;
    const path = points.map((p, i) => `${i === 0 ? 'M' : 'L'}${sx(p.x).toFixed(1)},${sy(p.y).toFixed(1)}`).join(' ');
    out.push(`<path d="${path}" fill="none" stroke="${s.color}" stroke-width="${s.markers ? 2 : 1.5}" stroke-opacity="${s.opacity}"/>`);
    if (s.markers) for (const p of points) out.push(`<circle cx="${sx(p.x).toFixed(1)}" cy="${sy(p.y).toFixed(1)}" r="3" fill="${s.color}"/>`);
  }
  return out.join('\n');
}

/** The SVG text of the loss and accuracy plot for a run's metric records. */
export function renderTrainingPlot(records: readonly MetricRecord[], options: PlotOptions = {}): string {
  const { title = 'Training', width = 1000, height = 420 } = options;
  const lossPoints = records.filter((r) => r.split === 'train' && r.loss !== undefined).map((r) => ({ x: r.step, y: r.loss as number }));
  const finiteLoss = lossPoints.map((p) => p.y).filter((y) => Number.isFinite(y) && y > 0);
  const logY = finiteLoss.length > 1 && maxOf(finiteLoss) / minOf(finiteLoss) > 10;
  const perEpoch = (split: 'val' | 'test', field: 'accuracy' | 'loss', scale: number) =>
    records.filter((r) => r.split === split && r[field] !== undefined && r.epoch !== undefined).map((r) => ({ x: r.epoch as number, y: scale * (r[field] as number) }));
  const hasAccuracy = records.some((r) => r.split !== 'train' && r.accuracy !== undefined);
  const accuracy = (split: 'val' | 'test') => (hasAccuracy ? perEpoch(split, 'accuracy', 100) : perEpoch(split, 'loss', 1));
  const smoothed = lossPoints.length >= 20;
  const lossSeries: Series[] = [{ name: 'train loss', color: COLORS.loss, points: lossPoints, markers: false, opacity: smoothed ? 0.35 : 1 }];
  if (smoothed) lossSeries.push({ name: 'smoothed', color: COLORS.smooth, points: smooth(lossPoints, 0.9), markers: false, opacity: 1 });
  const accSeries: Series[] = [
    { name: 'validation', color: COLORS.val, points: accuracy('val'), markers: true, opacity: 1 },
    { name: 'test', color: COLORS.test, points: accuracy('test'), markers: true, opacity: 1 },
  ].filter((s) => s.points.length > 0);
  const accValues = accSeries.flatMap((s) => s.points.map((p) => p.y)).filter(Number.isFinite);
  const accRange: [number, number] | undefined = hasAccuracy && accValues.length > 0
    ? [Math.max(0, Math.floor(minOf(accValues) / 10) * 10), Math.min(100, Math.max(Math.ceil(maxOf(accValues) / 10) * 10, Math.floor(minOf(accValues) / 10) * 10 + 10))]
    : undefined;
  const margin = { left: 80, right: 30, top: 70, bottom: 60, gap: 90 };
  const panelWidth = (width - margin.left - margin.right - margin.gap) / 2;
  const panelHeight = height - margin.top - margin.bottom;
  const left: Panel = { left: margin.left, top: margin.top, width: panelWidth, height: panelHeight };
  const right: Panel = { ...left, left: margin.left + panelWidth + margin.gap };
  return [
    `<?xml version="1.0" encoding="UTF-8"?>`,
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}">`,
    `<rect width="${width}" height="${height}" fill="#fafafa"/>`,
    `<text x="${width / 2}" y="26" text-anchor="middle" font-size="18" font-weight="bold" ${FONT}>${escapeXml(title)}</text>`,
    drawPanel(left, 'Training loss', STEP_AXIS, logY ? 'loss (log scale)' : 'loss', lossSeries, logY),
    hasAccuracy || accSeries.length === 0
      ? drawPanel(right, 'Accuracy', EPOCH_AXIS, 'accuracy (%)', accSeries, false, accRange)
      : drawPanel(right, 'Evaluation loss', EPOCH_AXIS, 'loss', accSeries, false),
    `</svg>`,
    '',
  ].join('\n');
}

/** Writes the plot to `file` atomically. */
export function writeTrainingPlot(file: string, records: readonly MetricRecord[], options: PlotOptions = {}): void {
  ensureDirectory(dirname(file));
  writeFileAtomic(file, renderTrainingPlot(records, options));
}
