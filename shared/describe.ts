import type { JobProgress } from './job.js';
import type { WorkerStatus } from './api.js';

// How a job's progress, a duration or a worker reads in words: the admin panel and the CLI say
// them alike.

/**
 * A count and its noun, plural unless one.
 * @example counted(1, 'attempt') // '1 attempt'
 */
export function counted(count: number, noun: string): string {
  return `${count} ${noun}${count === 1 ? '' : 's'}`;
}

/**
 * `text` cut to at most `max` characters, marked with an ellipsis when cut.
 * @example truncate('abcdef', 4) // 'abc…'
 */
export function truncate(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, Math.max(0, max - 1))}…`;
}

/**
 * `done/total` map tasks, with failures when there are any, and where the reduce step is.
 * @example describeProgress({ total: 4, done: 1, failed: 2, running: 0 }) // '1/4 (2 failed)'
 * @example describeProgress({ total: 4, done: 4, failed: 0, running: 0, reduce: 'running' }) // '4/4, reduce step running'
 */
export function describeProgress(progress: JobProgress): string {
  const { done, total, failed, reduce } = progress;
  const counts = failed > 0 ? `${done}/${total} (${failed} failed)` : `${done}/${total}`;
  return reduce === undefined ? counts : `${counts}, reduce step ${reduce}`;
}

/**
 * A duration in a few words.
 * @example formatDuration(95_000) // '1 min 35 s'
 */
export function formatDuration(ms: number): string {
  if (!Number.isFinite(ms) || ms < 0) return '—';
  if (ms < 1000) return `${Math.round(ms)} ms`;
  const seconds = Math.round(ms / 1000);
  if (seconds < 60) return `${seconds} s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return seconds % 60 === 0 ? `${minutes} min` : `${minutes} min ${seconds % 60} s`;
  const hours = Math.floor(minutes / 60);
  if (hours < 48) return minutes % 60 === 0 ? `${hours} h` : `${hours} h ${minutes % 60} min`;
  return `${Math.floor(hours / 24)} d ${hours % 24} h`;
}

/**
 * A number with at most three significant figures, for rates.
 * @example formatRate(3.14159) // '3.14'
 */
export function formatRate(value: number | undefined): string {
  if (value === undefined || !Number.isFinite(value)) return '—';
  return value >= 100 ? value.toFixed(0) : value >= 10 ? value.toFixed(1) : value.toFixed(2);
}

/**
 * A task's items.
 * @example describeItems(2, 1) // 'item 2'
 * @example describeItems(0, 10) // 'items 0–9'
 */
export function describeItems(firstItem: number, itemCount: number): string {
  return itemCount === 1 ? `item ${firstItem}` : `items ${firstItem}–${firstItem + itemCount - 1}`;
}

/**
 * The worker's WebGPU adapter in a few words.
 * @example describeGpu(worker) // 'google swiftshader', or 'no WebGPU'
 */
export function describeGpu(worker: WorkerStatus): string {
  const gpu = worker.capabilities.webgpu;
  if (!gpu) return 'no WebGPU';
  const words = [gpu.vendor, gpu.architecture].filter((word) => word.length > 0);
  return words.length > 0 ? words.join(' ') : 'unknown adapter';
}

/**
 * Each measured tensor backend's best GFLOPS, fastest first.
 * @example backendFigures(worker) // [{ backend: 'wasm', gflops: 45 }, { backend: 'webgpu', gflops: 9.1 }]
 */
export function backendFigures(worker: WorkerStatus): { backend: string; gflops: number }[] {
  const best = new Map<string, number>();
  for (const figure of worker.capabilities.tensor?.figures ?? []) best.set(figure.backend, Math.max(best.get(figure.backend) ?? 0, figure.gflops));
  return [...best].map(([backend, gflops]) => ({ backend, gflops })).sort((a, b) => b.gflops - a.gflops);
}

/**
 * A job's rate of progress, from what it had done at the moments it was seen (the last minute of
 * them), and the time left at that rate.
 * @example
 * const rate = new ProgressRate();
 * rate.see(status.progress.done);
 * rate.timeLeftMs(status.progress.total); // undefined until it has moved
 */
export class ProgressRate {
  private readonly seen: { at: number; done: number }[] = [];

  constructor(private readonly windowMs = 60_000) {}

  /** Records that `done` tasks were done at `at`. */
  see(done: number, at = Date.now()): void {
    const last = this.seen.at(-1);
    if (last && done < last.done) this.seen.length = 0; // retried: count again
    this.seen.push({ at, done });
    while (this.seen.length > 2 && this.seen[0]!.at < at - this.windowMs) this.seen.shift();
  }

  /** Tasks per second over the window; undefined until two sightings a second apart. */
  perSecond(): number | undefined {
    const first = this.seen[0];
    const last = this.seen.at(-1);
    if (!first || !last || last.at - first.at < 1000) return undefined;
    return ((last.done - first.done) * 1000) / (last.at - first.at);
  }

  /** Milliseconds until `total` at the current rate; undefined when nothing moves. */
  timeLeftMs(total: number): number | undefined {
    const rate = this.perSecond();
    const last = this.seen.at(-1);
    if (rate === undefined || rate <= 0 || !last) return undefined;
    return ((total - last.done) / rate) * 1000;
  }
}
