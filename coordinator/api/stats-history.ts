import type { StatsSample } from '../../shared/index.js';
import type { WorkerGateway } from '../gateway/index.js';
import type { Scheduler } from '../scheduler/index.js';

export interface StatsHistoryOptions {
  /** Time between samples. @default 10000 */
  intervalMs?: number;
  /** Samples kept; the oldest goes when a new one comes. @default 360 (an hour of 10 s) */
  capacity?: number;
  now?: () => number;
}

/** The numbers a sample holds, as they are now. */
export type SampleNumbers = Omit<StatsSample, 'time'>;

/** Tasks per second, connected workers, queued and leased tasks: what `StatsHistory` samples on a coordinator. */
export function currentNumbers(scheduler: Scheduler, gateway: WorkerGateway): SampleNumbers {
  return {
    tasksPerSecond: scheduler.tasksPerSecond(),
    workers: gateway.connectedCount,
    queueDepth: scheduler.queueDepth(),
    running: scheduler.runningTasks(),
  };
}

/**
 * The coordinator's throughput over the last hour, for the admin panel: a sample every
 * `intervalMs`, the newest `capacity` kept in a ring. Memory only, so it is empty after a restart
 * (and on a standby that takes over) until the first sample of the new term.
 */
export class StatsHistory {
  private readonly ring: (StatsSample | undefined)[];
  /** Where the next sample goes in the ring. */
  private next = 0;
  private timer: ReturnType<typeof setInterval> | undefined;
  private readonly intervalMs: number;
  private readonly now: () => number;

  constructor(
    private readonly measure: () => SampleNumbers,
    options: StatsHistoryOptions = {},
  ) {
    this.intervalMs = options.intervalMs ?? 10_000;
    this.now = options.now ?? Date.now;
    this.ring = new Array<StatsSample | undefined>(options.capacity ?? 360).fill(undefined);
  }

  /** Samples every `intervalMs` until `stop`; the timer keeps no process alive. */
  start(): void {
    if (this.timer) return;
    this.timer = setInterval(() => this.sample(), this.intervalMs);
    this.timer.unref();
  }

  stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }

  /** Takes a sample now. */
  sample(): StatsSample {
    const sample = { time: new Date(this.now()).toISOString(), ...this.measure() };
    this.ring[this.next] = sample;
    this.next = (this.next + 1) % this.ring.length;
    return sample;
  }

  /** The samples kept, oldest first. */
  samples(): StatsSample[] {
    const older = this.ring.slice(this.next);
    const newer = this.ring.slice(0, this.next);
    return [...older, ...newer].filter((sample): sample is StatsSample => sample !== undefined);
  }

  /** The newest sample, if one was taken. */
  latest(): StatsSample | undefined {
    return this.ring[(this.next - 1 + this.ring.length) % this.ring.length];
  }
}
