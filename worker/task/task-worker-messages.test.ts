import { describe, expect, it } from 'vitest';
import type { LogLevel, TaskLease } from '../../shared/index.js';
import type { TaskHooks } from '../client/client-ports.js';
import { TaskHost } from './task-host.js';
import { relayTaskReply } from './task-relay.js';
import { peekMessage, readMessage, runRequest, TaskWorkerReply, TaskWorkerRequest } from './task-worker-messages.js';

const lease: TaskLease = { type: 'lease', leaseId: 'l-1', jobId: 'j', jobName: 'job', taskIndex: 0, attempt: 1, code: 'a'.repeat(64), input: { kind: 'items', firstItem: 0, items: [1] } };

function recordingHooks() {
  const logs: { level: LogLevel; message: string }[] = [];
  const hooks: TaskHooks = {
    log: (level, message) => logs.push({ level, message }),
    progress: () => {},
    checkpoint: () => Promise.resolve({ status: 'stored' }),
    blob: () => Promise.reject(new Error('no blobs')),
    idle: () => {},
    shard: () => Promise.reject(new Error('no shard')),
  };
  return { hooks, logs };
}

describe('the task worker messages', () => {
  it('take structured-clone payloads as what they are: a transferred port, bytes', () => {
    const { port1, port2 } = new MessageChannel();
    try {
      const { request } = runRequest(lease, 'export default (x) => x', { cpuShare: 0.5 }, { port: port1, rank: 0, size: 2, maxMessageBytes: 1024, timeoutMs: 1000 });
      expect(readMessage(TaskWorkerRequest, request)).toEqual({ ok: true, message: request });
      expect(readMessage(TaskWorkerRequest, { type: 'blob', leaseId: 'l-1', id: 1, bytes: new Uint8Array([1, 2]) }).ok).toBe(true);
    } finally {
      port1.close();
      port2.close();
    }
  });

  it('refuse what only looks right, saying where', () => {
    expect(readMessage(TaskWorkerRequest, { type: 'blob', leaseId: 'l-1', id: 1, bytes: [1, 2] })).toEqual({ ok: false, reason: 'bytes: expected a Uint8Array', type: 'blob', leaseId: 'l-1' });
    const port = { rank: 0, size: 2, maxMessageBytes: 1024, timeoutMs: 1000, port: {} };
    expect(readMessage(TaskWorkerRequest, { type: 'run', lease, source: '', comm: port })).toMatchObject({ ok: false, reason: 'comm.port: expected a MessagePort', type: 'run' });
    expect(readMessage(TaskWorkerReply, { type: 'progress', leaseId: 'l-1', fraction: 2 })).toMatchObject({ ok: false, type: 'progress', leaseId: 'l-1' });
    expect(readMessage(TaskWorkerReply, { type: 'shout', leaseId: 'l-1' })).toMatchObject({ ok: false, reason: expect.stringContaining("Expected 'log' | 'progress'") as unknown });
    expect(readMessage(TaskWorkerReply, 'done')).toMatchObject({ ok: false, reason: expect.stringContaining('expected object') as unknown });
    expect(readMessage(TaskWorkerReply, { type: 'done', leaseId: 'l-1', outcome: { ok: true } })).toMatchObject({ ok: false, reason: 'outcome.outputs: Invalid input: expected array, received undefined' });
  });

  it('are peeked at for their type and lease before their schema', () => {
    expect(peekMessage({ type: 'log', leaseId: 'l-1', level: 'loud' })).toEqual({ type: 'log', leaseId: 'l-1' });
    expect(peekMessage({ type: 'run', lease: { leaseId: 'l-2' } })).toEqual({ type: 'run', leaseId: 'l-2' });
    expect(peekMessage({ type: 7 })).toEqual({});
    expect(peekMessage(null)).toEqual({});
  });
});

describe('TaskHost.receive with a malformed request', () => {
  function host() {
    const replies: unknown[] = [];
    const warnings: string[] = [];
    const taskHost = new TaskHost({ post: (reply) => replies.push(reply), importModule: () => Promise.reject(new Error('not here')), warn: (message) => warnings.push(message) });
    return { taskHost, replies, warnings };
  }

  it('answers a malformed run as a failed task, without running it', () => {
    const { taskHost, replies } = host();
    expect(() => taskHost.receive({ type: 'run', lease: { ...lease, input: { kind: 'items' } }, source: 'x' })).not.toThrow();
    expect(replies).toEqual([
      { type: 'done', leaseId: 'l-1', outcome: { ok: false, error: { message: expect.stringMatching(/^the task's worker ignored a malformed 'run' message: lease\.input\./) as unknown } } },
    ]);
  });

  it("logs other malformed requests to their lease, and warns of those that name none", () => {
    const { taskHost, replies, warnings } = host();
    taskHost.receive({ type: 'checkpointed', leaseId: 'l-1', id: 1, ack: { status: 'kept' } });
    expect(replies).toEqual([{ type: 'log', leaseId: 'l-1', level: 'error', message: expect.stringContaining("malformed 'checkpointed' message: ack.status") as unknown }]);
    taskHost.receive(42);
    taskHost.receive({ type: 'tensor-setup' });
    expect(warnings).toEqual([
      expect.stringContaining("the task's worker ignored a malformed message: (root): Invalid input: expected object") as unknown,
      expect.stringContaining("the task's worker ignored a malformed 'tensor-setup' message: type: Invalid discriminator value") as unknown,
    ]);
  });
});

describe('relayTaskReply with a malformed reply', () => {
  it('logs it to the task as an error', () => {
    const { hooks, logs } = recordingHooks();
    expect(relayTaskReply({ type: 'log', leaseId: 'l-1', level: 'loud', message: 'hi' }, hooks, () => {})).toBeUndefined();
    expect(logs).toEqual([{ level: 'error', message: expect.stringMatching(/^the task's worker sent a malformed 'log' message: level: /) as unknown }]);
  });

  it('fails the task when it is the end of the task that cannot be read', () => {
    const { hooks } = recordingHooks();
    expect(relayTaskReply({ type: 'done', leaseId: 'l-1', outcome: { ok: 'yes' } }, hooks, () => {})).toEqual({
      ok: false,
      error: { message: expect.stringMatching(/^the task's worker sent a malformed 'done' message: outcome/) as unknown },
    });
  });

  it('relays a well-formed one', () => {
    const { hooks, logs } = recordingHooks();
    expect(relayTaskReply({ type: 'log', leaseId: 'l-1', level: 'info', message: 'hi' }, hooks, () => {})).toBeUndefined();
    expect(relayTaskReply({ type: 'done', leaseId: 'l-1', outcome: { ok: true, outputs: [1] } }, hooks, () => {})).toEqual({ ok: true, outputs: [1] });
    expect(logs).toEqual([{ level: 'info', message: 'hi' }]);
  });
});
