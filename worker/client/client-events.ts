import type { LogLevel, TaskLease } from '../../shared/index.js';

/**
 * Where the connection stands: `idle` before `start()`, `connecting` while a socket opens and
 * waits for `welcome`, `connected` after it, `reconnecting` while waiting to try again,
 * `stopped` after `stop()`.
 */
export type ConnectionState = 'idle' | 'connecting' | 'connected' | 'reconnecting' | 'stopped';

/** A task this worker is running. */
export interface RunningTaskView {
  lease: TaskLease;
  /** Progress of the whole task, from 0 to 1. */
  progress: number;
}

/** Everything a page needs to show the worker, read with `client.snapshot()`. */
export interface WorkerClientSnapshot {
  connection: ConnectionState;
  /** When the next connection attempt is due (ms since the epoch), while `reconnecting`. */
  reconnectAt: number | null;
  paused: boolean;
  /** The id the coordinator gave this worker, once welcomed. */
  workerId: string | null;
  /** Results the coordinator accepted. */
  tasksDone: number;
  tasks: RunningTaskView[];
  /** Finished tasks whose result or failure the coordinator has not acknowledged yet. */
  unsent: number;
  /** Time spent running task code, over this worker's life (kept across reloads), in milliseconds. */
  computeMs: number;
  /** Share of the time the worker may be busy. */
  cpuShare: number;
  /** While idling between tasks for the CPU limit: when its last resting slot asks again (ms since the epoch). */
  restingUntil: number | null;
  /** Tasks it runs at once now (see `setConcurrency`). */
  concurrency: number;
  /** Of those slots, how many idle between tasks for the CPU limit. */
  resting: number;
}

/** What happened, for listeners; read `client.snapshot()` for where things stand now. */
export type WorkerClientEvent =
  /** Connection, pause or worker id changed. */
  | { type: 'state' }
  /** A task started; `resumed` when it is a lease kept across a reload, going on from this tab's checkpoint. */
  | { type: 'task-start'; lease: TaskLease; resumed?: boolean }
  | { type: 'task-progress'; leaseId: string; fraction: number }
  | { type: 'task-log'; leaseId: string; level: LogLevel; message: string }
  /** A task ended here; `message` is the failure's or the abort's reason. */
  | { type: 'task-end'; leaseId: string; outcome: 'result' | 'fail' | 'aborted'; message?: string }
  | { type: 'ack'; leaseId: string; status: 'accepted' | 'ignored'; reason?: string }
  /** The coordinator answered a task's checkpoint. */
  | { type: 'checkpointed'; leaseId: string; seq: number; status: 'stored' | 'refused' | 'ignored'; reason?: string }
  /** The coordinator sent an `error` message. */
  | { type: 'coordinator-error'; code: string; message: string }
  /** Something went wrong on this side: a malformed message, a socket error. */
  | { type: 'warning'; message: string };

/** Receives every {@link WorkerClientEvent}. */
export type WorkerClientListener = (event: WorkerClientEvent) => void;
