import { SingleBar } from 'cli-progress';
import { formatDuration, formatRate, isTerminal, ProgressRate, type JobStatus } from '../../shared/index.js';
import { progressCounts } from './format.js';
import type { CliIO, TerminalStream } from './io.js';

/** Least time between two plain progress lines: a log file gets a line every few seconds, not one per task. */
const PLAIN_LINE_MS = 3000;

/** Shows a job's progress while it runs: a live bar on a terminal, plain lines elsewhere. */
export interface ProgressView {
  /** The job's status changed. */
  show(status: JobStatus): void;
  /** The job ended, or the watch did (no `status`): the bar's last frame is drawn and the bar stopped. */
  end(status: JobStatus | undefined): void;
}

/**
 * A live bar on `io.terminal` when standard output is a terminal; else a plain line on standard
 * output when the state changes, or the counts do and the last line is `PLAIN_LINE_MS` old.
 */
export function progressView(io: CliIO): ProgressView {
  return io.terminal ? new BarView(io.terminal) : new PlainView(io);
}

/**
 * A job's state and counts, with its rate and the time left at that rate once they are known.
 * @example 'RUNNING 12/40 done, 0 failed, 3 running, 3.10 tasks/s, ~9 s left'
 */
function progressLine(status: JobStatus, rate: ProgressRate): string {
  const parts = [`${status.state} ${progressCounts(status.progress)}`];
  const perSecond = rate.perSecond();
  const left = rate.timeLeftMs(status.progress.total);
  if (perSecond !== undefined) parts.push(`${formatRate(perSecond)} tasks/s`);
  if (left !== undefined && status.progress.done < status.progress.total) parts.push(`~${formatDuration(left)} left`);
  return parts.join(', ');
}

class PlainView implements ProgressView {
  readonly #rate = new ProgressRate();
  #last: { state: string; counts: string; at: number } | undefined;

  constructor(private readonly io: CliIO) {}

  show(status: JobStatus): void {
    this.#rate.see(status.progress.done);
    // The final state and counts follow as the status lines.
    if (isTerminal(status.state)) return;
    const counts = progressCounts(status.progress);
    const now = Date.now();
    const last = this.#last;
    const changed = !last || last.state !== status.state || (last.counts !== counts && now - last.at >= PLAIN_LINE_MS);
    if (!changed) return;
    this.#last = { state: status.state, counts, at: now };
    this.io.out(progressLine(status, this.#rate));
  }

  end(): void {}
}

class BarView implements ProgressView {
  readonly #rate = new ProgressRate();
  readonly #bar: SingleBar;
  #started = false;

  constructor(terminal: TerminalStream) {
    // Line wrapping stays on: a watch stopped by Ctrl-C leaves the terminal as it found it.
    this.#bar = new SingleBar({ stream: terminal, format: '{bar} {line}', barsize: 24, barCompleteChar: '█', barIncompleteChar: '░', linewrap: true, hideCursor: false });
  }

  show(status: JobStatus): void {
    this.#rate.see(status.progress.done);
    const line = progressLine(status, this.#rate);
    const { total, done } = status.progress;
    if (!this.#started) {
      this.#started = true;
      this.#bar.start(total, done, { line });
      return;
    }
    this.#bar.setTotal(total);
    this.#bar.update(done, { line });
  }

  end(status: JobStatus | undefined): void {
    if (status) this.show(status);
    this.#bar.stop();
  }
}
