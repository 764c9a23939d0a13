import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { Capabilities, TaskLease } from '../../shared/index.js';
import { WorkerClient } from './client.js';
import type { WorkerClientOptions } from './client-ports.js';
import { MemoryWorkerStore } from '../store/memory.js';
import type { SavedWorkerState } from '../store/store.js';
import { FakeExecutor, FakeSocketServer, leaseMessage, type FakeSocket } from '../testing.js';

/**
 * A checkpoint is what the coordinator has: the tab writes each one to its store before sending
 * it, and takes a refused one back, so that a reload never resumes from a state the coordinator
 * refused.
 */

const capabilities: Capabilities = { runtime: 'browser', webgpu: null, userAgent: 'vitest' };
const welcome = (kept: string[] = []) => ({ type: 'welcome', workerId: 'w-1', heartbeatMs: 0, leaseMs: 5000, kept }) as const;
const settle = () => new Promise<void>((resolve) => setImmediate(resolve));

/** A memory store whose checkpoint writes wait, when gated, until the test lets them through. */
class GatedStore extends MemoryWorkerStore {
  readonly gates: (() => void)[] = [];
  gated = false;

  override async saveCheckpoint(leaseId: string, checkpoint: unknown): Promise<void> {
    if (this.gated) await new Promise<void>((resolve) => this.gates.push(resolve));
    return super.saveCheckpoint(leaseId, checkpoint);
  }

  openGates(): void {
    this.gated = false;
    for (const open of this.gates.splice(0)) open();
  }

  async checkpointOf(leaseId: string): Promise<unknown> {
    return (await this.load()).leases.find((saved) => saved.lease.leaseId === leaseId)?.checkpoint;
  }
}

function start(store: GatedStore, restore?: SavedWorkerState, options: Partial<WorkerClientOptions> = {}) {
  const server = new FakeSocketServer();
  const executor = new FakeExecutor();
  const client = new WorkerClient({
    url: 'ws://coordinator.test/api/v1/worker?token=t',
    connect: server.connect,
    executor,
    fetchCode: () => Promise.resolve('export default (x) => x'),
    capabilities,
    random: () => 0,
    store,
    ...(restore ? { restore } : {}),
    ...options,
  });
  client.start();
  return { server, executor, client };
}

function connect(server: FakeSocketServer, kept: string[] = []): FakeSocket {
  const socket = server.latest;
  socket.open();
  socket.receive(welcome(kept));
  return socket;
}

/** Runs `lease` on a fresh client; answers its hooks, socket and store. */
async function running(lease: TaskLease, store = new GatedStore()) {
  const { server, executor, client } = start(store);
  const socket = connect(server);
  socket.receive(lease);
  await settle();
  const { hooks } = executor.runOf(lease.leaseId);
  return { socket, hooks, store, client };
}

const checkpointed = (seq: number, status: 'stored' | 'refused', leaseId = 'l-1') =>
  status === 'refused' ? { type: 'checkpointed', leaseId, seq, status, reason: 'checkpoint of 2000000 bytes is over the limit of 1048576 (413)' } : { type: 'checkpointed', leaseId, seq, status };

