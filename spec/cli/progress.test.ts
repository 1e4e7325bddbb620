import { describe, expect, it } from 'vitest';
import { createProgress, formatDuration, formatRate } from '../../src/cli/progress';

function recorder(isTTY: boolean, columns = 200) {
  const chunks: string[] = [];
  return { stream: { isTTY, columns, write: (s: string) => chunks.push(s) }, chunks, text: () => chunks.join('') };
}

describe('progress formatting', () => {
  it('formats durations and rates', () => {
    expect([formatDuration(45), formatDuration(185), formatDuration(3720), formatDuration(Infinity)]).toEqual(['45s', '3m05s', '1h02m', '--']);
    expect([formatRate(41.25), formatRate(2600), formatRate(1.2e6), formatRate(150)]).toEqual(['41.3', '2.6k', '1.2M', '150']);
  });
});

describe('progress reporter', () => {
  it('on a TTY redraws one line with bar, step, loss, throughput and ETA', () => {
    let clock = 0;
    const out = recorder(true);
    const progress = createProgress({ total: 100, label: 'epoch 1', stream: out.stream, batchSize: 64, now: () => clock });
    clock = 10_000; // 10 s for 50 steps: 5 it/s, 320 ex/s, 50 steps left -> 10 s
    progress.update({ step: 50, loss: 0.52314, accuracy: 0.8125 });
    const line = out.chunks[out.chunks.length - 1];
    expect(line.startsWith('\r\x1b[2K')).toBe(true);
    expect(line).toContain('[##########----------]');
    expect(line).toContain(' 50/100');
    expect(line).toContain('loss 0.5231');
    expect(line).toContain('acc 81.3%');
    expect(line).toContain('5.0 it/s');
    expect(line).toContain('320 ex/s');
    expect(line).toContain('ETA 10s');
    expect(line).not.toContain('\n');
  });

  it('throttles TTY redraws and keeps log messages above the status line', () => {
    let clock = 0;
    const out = recorder(true);
    const progress = createProgress({ total: 10, stream: out.stream, now: () => clock });
    clock = 1000;
    progress.update({ step: 1 });
    clock = 1050;
    progress.update({ step: 2 }); // within 100 ms: not drawn
    expect(out.chunks.length).toBe(1);
    progress.log('val accuracy 90%');
    expect(out.text()).toContain('\r\x1b[2Kval accuracy 90%\n');
    clock = 2000;
    progress.update({ step: 10 });
    progress.finish('saved');
    expect(out.text().endsWith('done in 2s\nsaved\n')).toBe(true);
  });

  it('truncates the TTY line to the terminal width', () => {
    const out = recorder(true, 40);
    const progress = createProgress({ total: 1000, stream: out.stream, now: () => 5 });
    progress.update({ step: 1, loss: 1 });
    expect(out.chunks[0].length).toBeLessThanOrEqual('\r\x1b[2K'.length + 39);
  });

  it('without a TTY prints plain lines at the interval, and the final step', () => {
    let clock = 0;
    const out = recorder(false);
    const progress = createProgress({ total: 30, stream: out.stream, now: () => clock, plainIntervalMs: 5000 });
    for (let step = 1; step <= 30; step++) {
      clock = step * 1000;
      progress.update({ step, loss: 1 / step });
    }
    progress.finish();
    const lines = out.text().trimEnd().split('\n');
    expect(lines.map((l) => l.split(' ')[2])).toEqual(['1/30', '6/30', '11/30', '16/30', '21/30', '26/30', '30/30']);
    expect(lines[1]).toBe('train step 6/30 (20%) loss=0.1667 1.0 it/s ETA 24s');
    expect(out.text()).not.toContain('\r');
  });
});
