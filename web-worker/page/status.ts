import type { WorkerClientSnapshot } from '../../worker/index.js';

/** The one word the page shows (and tests read) for where the volunteer stands. */
export type VolunteerState = 'idle' | 'connecting' | 'connected' | 'reconnecting' | 'paused' | 'stopped' | 'no-token';

/** Why a worker takes no tasks: the volunteer paused it, or it works only while the tab is visible. */
export type PauseReason = 'volunteer' | 'hidden';

/** A running task as `window.tabgrid` shows it. */
export interface RunningTaskStatus {
  leaseId: string;
  jobId: string;
  taskIndex: number;
  progress: number;
}

/** What the page exposes as `window.tabgrid` for tests and curious volunteers. */
export interface VolunteerStatus {
  state: VolunteerState;
  tasksDone: number;
  /** Undefined until the coordinator's first `welcome`. */
  workerId: string | undefined;
  paused: boolean;
  pausedBecause?: PauseReason | null;
  tasks?: RunningTaskStatus[];
  /** Finished tasks the coordinator has not acknowledged. */
  unsent?: number;
  computeMs?: number;
  cpuShare?: number;
  /** `durable` while IndexedDB keeps the worker's progress, `memory` without persistence. */
  storage?: 'durable' | 'memory';
}

/**
 * The volunteer's state: the connection's, except that a connected, paused worker is `paused`.
 * @example volunteerState({ ...snapshot, connection: 'connected', paused: true }) // 'paused'
 */
export function volunteerState(snapshot: WorkerClientSnapshot): VolunteerState {
  return snapshot.connection === 'connected' && snapshot.paused ? 'paused' : snapshot.connection;
}

/**
 * The state line: the state, with the seconds left while waiting to reconnect.
 * @example stateLine({ ...snapshot, connection: 'reconnecting', reconnectAt: now + 2100 }, now) // 'reconnecting in 3 s'
 */
export function stateLine(snapshot: WorkerClientSnapshot, now: number, pausedBecause: PauseReason | null = null): string {
  const state = volunteerState(snapshot);
  if (state === 'paused' && pausedBecause === 'hidden') return 'paused while this tab is hidden';
  if (state === 'connected' && snapshot.restingUntil !== null && snapshot.tasks.length === 0) {
    return `connected · resting for the CPU limit (${Math.round(snapshot.cpuShare * 100)} %)`;
  }
  if (state !== 'reconnecting' || snapshot.reconnectAt === null) return state;
  const seconds = Math.max(0, Math.ceil((snapshot.reconnectAt - now) / 1000));
  return `reconnecting in ${seconds} s`;
}

/** `window.tabgrid` for a snapshot. */
export function volunteerStatus(snapshot: WorkerClientSnapshot, pausedBecause: PauseReason | null = null, durable = false): VolunteerStatus {
  return {
    state: volunteerState(snapshot),
    tasksDone: snapshot.tasksDone,
    workerId: snapshot.workerId ?? undefined,
    paused: snapshot.paused,
    pausedBecause: snapshot.paused ? pausedBecause : null,
    tasks: snapshot.tasks.map(({ lease, progress }) => ({ leaseId: lease.leaseId, jobId: lease.jobId, taskIndex: lease.taskIndex, progress })),
    unsent: snapshot.unsent,
    computeMs: snapshot.computeMs,
    cpuShare: snapshot.cpuShare,
    storage: durable ? 'durable' : 'memory',
  };
}

/**
 * Compute time as a volunteer reads it.
 * @example computeLine(3_723_000) // '1 h 2 min'
 * @example computeLine(65_400) // '1 min 5 s'
 */
export function computeLine(ms: number): string {
  const seconds = Math.floor(Math.max(0, ms) / 1000);
  if (seconds < 60) return `${seconds} s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return `${minutes} min ${seconds % 60} s`;
  return `${Math.floor(minutes / 60)} h ${minutes % 60} min`;
}

/**
 * One line per running task: `<job name> · task <index> · <percent> %`, with this tab's rank for
 * a gang task, or "idle".
 * @example taskLine(snapshot) // 'squares · task 3 · 45 %'
 * @example taskLine(snapshot) // 'train · task 0 · rank 1 of 3 · 12 %'
 */
export function taskLine(snapshot: WorkerClientSnapshot): string {
  if (snapshot.tasks.length === 0) return 'idle';
  return snapshot.tasks
    .map(({ lease, progress }) => {
      const rank = lease.gang ? ` · rank ${lease.gang.rank} of ${lease.gang.size}` : '';
      return `${lease.jobName} · task ${lease.taskIndex}${rank} · ${Math.floor(progress * 100)} %`;
    })
    .join('\n');
}

/**
 * A note about finished work the coordinator has not acknowledged yet, or "" when there is none.
 * @example unsentLine(1) // '1 finished task not yet confirmed by the coordinator: please keep this tab open.'
 */
export function unsentLine(unsent: number): string {
  if (unsent === 0) return '';
  const tasks = unsent === 1 ? '1 finished task' : `${unsent} finished tasks`;
  return `${tasks} not yet confirmed by the coordinator: please keep this tab open.`;
}
