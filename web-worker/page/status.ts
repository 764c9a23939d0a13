import type { WorkerClientSnapshot } from '../client-events.js';

/** The one word the page shows (and tests read) for where the volunteer stands. */
export type VolunteerState = 'idle' | 'connecting' | 'connected' | 'reconnecting' | 'paused' | 'stopped' | 'no-token';

/** What the page exposes as `window.tabgrid` for tests and curious volunteers. */
export interface VolunteerStatus {
  state: VolunteerState;
  tasksDone: number;
  /** Undefined until the coordinator's first `welcome`. */
  workerId: string | undefined;
  paused: boolean;
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
export function stateLine(snapshot: WorkerClientSnapshot, now: number): string {
  const state = volunteerState(snapshot);
  if (state !== 'reconnecting' || snapshot.reconnectAt === null) return state;
  const seconds = Math.max(0, Math.ceil((snapshot.reconnectAt - now) / 1000));
  return `reconnecting in ${seconds} s`;
}

/** `window.tabgrid` for a snapshot. */
export function volunteerStatus(snapshot: WorkerClientSnapshot): VolunteerStatus {
  return {
    state: volunteerState(snapshot),
    tasksDone: snapshot.tasksDone,
    workerId: snapshot.workerId ?? undefined,
    paused: snapshot.paused,
  };
}

/**
 * One line per running task: `<job name> · task <index> · <percent> %`, or "idle".
 * @example taskLine(snapshot) // 'squares · task 3 · 45 %'
 */
export function taskLine(snapshot: WorkerClientSnapshot): string {
  if (snapshot.tasks.length === 0) return 'idle';
  return snapshot.tasks
    .map(({ lease, progress }) => `${lease.jobName} · task ${lease.taskIndex} · ${Math.floor(progress * 100)} %`)
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
