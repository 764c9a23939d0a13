import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { Capabilities } from '../../shared/index.js';
import { WorkerClient } from './client.js';
import type { WorkerClientOptions } from './client-ports.js';
import { FakeExecutor, FakeSocketServer, leaseMessage, type FakeSocket } from '../testing.js';

const capabilities: Capabilities = { runtime: 'browser', webgpu: null, userAgent: 'vitest' };

/** Lets promise chains (code fetch, executor) run to their end. */
const settle = () => new Promise<void>((resolve) => setImmediate(resolve));

/** A started client, connected and welcomed by a fake coordinator. */
function connected(options: Partial<WorkerClientOptions>): { socket: FakeSocket; executor: FakeExecutor; client: WorkerClient } {
  const server = new FakeSocketServer();
  const executor = new FakeExecutor();
  const client = new WorkerClient({
    url: 'ws://coordinator.test/api/v1/worker?token=t',
    connect: server.connect,
    executor,
    fetchCode: () => Promise.resolve('export default (x) => x'),
    capabilities,
    ...options,
  });
  client.start();
  const socket = server.latest;
  socket.open();
  socket.receive({ type: 'welcome', workerId: 'w-1', heartbeatMs: 0, leaseMs: 5000, kept: [] });
  return { socket, executor, client };
}

async function finish(executor: FakeExecutor, leaseId: string, busyMs: number): Promise<void> {
  vi.advanceTimersByTime(busyMs);
  executor.runOf(leaseId).resolve([1]);
  await settle();
}

describe('WorkerClient running several tasks at once', () => {
  beforeEach(() => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'setInterval', 'clearInterval', 'Date'] });
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('declares its most in hello, asks for its current number, and asks for more when raised', () => {
    const { socket, client } = connected({ concurrency: 1, maxConcurrency: 4 });
    expect(socket.sent[0]).toMatchObject({ type: 'hello', concurrency: 4 });
    expect(socket.sentOfType('ask')).toHaveLength(1);
    client.setConcurrency(3);
    expect(socket.sentOfType('ask')).toHaveLength(3);
    expect(client.snapshot().concurrency).toBe(3);
    // Never past what the hello declared: the coordinator would refuse the asks.
    client.setConcurrency(9);
    expect(client.snapshot().concurrency).toBe(4);
    expect(socket.sentOfType('ask')).toHaveLength(4);
  });

  it('lowered, lets running tasks finish and frees no slot until they fit', async () => {
    const { socket, executor, client } = connected({ concurrency: 2, maxConcurrency: 2 });
    socket.receive(leaseMessage('l-1'));
    socket.receive(leaseMessage('l-2', { taskIndex: 1 }));
    await settle();
    client.setConcurrency(1);
    expect(socket.sentOfType('withdraw')).toEqual([]);
    await finish(executor, 'l-1', 100);
    expect(socket.sentOfType('ask')).toHaveLength(2);
    await finish(executor, 'l-2', 100);
    expect(socket.sentOfType('ask')).toHaveLength(3);
    expect(executor.aborted).toEqual([]);
  });

  it('lowered while asking, takes its asks back and asks again for the slots left', () => {
    const { socket, client } = connected({ concurrency: 2 });
    expect(socket.sentOfType('ask')).toHaveLength(2);
    client.setConcurrency(1);
    expect(socket.sent.slice(-2)).toEqual([{ type: 'withdraw' }, { type: 'ask' }]);
  });

  it('rests each slot on its own for the CPU limit while the others work', async () => {
    const { socket, executor, client } = connected({ concurrency: 2, cpuShare: 0.5 });
    socket.receive(leaseMessage('l-1'));
    socket.receive(leaseMessage('l-2', { taskIndex: 1 }));
    await settle();
    await finish(executor, 'l-1', 400);
    // 400 ms busy at 50 %: this slot rests 400 ms; the other still runs its task.
    expect(client.snapshot()).toMatchObject({ resting: 1, restingUntil: Date.now() + 400 });
    expect(socket.sentOfType('ask')).toHaveLength(2);
    // The other ran 500 ms: it rests 500 ms, and the first slot's rest ends before.
    await finish(executor, 'l-2', 100);
    expect(client.snapshot()).toMatchObject({ resting: 2, restingUntil: Date.now() + 500 });
    vi.advanceTimersByTime(299);
    expect(socket.sentOfType('ask')).toHaveLength(2);
    vi.advanceTimersByTime(1);
    expect(socket.sentOfType('ask')).toHaveLength(3);
    expect(client.snapshot()).toMatchObject({ resting: 1 });
  });
});
