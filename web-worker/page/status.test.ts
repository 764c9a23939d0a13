import { describe, expect, it } from 'vitest';
import type { WorkerClientSnapshot } from '../../worker/index.js';
import { leaseMessage } from '../../worker/testing.js';
import { EventLog } from './event-log.js';
import { computeLine, COULD_NOT_START, machineLine, pauseLine, stateLine, stateText, storageLine, unsentLine, volunteerStatus, workerLines, workersLine } from './status.js';

const base: WorkerClientSnapshot = {
  connection: 'connected',
  reconnectAt: null,
  paused: false,
  workerId: 'w-1',
  tasksDone: 2,
  tasks: [],
  unsent: 0,
  computeMs: 0,
  cpuShare: 1,
  restingUntil: null,
  concurrency: 1,
  resting: 0,
};

describe('status', () => {
  it('names the state, with paused winning over connected and a countdown while reconnecting', () => {
    expect(stateLine(base, 0)).toBe('connected');
    expect(stateLine({ ...base, paused: true }, 0)).toBe('paused');
    expect(stateLine({ ...base, connection: 'reconnecting', reconnectAt: 12_100, paused: true }, 10_000)).toBe(
      'reconnecting in 3 s',
    );
    expect(stateLine({ ...base, connection: 'connecting' }, 0)).toBe('connecting');
    expect(volunteerStatus({ ...base, paused: true }, 'hidden', true)).toEqual({
      state: 'paused',
      tasksDone: 2,
      workerId: 'w-1',
      paused: true,
      pausedBecause: 'hidden',
      tasks: [],
      unsent: 0,
      computeMs: 0,
      cpuShare: 1,
      storage: 'durable',
      workers: 1,
      leases: 0,
      pressure: null,
      battery: null,
    });
    expect(stateLine({ ...base, paused: true }, 0, 'paused while this tab is hidden')).toBe('paused while this tab is hidden');
    expect(stateLine({ ...base, paused: false }, 0, 'paused while this tab is hidden')).toBe('connected');
  });

  it('says why the tab is paused: the volunteer, a hidden tab, the pressure, the battery', () => {
    const machine = { pressure: 'critical' as const, battery: { level: 0.153, charging: false } };
    expect(pauseLine('volunteer', machine, 0.2)).toBe('paused');
    expect(pauseLine('hidden', machine, 0.2)).toBe('paused while this tab is hidden');
    expect(pauseLine('pressure', machine, 0.2)).toBe('paused: the machine is under critical pressure');
    expect(pauseLine('battery', machine, 0.2)).toBe('paused: battery at 15 %, below your 20 %');
    expect(machineLine(machine)).toBe('CPU pressure critical · battery 15 %, discharging');
    expect(machineLine({ pressure: null, battery: null })).toBe('this browser reports no CPU pressure and no battery');
    expect(volunteerStatus({ ...base, paused: true, concurrency: 2 }, 'pressure', false, machine)).toMatchObject({
      state: 'paused',
      pausedBecause: 'pressure',
      workers: 2,
      leases: 0,
      pressure: 'critical',
      battery: machine.battery,
    });
  });

  it('says how many workers the tab runs, and why', () => {
    expect(workersLine({ workers: 2, workerShare: 1, halved: false }, 2, 1)).toBe('2 workers: 2 cores × 100 %');
    expect(workersLine({ workers: 2, workerShare: 0.75, halved: false }, 2, 0.75)).toBe('2 workers: 2 cores × 75 %, each busy 75 % of the time');
    expect(workersLine({ workers: 1, workerShare: 1, halved: true }, 2, 1)).toBe('1 worker: 2 cores × 100 %, halved while the machine is under serious pressure');
    expect(workersLine({ workers: 1, workerShare: 1, halved: false }, 8, 1, 1)).toBe('1 worker: 8 cores × 100 %, at most 1 (workers=1 in the address)');
  });

  it('describes each worker slot: its task with its progress, resting, or idle', () => {
    const text = (snapshot: WorkerClientSnapshot): string[] => workerLines(snapshot).map((line) => line.text);
    expect(workerLines({ ...base, concurrency: 2 })).toEqual([
      { text: 'idle', progress: null },
      { text: 'idle', progress: null },
    ]);
    const lease = leaseMessage('l-1', { jobName: 'squares', taskIndex: 3 });
    expect(workerLines({ ...base, concurrency: 2, resting: 1, tasks: [{ lease, progress: 0.456 }] })).toEqual([
      { text: 'squares · task 3 · 45 %', progress: 0.456 },
      { text: 'resting for the CPU limit', progress: null },
    ]);
    const gang = { attempt: 'g', rank: 1, size: 3, peerIds: ['a', 'b', 'c'], signalling: { path: '/peerjs', key: 'k' }, iceServers: [], timeoutMs: 1000 };
    expect(text({ ...base, tasks: [{ lease: { ...lease, gang }, progress: 0.12 }] })).toEqual(['squares · task 3 · rank 1 of 3 · 12 %']);
    // Lowered to one worker while two tasks still run: both are shown until they finish.
    const second = leaseMessage('l-2', { jobName: 'squares', taskIndex: 4 });
    expect(text({ ...base, concurrency: 1, tasks: [{ lease, progress: 0.5 }, { lease: second, progress: 0.25 }] })).toEqual([
      'squares · task 3 · 50 %',
      'squares · task 4 · 25 %',
    ]);
    expect(unsentLine(0)).toBe('');
    expect(unsentLine(2)).toMatch(/^2 finished tasks not yet confirmed/);
    expect([0, 59_999, 65_400, 3_723_000].map(computeLine)).toEqual(['0 s', '59 s', '1 min 5 s', '1 h 2 min']);
  });
});

