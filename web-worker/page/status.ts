import type { WorkerClientSnapshot } from '../../worker/index.js';
import { NOTHING_READ, type BatteryReading, type MachineReadings, type PressedPlan, type PressureState } from './machine.js';

/** The one word the page shows (and tests read) for where the volunteer stands. */
export type VolunteerState = 'idle' | 'connecting' | 'connected' | 'reconnecting' | 'paused' | 'stopped' | 'no-token';

/**
 * Why a worker takes no tasks: the volunteer paused it, it works only while the tab is visible,
 * the machine is under critical pressure, or its battery is below the volunteer's floor.
 */
export type PauseReason = 'volunteer' | 'hidden' | 'pressure' | 'battery';

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
  /** Share of the time each task Web Worker may be busy (see `workerPlan`). */
  cpuShare?: number;
  /** `durable` while IndexedDB keeps the worker's progress, `memory` without persistence. */
  storage?: 'durable' | 'memory';
  /** Tasks the tab runs at once now: its task Web Workers. */
  workers?: number;
  /** Leases held by running tasks. */
  leases?: number;
  /** The CPU's pressure, null where the browser does not say. */
  pressure?: PressureState | null;
  /** The battery, null where the browser does not say. */
  battery?: BatteryReading | null;
}

/**
 * The state as the page writes it: the word itself, but in words where it is a code.
 * @example stateText('no-token') // 'no join token'
 */
export function stateText(state: VolunteerState): string {
  return state === 'no-token' ? 'no join token' : state;
}

/** What the page says when it could not start; the error itself is kept under its details. */
export const COULD_NOT_START = 'This tab could not start working. Reloading the page may help; if it does not, tell whoever runs the grid.';

/**
 * Whether the tab's progress survives a reload, in a volunteer's words (why storage failed, in
 * a browser's words, goes to the page's log and the line's tooltip).
 * @example storageLine(false) // 'This browser keeps nothing for this page (a private window, or site data turned off): a reload loses the task in hand.'
 */
export function storageLine(durable: boolean): string {
  return durable
    ? 'Progress is kept in this browser: a reload or a lost connection loses no work.'
    : 'This browser keeps nothing for this page (a private window, or site data turned off): a reload loses the task in hand.';
}

/**
 * The volunteer's state: the connection's, except that a connected, paused worker is `paused`.
 * @example volunteerState({ ...snapshot, connection: 'connected', paused: true }) // 'paused'
 */
export function volunteerState(snapshot: WorkerClientSnapshot): VolunteerState {
  return snapshot.connection === 'connected' && snapshot.paused ? 'paused' : snapshot.connection;
}

/**
 * The state line: the state, why it is paused (see `pauseLine`), with the seconds left while
 * waiting to reconnect.
 * @example stateLine({ ...snapshot, connection: 'reconnecting', reconnectAt: now + 2100 }, now) // 'reconnecting in 3 s'
 */
export function stateLine(snapshot: WorkerClientSnapshot, now: number, pausedWhy: string | null = null): string {
  const state = volunteerState(snapshot);
  if (state === 'paused' && pausedWhy !== null) return pausedWhy;
  if (state !== 'reconnecting' || snapshot.reconnectAt === null) return state;
  const seconds = Math.max(0, Math.ceil((snapshot.reconnectAt - now) / 1000));
  return `reconnecting in ${seconds} s`;
}

/**
 * Why the tab is paused, as the state line says it.
 * @example pauseLine('battery', { pressure: null, battery: { level: 0.15, charging: false } }, 0.2) // 'paused: battery at 15 %, below your 20 %'
 */
export function pauseLine(reason: PauseReason, machine: MachineReadings, batteryFloor: number): string {
  switch (reason) {
    case 'volunteer':
      return 'paused';
    case 'hidden':
      return 'paused while this tab is hidden';
    case 'pressure':
      return 'paused: the machine is under critical pressure';
    case 'battery':
      return `paused: battery at ${percent(machine.battery?.level ?? 0)} %, below your ${percent(batteryFloor)} %`;
  }
}

