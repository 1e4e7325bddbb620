/**
 * Training progress display. On a terminal (TTY) it redraws one status line in place:
 *
 *   train [##########----------]  512/1024  50%  loss 0.5231  acc 81.2%  41.3 it/s  2.6k ex/s  ETA 12s
 *
 * Elsewhere (log files, CI) it prints plain lines at a fixed interval instead:
 *
 *   train step 512/1024 (50%) loss=0.5231 acc=81.2% 41.3 it/s 2.6k ex/s ETA 12s
 *
 * Throughput and ETA use the average rate since the reporter started. The clock is injectable
 * for tests.
 */

/** The parts of a writable stream this module uses. */
export interface ProgressStream {
  write(text: string): unknown;
  readonly isTTY?: boolean;
  readonly columns?: number;
}

export interface ProgressOptions {
  /** Total steps (for the bar, percentage and ETA). */
  readonly total: number;
  /** Prefix of every line, e.g. "epoch 3". */
  readonly label?: string;
  /** Output stream (default process.stderr). */
  readonly stream?: ProgressStream;
  /** Force TTY or plain mode (default: stream.isTTY). */
  readonly tty?: boolean;
  /** Examples per step, for the examples/s figure. */
  readonly batchSize?: number;
  /** Milliseconds between plain lines (default 10,000). */
  readonly plainIntervalMs?: number;
  /** Milliseconds between TTY redraws (default 100). */
  readonly ttyIntervalMs?: number;
  /** Clock in milliseconds (default Date.now). */
  readonly now?: () => number;
}

export interface ProgressUpdate {
  /** Steps completed so far (1..total). */
  readonly step: number;
  readonly loss?: number;
  /** Fraction in [0, 1]. */
  readonly accuracy?: number;
  readonly lr?: number;
}

export interface ProgressReporter {
  update(update: ProgressUpdate): void;
  /** Prints a message on its own line without corrupting the status line. */
  log(message: string): void;
  /** Prints the final status and ends the line. */
  finish(message?: string): void;
}

/** "45s", "3m05s", "1h02m". */
export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds < 0) return '--';
  const s = Math.round(seconds);
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s`;
  return `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`;
}

/** "41.3", "2.6k", "1.2M". */
export function formatRate(perSecond: number): string {
  if (!Number.isFinite(perSecond)) return '--';
  if (perSecond >= 1e6) return `${(perSecond / 1e6).toFixed(1)}M`;
  if (perSecond >= 1e3) return `${(perSecond / 1e3).toFixed(1)}k`;
  return perSecond >= 100 ? perSecond.toFixed(0) : perSecond.toFixed(1);
}

function bar(fraction: number, width: number): string {
  const filled = Math.round(Math.min(Math.max(fraction, 0), 1) * width);
  return `[${'#'.repeat(filled)}${'-'.repeat(width - filled)}]`;
}

export function createProgress(options: ProgressOptions): ProgressReporter {
  const { total, label = 'train', batchSize, plainIntervalMs = 10_000, ttyIntervalMs = 100, now = Date.now } = options;
  const stream = options.stream ?? (globalThis as { process?: { stderr?: ProgressStream } }).process?.stderr;
  if (stream === undefined) throw new Error('createProgress: no stream given, and this host has no standard error stream (pass options.stream)');
  const tty = options.tty ?? stream.isTTY === true;
  const start = now();
  let last: ProgressUpdate = { step: 0 };
  let lastDraw = -Infinity;
  let statusShown = false;
  let drawnStep = -1;

  const metrics = (u: ProgressUpdate, plain: boolean): string[] => {
    const parts: string[] = [];
    const sep = plain ? '=' : ' ';
    if (u.loss !== undefined) parts.push(`loss${sep}${u.loss.toFixed(4)}`);
    if (u.accuracy !== undefined) parts.push(`acc${sep}${(100 * u.accuracy).toFixed(1)}%`);
    if (u.lr !== undefined) parts.push(`lr${sep}${u.lr.toExponential(2)}`);
    const elapsed = (now() - start) / 1000;
    const rate = elapsed > 0 ? u.step / elapsed : NaN;
    parts.push(`${formatRate(rate)} it/s`);
    if (batchSize !== undefined) parts.push(`${formatRate(rate * batchSize)} ex/s`);
    parts.push(u.step >= total ? `done in ${formatDuration(elapsed)}` : `ETA ${formatDuration((total - u.step) / rate)}`);
    return parts;
  };
  const percent = (step: number) => `${Math.floor((100 * step) / Math.max(total, 1))}%`;

  const ttyLine = (u: ProgressUpdate): string => {
    const counter = `${String(u.step).padStart(String(total).length)}/${total}`;
    const line = `${label} ${bar(u.step / Math.max(total, 1), 20)} ${counter} ${percent(u.step).padStart(4)}  ${metrics(u, false).join('  ')}`;
    const columns = stream.columns ?? 120;
    return line.length > columns - 1 ? line.slice(0, columns - 1) : line;
  };
  const plainLine = (u: ProgressUpdate): string => `${label} step ${u.step}/${total} (${percent(u.step)}) ${metrics(u, true).join(' ')}`;

  const draw = (u: ProgressUpdate) => {
    drawnStep = u.step;
    if (tty) {
      stream.write(`\r\x1b[2K${ttyLine(u)}`);
      statusShown = true;
    } else {
      stream.write(`${plainLine(u)}\n`);
    }
  };

  return {
    update(u) {
      last = u;
      const t = now();
      if (t - lastDraw >= (tty ? ttyIntervalMs : plainIntervalMs) || u.step >= total) {
        lastDraw = t;
        draw(u);
      }
    },
    log(message) {
      if (tty && statusShown) {
        stream.write(`\r\x1b[2K${message}\n`);
        stream.write(ttyLine(last));
      } else {
        stream.write(`${message}\n`);
      }
    },
    finish(message) {
      if (tty) {
        stream.write(`\r\x1b[2K${ttyLine(last)}\n`);
        statusShown = false;
      } else if (drawnStep !== last.step) {
        stream.write(`${plainLine(last)}\n`);
      }
      if (message !== undefined) stream.write(`${message}\n`);
    },
  };
}