describe('a refused checkpoint', () => {
  beforeEach(() => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'setInterval', 'clearInterval', 'Date'] });
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('is taken back from the store: the last stored one is there again', async () => {
    const { socket, hooks, store } = await running(leaseMessage('l-1'));
    const small = hooks.checkpoint({ user: { step: 1 } });
    await settle();
    socket.receive(checkpointed(1, 'stored'));
    expect(await small).toEqual({ status: 'stored' });

    const big = hooks.checkpoint({ user: { step: 2, pad: 'x'.repeat(100) } });
    await settle();
    expect(await store.checkpointOf('l-1')).toEqual({ user: { step: 2, pad: 'x'.repeat(100) } });
    socket.receive(checkpointed(2, 'refused'));
    expect(await big).toMatchObject({ status: 'refused' });
    await settle();
    expect(await store.checkpointOf('l-1')).toEqual({ user: { step: 1 } });
  });

  it('leaves the checkpoint the lease came with when none was stored since, and none when it came with none', async () => {
    const withRestored = await running(leaseMessage('l-1', { restored: { user: 'from the coordinator' } }));
    void withRestored.hooks.checkpoint({ user: 'too big' });
    await settle();
    withRestored.socket.receive(checkpointed(1, 'refused'));
    await settle();
    expect(await withRestored.store.checkpointOf('l-1')).toEqual({ user: 'from the coordinator' });

    const bare = await running(leaseMessage('l-1'));
    void bare.hooks.checkpoint({ user: 'too big' });
    await settle();
    bare.socket.receive(checkpointed(1, 'refused'));
    await settle();
    expect((await bare.store.load()).leases).toEqual([{ lease: leaseMessage('l-1') }]);
  });

  it('leaves a newer checkpoint on its way to the store where it is, even one still being written', async () => {
    const { socket, hooks, store } = await running(leaseMessage('l-1'));
    void hooks.checkpoint({ user: 1 });
    await settle();
    socket.receive(checkpointed(1, 'stored'));
    void hooks.checkpoint({ user: 2 });
    await settle();
    store.gated = true;
    void hooks.checkpoint({ user: 3 });
    await settle();
    // Checkpoint 3 is being written when 2 is refused: the store must end with 3, not 1.
    socket.receive(checkpointed(2, 'refused'));
    store.openGates();
    await settle();
    expect(await store.checkpointOf('l-1')).toEqual({ user: 3 });
    expect(socket.sentOfType('checkpoint').map((message) => message.seq)).toEqual([1, 2, 3]);

    socket.receive(checkpointed(3, 'refused'));
    await settle();
    expect(await store.checkpointOf('l-1')).toEqual({ user: 1 });
  });

  it('is not resumed from after a reload: the task starts again from the last stored one', async () => {
    const { socket, hooks, store, client } = await running(leaseMessage('l-1'));
    void hooks.checkpoint({ user: { step: 1 } });
    await settle();
    socket.receive(checkpointed(1, 'stored'));
    void hooks.checkpoint({ user: { step: 2, huge: true } });
    await settle();
    socket.receive(checkpointed(2, 'refused'));
    await settle();
    client.stop();

    // The reload: a new client over what the store kept.
    const reloaded = start(store, await store.load());
    const again = connect(reloaded.server, ['l-1']);
    await settle();
    expect(reloaded.executor.runOf('l-1').lease.restored).toEqual({ user: { step: 1 } });
    expect(again.sentOfType('checkpoint')).toEqual([{ type: 'checkpoint', leaseId: 'l-1', seq: 1, state: { user: { step: 1 } } }]);
  });

  it('sent again after a reload that cut off its answer, and refused then, leaves what the lease came with in the store', async () => {
    const lease = leaseMessage('l-1', { restored: { user: 'leased with' } });
    const store = new GatedStore({ saved: { leases: [{ lease, checkpoint: { user: 'unanswered' } }], outbox: [], stats: { tasksDone: 0, computeMs: 0 } } });
    const { server, executor } = start(store, await store.load());
    const socket = connect(server, ['l-1']);
    await settle();
    // Work done before the reload is not thrown away: the task resumes from the unanswered one.
    expect(executor.runOf('l-1').lease.restored).toEqual({ user: 'unanswered' });
    expect(socket.sentOfType('checkpoint')).toEqual([{ type: 'checkpoint', leaseId: 'l-1', seq: 1, state: { user: 'unanswered' } }]);
    socket.receive(checkpointed(1, 'refused'));
    await settle();
    expect(await store.checkpointOf('l-1')).toEqual({ user: 'leased with' });
  });
});

describe('a checkpoint JSON cannot carry', () => {
  it('is refused with the reason, neither written nor sent', async () => {
    const { socket, hooks, store } = await running(leaseMessage('l-1', { restored: { user: 'kept' } }));
    const answer = await hooks.checkpoint({ user: { w: new Float32Array(2) } });
    expect(answer).toEqual({ status: 'refused', reason: 'checkpoint state at .w is a Float32Array, which JSON cannot carry; convert it (Array.from) or store it as a blob' });
    await settle();
    expect(socket.sentOfType('checkpoint')).toEqual([]);
    expect(await store.checkpointOf('l-1')).toEqual({ user: 'kept' });
  });
});
