import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { Capabilities } from '../../shared/index.js';
import { WorkerClient } from './client.js';
import type { WorkerClientOptions } from './client-ports.js';
import type { WorkerClientEvent } from './client-events.js';
import type { TaskReport } from './messages.js';
import { MemoryWorkerStore } from '../store/memory.js';
import type { SavedWorkerState } from '../store/store.js';
import { FakeExecutor, FakeSocketServer, leaseMessage, type FakeSocket } from '../testing.js';

const capabilities: Capabilities = { runtime: 'browser', webgpu: null, userAgent: 'vitest' };
const welcome = (kept: string[] = [], workerId = 'w-1') => ({ type: 'welcome', workerId, heartbeatMs: 0, leaseMs: 5000, kept }) as const;
const settle = () => new Promise<void>((resolve) => setImmediate(resolve));

/** A memory store whose writes wait until the test lets them through. */
class GatedStore extends MemoryWorkerStore {
  readonly gates: (() => void)[] = [];
  gated = false;

  override async saveCheckpoint(leaseId: string, checkpoint: unknown): Promise<void> {
    await this.#gate();
    return super.saveCheckpoint(leaseId, checkpoint);
  }

  override async finishLease(leaseId: string, report: TaskReport): Promise<void> {
    await this.#gate();
    return super.finishLease(leaseId, report);
  }

  openGates(): void {
    for (const open of this.gates.splice(0)) open();
  }

  #gate(): Promise<void> {
    if (!this.gated) return Promise.resolve();
    return new Promise((resolve) => this.gates.push(resolve));
  }
}

function setUp(options: Partial<WorkerClientOptions> = {}) {
  const server = new FakeSocketServer();
  const executor = new FakeExecutor();
  const store = (options.store as GatedStore | undefined) ?? new GatedStore();
  const events: WorkerClientEvent[] = [];
  const client = new WorkerClient({
    url: 'ws://coordinator.test/api/v1/worker?token=t',
    connect: server.connect,
    executor,
    fetchCode: () => Promise.resolve('export default (x) => x'),
    capabilities,
    random: () => 0,
    store,
    ...options,
  });
  client.subscribe((event) => events.push(event));
  client.start();
  return { server, executor, store, events, client };
}

function connect(server: FakeSocketServer, kept: string[] = []): FakeSocket {
  const socket = server.latest;
  socket.open();
  socket.receive(welcome(kept));
  return socket;
}

