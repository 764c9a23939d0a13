import { describe, expect, it } from 'vitest';
import type { WorkerClientSnapshot } from '../../worker/index.js';
import { leaseMessage } from '../../worker/testing.js';
import { EventLog } from './event-log.js';
import { computeLine, stateLine, taskLine, unsentLine, volunteerStatus } from './status.js';

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
    });
    expect(stateLine({ ...base, paused: true }, 0, 'hidden')).toBe('paused while this tab is hidden');
    expect(stateLine({ ...base, restingUntil: 5000, cpuShare: 0.25 }, 0)).toBe('connected · resting for the CPU limit (25 %)');
  });

  it('describes running tasks with their progress', () => {
    expect(taskLine(base)).toBe('idle');
    const lease = leaseMessage('l-1', { jobName: 'squares', taskIndex: 3 });
    expect(taskLine({ ...base, tasks: [{ lease, progress: 0.456 }] })).toBe('squares · task 3 · 45 %');
    const gang = { attempt: 'g', rank: 1, size: 3, peerIds: ['a', 'b', 'c'], signalling: { path: '/peerjs', key: 'k' }, iceServers: [], timeoutMs: 1000 };
    expect(taskLine({ ...base, tasks: [{ lease: { ...lease, gang }, progress: 0.12 }] })).toBe('squares · task 3 · rank 1 of 3 · 12 %');
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