describe('EventLog', () => {
  it('names tasks by job and index in the lines it writes', () => {
    const log = new EventLog();
    const lease = leaseMessage('l-1', { jobName: 'squares', taskIndex: 3, input: { kind: 'items', firstItem: 0, items: [1] } });
    expect(log.describe({ type: 'task-start', lease })).toEqual({ level: 'info', text: 'started squares task 3 (1 item)' });
    expect(log.describe({ type: 'task-log', leaseId: 'l-1', level: 'info', message: 'hi' })?.text).toBe('[squares task 3] hi');
    const resumed = leaseMessage('l-2', { taskIndex: 4, input: { kind: 'range', start: 0, end: 50, step: 1 }, restored: { user: 1 } });
    expect(log.describe({ type: 'task-start', lease: resumed })?.text).toBe('started squares task 4 (range 0..50, resuming from a checkpoint)');
    expect(log.describe({ type: 'task-progress', leaseId: 'l-1', fraction: 0.5 })).toBeNull();
    expect(log.describe({ type: 'task-end', leaseId: 'l-1', outcome: 'fail', message: 'boom' })).toEqual({
      level: 'error',
      text: 'squares task 3 failed: boom',
    });
    expect(log.describe({ type: 'ack', leaseId: 'l-1', status: 'ignored', reason: 'lease lapsed' })?.text).toBe(
      'the coordinator ignored the report of squares task 3: lease lapsed',
    );
    expect(log.describe({ type: 'coordinator-error', code: 'bad_token', message: 'unknown join token' })).toEqual({
      level: 'error',
      text: 'coordinator: unknown join token (bad_token)',
    });
  });
});

describe("the page's words for a volunteer", () => {
  it('say what happened and what to do, never a code or an error message', () => {
    expect(stateText('no-token')).toBe('no join token');
    expect(stateText('reconnecting')).toBe('reconnecting');
    expect(storageLine(true)).toBe('Progress is kept in this browser: a reload or a lost connection loses no work.');
    expect(storageLine(false)).toBe('This browser keeps nothing for this page (a private window, or site data turned off): a reload loses the task in hand.');
    expect(COULD_NOT_START).toMatch(/^This tab could not start working\. Reloading the page may help/);
  });
});