describe('WorkerClient with a store', () => {
  beforeEach(() => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'setInterval', 'clearInterval', 'Date'] });
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('keeps a lease when it arrives, and each checkpoint before it is sent', async () => {
    const { server, executor, store } = setUp();
    const socket = connect(server);
    socket.receive(leaseMessage('l-1', { restored: { user: 'from the coordinator' } }));
    await settle();
    expect((await store.load()).leases).toEqual([{ lease: executor.runOf('l-1').lease, checkpoint: { user: 'from the coordinator' } }]);

    store.gated = true;
    void executor.runOf('l-1').hooks.checkpoint({ user: 'step 3' });
    await settle();
    expect(socket.sentOfType('checkpoint')).toEqual([]);
    store.openGates();
    await settle();
    expect((await store.load()).leases[0]?.checkpoint).toEqual({ user: 'step 3' });
    expect(socket.sentOfType('checkpoint')).toEqual([{ type: 'checkpoint', leaseId: 'l-1', seq: 1, state: { user: 'step 3' } }]);
  });

  it('keeps a report in the outbox before sending it, and forgets it on its ack', async () => {
    const { server, executor, store, client } = setUp();
    const socket = connect(server);
    socket.receive(leaseMessage('l-1'));
    await settle();
    store.gated = true;
    executor.runOf('l-1').resolve([1, 4]);
    await settle();
    expect(socket.sentOfType('result')).toEqual([]);
    expect(client.snapshot().unsent).toBe(1);
    store.openGates();
    await settle();
    const saved = await store.load();
    expect(saved.leases).toEqual([]);
    expect(saved.outbox.map((entry) => entry.report)).toEqual([{ type: 'result', leaseId: 'l-1', outputs: [1, 4] }]);
    expect(socket.sentOfType('result')).toHaveLength(1);

    socket.receive({ type: 'ack', leaseId: 'l-1', status: 'accepted' });
    await settle();
    expect((await store.load()).outbox).toEqual([]);
    expect((await store.load()).stats.tasksDone).toBe(1);
  });

  it('after a reload: names its id and held work in hello, resumes a kept lease from the local checkpoint, drops the others', async () => {
    const kept = leaseMessage('l-kept', { restored: { user: 'old' } });
    const lapsed = leaseMessage('l-lapsed', { taskIndex: 7 });
    const restore: SavedWorkerState = {
      workerId: 'w-9',
      leases: [
        { lease: kept, checkpoint: { user: 'newer, local' } },
        { lease: lapsed, checkpoint: { user: 'x' } },
      ],
      outbox: [{ leaseId: 'l-done', report: { type: 'result', leaseId: 'l-done', outputs: [5] }, finishedAt: 1 }],
      stats: { tasksDone: 3, computeMs: 1200 },
    };
    const store = new GatedStore({ saved: restore });
    const { server, executor, events, client } = setUp({ store, restore });
    expect(client.snapshot()).toMatchObject({ workerId: 'w-9', tasksDone: 3, computeMs: 1200, unsent: 1 });
    const socket = server.latest;
    socket.open();
    expect(socket.sent[0]).toEqual({ type: 'hello', workerId: 'w-9', leases: ['l-done', 'l-kept', 'l-lapsed'], capabilities, concurrency: 1 });

    socket.receive(welcome(['l-kept', 'l-done'], 'w-9'));
    await settle();
    expect(executor.runOf('l-kept').lease.restored).toEqual({ user: 'newer, local' });
    expect(executor.runs.has('l-lapsed')).toBe(false);
    expect(events).toContainEqual({ type: 'task-start', lease: executor.runOf('l-kept').lease, resumed: true });
    expect(events).toContainEqual({ type: 'warning', message: 'dropped squares task 7: its lease lapsed while this tab was away' });
    expect(socket.sentOfType('checkpoint')).toEqual([{ type: 'checkpoint', leaseId: 'l-kept', seq: 1, state: { user: 'newer, local' } }]);
    expect(socket.sentOfType('result')).toEqual([{ type: 'result', leaseId: 'l-done', outputs: [5] }]);
    expect((await store.load()).leases.map((saved) => saved.lease.leaseId)).toEqual(['l-kept']);
    // The resumed task holds the only slot: no ask until it ends.
    expect(socket.sentOfType('ask')).toEqual([]);
  });

  it('counts compute time, and rests between tasks as the CPU limit asks', async () => {
    const { server, executor, store, client } = setUp({ cpuShare: 0.5 });
    const socket = connect(server);
    expect(socket.sentOfType('ask')).toHaveLength(1);
    socket.receive(leaseMessage('l-1'));
    await settle();
    vi.advanceTimersByTime(400);
    // 100 ms of the 400 were spent idling between items: 300 busy, so 200 more to rest.
    executor.runOf('l-1').hooks.idle(100);
    executor.runOf('l-1').resolve([1]);
    await settle();
    expect(client.snapshot()).toMatchObject({ computeMs: 300, restingUntil: Date.now() + 200 });
    expect(socket.sentOfType('ask')).toHaveLength(1);
    vi.advanceTimersByTime(199);
    expect(socket.sentOfType('ask')).toHaveLength(1);
    vi.advanceTimersByTime(1);
    expect(socket.sentOfType('ask')).toHaveLength(2);
    expect((await store.load()).stats.computeMs).toBe(300);

    client.setCpuShare(1);
    socket.receive(leaseMessage('l-2'));
    await settle();
    vi.advanceTimersByTime(400);
    executor.runOf('l-2').resolve([1]);
    await settle();
    expect(socket.sentOfType('ask')).toHaveLength(3);
  });

  it('gives up its socket when the network goes offline, and tries at once when it is back or on "retry now"', async () => {
    const { server, client, events, executor } = setUp();
    const first = connect(server);
    client.networkChanged(false);
    expect(client.snapshot().connection).toBe('reconnecting');
    expect(events).toContainEqual({ type: 'warning', message: 'the network went offline' });
    // Abandoned, not closed: a close could reach the coordinator and cut the leases short.
    expect(first.readyState).toBe(1);
    first.receive(leaseMessage('l-late'));
    client.networkChanged(true);
    expect(server.sockets).toHaveLength(2);
    connect(server);
    expect(first.readyState).toBe(3);

    await settle();
    expect(executor.runs.has('l-late')).toBe(false);

    server.latest.fail();
    expect(client.snapshot().connection).toBe('reconnecting');
    client.retryNow();
    expect(server.sockets).toHaveLength(3);
    client.retryNow();
    expect(server.sockets).toHaveLength(3);
  });
});