/**
 * How many task Web Workers the tab runs, and why: its cores times the volunteer's limit (at most
 * the address's `workers=`), each worker's own share when it rests, and a halving under pressure.
 * @example workersLine({ workers: 2, workerShare: 0.75, halved: false }, 2, 0.75) // '2 workers: 2 cores × 75 %, each busy 75 % of the time'
 * @example workersLine({ workers: 1, workerShare: 1, halved: true }, 2, 1) // '1 worker: 2 cores × 100 %, halved while the machine is under serious pressure'
 */
export function workersLine(plan: PressedPlan, cores: number, cpuShare: number, cap?: number): string {
  const parts = [`${plan.workers} worker${plan.workers === 1 ? '' : 's'}: ${cores} core${cores === 1 ? '' : 's'} × ${percent(cpuShare)} %`];
  if (cap !== undefined) parts.push(`at most ${cap} (workers=${cap} in the address)`);
  if (plan.workerShare < 1) parts.push(`each busy ${percent(plan.workerShare)} % of the time`);
  if (plan.halved) parts.push('halved while the machine is under serious pressure');
  return parts.join(', ');
}

/**
 * What the browser tells of the machine, or that it tells nothing.
 * @example machineLine({ pressure: 'fair', battery: { level: 0.8, charging: true } }) // 'CPU pressure fair · battery 80 %, charging'
 */
export function machineLine(machine: MachineReadings): string {
  const parts: string[] = [];
  if (machine.pressure) parts.push(`CPU pressure ${machine.pressure}`);
  if (machine.battery) parts.push(`battery ${percent(machine.battery.level)} %, ${machine.battery.charging ? 'charging' : 'discharging'}`);
  return parts.length > 0 ? parts.join(' · ') : 'this browser reports no CPU pressure and no battery';
}

/** A fraction as a whole percentage. */
function percent(fraction: number): number {
  return Math.round(fraction * 100);
}

/** `window.tabgrid` for a snapshot, with what the browser tells of the machine. */
export function volunteerStatus(
  snapshot: WorkerClientSnapshot,
  pausedBecause: PauseReason | null = null,
  durable = false,
  machine: MachineReadings = NOTHING_READ,
): VolunteerStatus {
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
    workers: snapshot.concurrency,
    leases: snapshot.tasks.length,
    pressure: machine.pressure,
    battery: machine.battery,
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

/** What one task Web Worker of the tab is doing, as its line on the page. */
export interface WorkerSlotLine {
  text: string;
  /** The task's progress, from 0 to 1; null when it runs none. */
  progress: number | null;
}

/**
 * One line per worker slot: each running task (`<job name> · task <index> · <percent> %`, with
 * this tab's rank for a gang task), then the slots resting for the CPU limit, then the idle ones.
 * A tab whose limit was lowered shows the tasks it still finishes, beyond its new number.
 * @example workerLines(snapshot).map((line) => line.text) // ['squares · task 3 · 45 %', 'resting for the CPU limit']
 * @example workerLines(snapshot).map((line) => line.text) // ['train · task 0 · rank 1 of 3 · 12 %', 'idle']
 */
export function workerLines(snapshot: WorkerClientSnapshot): WorkerSlotLine[] {
  const running = snapshot.tasks.map(({ lease, progress }) => {
    const rank = lease.gang ? ` · rank ${lease.gang.rank} of ${lease.gang.size}` : '';
    return { text: `${lease.jobName} · task ${lease.taskIndex}${rank} · ${Math.floor(progress * 100)} %`, progress };
  });
  const free = Math.max(0, snapshot.concurrency - running.length);
  const resting = Math.min(free, snapshot.resting);
  const rest = Array.from({ length: free }, (_, slot) => ({ text: slot < resting ? 'resting for the CPU limit' : 'idle', progress: null }));
  return [...running, ...rest];
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
