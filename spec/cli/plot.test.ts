import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { logTicks, niceTicks, renderTrainingPlot, writeTrainingPlot } from '../../src/cli/plot';
import { MetricRecord } from '../../src/io/metrics';

const hasRsvg = spawnSync('rsvg-convert', ['--version']).status === 0;

function run(steps: number, epochs: number): MetricRecord[] {
  const records: MetricRecord[] = [];
  for (let step = 1; step <= steps; step++) records.push({ split: 'train', step, loss: 2 / step });
  for (let epoch = 1; epoch <= epochs; epoch++) {
    records.push({ split: 'val', step: epoch * 10, epoch, accuracy: 0.5 + 0.04 * epoch });
    records.push({ split: 'test', step: epoch * 10, epoch, accuracy: 0.48 + 0.04 * epoch });
  }
  return records;
}

/** The (x, y) coordinates of the first <path> that has `count` points. */
function pathPoints(svg: string, count: number): [number, number][] {
  for (const match of svg.matchAll(/<path d="([^"]+)"/g)) {
    const points = match[1].split(' ').map((p) => p.slice(1).split(',').map(Number) as [number, number]);
    if (points.length === count) return points;
  }
  throw new Error(`no path with ${count} points`);
}

describe('axis ticks', () => {
  it('uses 1, 2 or 5 times a power of ten', () => {
    expect(niceTicks(0, 1, 5)).toEqual([0, 0.2, 0.4, 0.6, 0.8, 1]);
    expect(niceTicks(1, 1500, 6)).toEqual([500, 1000, 1500]);
    expect(niceTicks(60, 100, 5)).toEqual([60, 70, 80, 90, 100]);
    expect(logTicks(0.06, 2.5)).toEqual([0.1, 0.2, 0.5, 1, 2]);
    expect(logTicks(1e-4, 10)).toEqual([1e-4, 1e-3, 1e-2, 0.1, 1, 10]);
  });

  it('puts epoch-axis ticks on whole numbers only', () => {
    expect(niceTicks(1, 3, 6)).toEqual([1, 1.5, 2, 2.5, 3]);
    expect(niceTicks(1, 3, 6, true)).toEqual([1, 2, 3]);
    expect(niceTicks(0, 2, 6, true)).toEqual([0, 1, 2]);
    expect(niceTicks(1, 40, 6, true)).toEqual([10, 20, 30, 40]);
  });

  it('labels the accuracy panel with whole epochs', () => {
    const svg = renderTrainingPlot(run(30, 3));
    const epochLabels = [...svg.matchAll(/text-anchor="middle" font-size="12"[^>]*>([^<]+)</g)].map((m) => Number(m[1]));
    expect(epochLabels.length).toBeGreaterThan(0);
    expect(epochLabels.filter((v) => !Number.isInteger(v))).toEqual([]);
  });
});

describe('training plot', () => {
  it('is a self-contained SVG with both panels, titled and labelled', () => {
    const svg = renderTrainingPlot(run(50, 4), { title: 'sMNIST <S5>' });
    expect(svg.startsWith('<?xml')).toBe(true);
    expect(svg).toContain('xmlns="http://www.w3.org/2000/svg"');
    expect(svg).toContain('sMNIST &lt;S5&gt;');
    for (const label of ['Training loss', 'Accuracy', 'step', 'epoch', 'accuracy (%)', 'loss (log scale)', 'validation', 'test']) expect(svg).toContain(`>${label}<`);
    expect(svg).not.toMatch(/href|<script|<image|url\(/);
  });

  it('draws every loss point, higher losses higher up, and one marker per evaluation', () => {
    const svg = renderTrainingPlot(run(50, 4));
    const points = pathPoints(svg, 50);
    for (let i = 1; i < points.length; i++) {
      expect(points[i][0]).toBeGreaterThan(points[i - 1][0]); // steps go right
      expect(points[i][1]).toBeGreaterThan(points[i - 1][1]); // loss falls: SVG y grows downwards
    }
    expect(svg.match(/<circle /g)?.length).toBe(8);
  });

  it('shows evaluation loss when there is no accuracy (regression)', () => {
    const records: MetricRecord[] = [{ split: 'train', step: 1, loss: 0.2 }, { split: 'val', step: 1, epoch: 1, loss: 0.15 }];
    expect(renderTrainingPlot(records)).toContain('>Evaluation loss<');
    expect(renderTrainingPlot([])).toContain('no data yet');
  });

  it.skipIf(!hasRsvg)('renders to PNG with rsvg-convert (valid SVG)', () => {
    const dir = mkdtempSync(join(tmpdir(), 'plot-'));
    writeTrainingPlot(join(dir, 'plot.svg'), run(300, 10));
    const result = spawnSync('rsvg-convert', [join(dir, 'plot.svg'), '-o', join(dir, 'plot.png')]);
    expect(result.status).toBe(0);
    expect(readFileSync(join(dir, 'plot.png')).subarray(1, 4).toString()).toBe('PNG');
  });
});

describe('long runs (issue 10, item 8)', () => {
  it('draws 200,000 training records (no Math.min(...values) stack overflow)', () => {
    const svg = renderTrainingPlot(run(200_000, 3), { title: 'long' });
    expect(svg).toContain('</svg>');
    expect(svg).toContain('Training loss');
  });
});
