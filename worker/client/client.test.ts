import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { Capabilities } from '../../shared/index.js';
import { WorkerClient } from './client.js';
import type { WorkerClientOptions } from './client-ports.js';
import type { WorkerClientEvent } from './client-events.js';
import { FakeExecutor, FakeSocketServer, leaseMessage, type FakeSocket } from '../testing.js';

const capabilities: Capabilities = { runtime: 'node', webgpu: null, userAgent: 'vitest' };
const welcome = (kept: string[] = [], workerId = 'w-1') =>
  ({ type: 'welcome', workerId, heartbeatMs: 1000, leaseMs: 5000, kept }) as const;

/** Lets promise chains (code fetch, executor) run to their end. */
const settle = () => new Promise<void>((resolve) => setImmediate(resolve));

function setUp(options: Partial<WorkerClientOptions> = {}) {
  const server = new FakeSocketServer();
  const executor = new FakeExecutor();
  const fetched: string[] = [];
  const events: WorkerClientEvent[] = [];
  const client = new WorkerClient({
    url: 'ws://coordinator.test/api/v1/worker?token=t',
    connect: server.connect,
    executor,
    fetchCode: (sha) => {
      fetched.push(sha);
      return Promise.resolve(`export default (x) => x // ${sha.slice(0, 4)}`);
    },
    capabilities,
    // The top of the reconnect backoff's jitter: whole delays (250 ms, 500 ms, ...).
    random: () => 1,
    ...options,
  });
  client.subscribe((event) => events.push(event));
  client.start();
  return { server, executor, fetched, events, client };
}

/** Opens the latest socket and welcomes it; answers the socket. */
function connect(server: FakeSocketServer, kept: string[] = []): FakeSocket {
  const socket = server.latest;
  socket.open();
  socket.receive(welcome(kept));
  return socket;
}

describe('WorkerClient', () => {
  beforeEach(() => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'setInterval', 'clearInterval', 'Date'] });
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('says hello on open, and after welcome asks for work and sends heartbeats', () => {
    const { server, client } = setUp();
    const socket = server.latest;
    expect(socket.url).toBe('ws://coordinator.test/api/v1/worker?token=t');
    expect(client.snapshot().connection).toBe('connecting');
    socket.open();
    expect(socket.sent).toEqual([{ type: 'hello', leases: [], capabilities, concurrency: 1 }]);
    expect(client.snapshot().connection).toBe('connecting');

    socket.receive(welcome());
    expect(client.snapshot()).toMatchObject({ connection: 'connected', workerId: 'w-1', paused: false });
    expect(socket.sent.slice(1)).toEqual([{ type: 'ask' }]);

    vi.advanceTimersByTime(3000);
    expect(socket.sentOfType('heartbeat')).toHaveLength(3);
  });

  it('runs a lease, reports its result, counts it when accepted and asks again', async () => {
    const { server, executor, fetched, client } = setUp();
    const socket = connect(server);
    socket.receive(leaseMessage('l-1', { input: { kind: 'items', items: [3, 4], firstItem: 6 } }));
    await settle();
    expect(fetched).toEqual(['a'.repeat(64)]);
    const run = executor.runOf('l-1');
    expect(run.lease.input).toEqual({ kind: 'items', items: [3, 4], firstItem: 6 });
    expect(run.source).toContain('export default');
    expect(client.snapshot().tasks).toEqual([{ lease: run.lease, progress: 0 }]);

    run.hooks.log('info', 'working on 3');
    run.hooks.progress(0.25);
    run.hooks.progress(0.5);
    run.hooks.progress(0.75);
    expect(socket.sentOfType('log')).toEqual([{ type: 'log', leaseId: 'l-1', level: 'info', message: 'working on 3' }]);
    expect(socket.sentOfType('progress').map((m) => m.fraction)).toEqual([0.25]);
    vi.advanceTimersByTime(250);
    expect(socket.sentOfType('progress').map((m) => m.fraction)).toEqual([0.25, 0.75]);
    expect(client.snapshot().tasks[0]?.progress).toBe(0.75);

    run.resolve([9, 16]);
    await settle();
    expect(socket.sentOfType('result')).toEqual([{ type: 'result', leaseId: 'l-1', outputs: [9, 16] }]);
    expect(socket.sentOfType('ask')).toHaveLength(2);
    expect(client.snapshot()).toMatchObject({ tasks: [], unsent: 1, tasksDone: 0 });

    socket.receive({ type: 'ack', leaseId: 'l-1', status: 'accepted' });
    expect(client.snapshot()).toMatchObject({ unsent: 0, tasksDone: 1 });
  });

  it('reports a throw as fail with message and stack, and does not count it as done', async () => {
    const { server, executor, client, events } = setUp();
    const socket = connect(server);
    socket.receive(leaseMessage('l-1'));
    await settle();
    const error = new Error('item 2 is odd');
    executor.runOf('l-1').reject(error);
    await settle();
    expect(socket.sentOfType('fail')).toEqual([
      { type: 'fail', leaseId: 'l-1', error: { message: 'item 2 is odd', stack: error.stack } },
    ]);
    expect(events).toContainEqual({ type: 'task-end', leaseId: 'l-1', outcome: 'fail', message: 'item 2 is odd' });
    socket.receive({ type: 'ack', leaseId: 'l-1', status: 'accepted' });
    expect(client.snapshot().tasksDone).toBe(0);
    expect(socket.sentOfType('ask')).toHaveLength(2);
  });

  it('fails a task whose outputs cannot travel as JSON', async () => {
    const { server, executor } = setUp();
    const socket = connect(server);
    socket.receive(leaseMessage('l-1'));
    await settle();
    executor.runOf('l-1').resolve([1n]);
    await settle();
    expect(socket.sentOfType('result')).toEqual([]);
    expect(socket.sentOfType('fail')[0]?.error.message).toMatch(/not JSON-serialisable/);
  });

  it('aborts a revoked task, reports nothing for it and asks again', async () => {
    const { server, executor, client } = setUp();
    const socket = connect(server);
    socket.receive(leaseMessage('l-1'));
    await settle();
    socket.receive({ type: 'revoke', leaseId: 'l-1', reason: 'job cancelled' });
    expect(executor.aborted).toEqual(['l-1']);
    expect(client.snapshot().tasks).toEqual([]);
    expect(socket.sentOfType('ask')).toHaveLength(2);
    executor.runOf('l-1').resolve([1, 4]);
    await settle();
    expect(socket.sentOfType('result')).toEqual([]);
  });

  it('withdraws its ask on pause, lets a running task finish, and asks again on resume', async () => {
    const { server, executor, client } = setUp();
    const socket = connect(server);
    client.pause();
    expect(socket.sent.at(-1)).toEqual({ type: 'withdraw' });
    expect(client.snapshot().paused).toBe(true);

    // A lease that crossed the withdraw is this worker's: it runs, but no ask follows it.
    socket.receive(leaseMessage('l-1'));
    await settle();
    executor.runOf('l-1').resolve([1, 4]);
    await settle();
    expect(socket.sentOfType('result')).toHaveLength(1);
    expect(socket.sentOfType('ask')).toHaveLength(1);
    client.pause();
    expect(socket.sentOfType('withdraw')).toHaveLength(1);

    client.resume();
    expect(socket.sent.at(-1)).toEqual({ type: 'ask' });
    expect(client.snapshot().paused).toBe(false);
  });

  it('keeps as many asks open as its concurrency', async () => {
    const { server } = setUp({ concurrency: 2 });
    const socket = connect(server);
    expect(socket.sentOfType('ask')).toHaveLength(2);
    socket.receive(leaseMessage('l-1'));
    await settle();
    expect(socket.sentOfType('ask')).toHaveLength(2);
  });

  it('reconnects with backoff, says hello with its id and held leases, and keeps kept work running', async () => {
    const { server, executor, client } = setUp();
    const first = connect(server);
    first.receive(leaseMessage('l-1'));
    await settle();
    first.fail();
    expect(client.snapshot().connection).toBe('reconnecting');
    expect(client.snapshot().reconnectAt).toBe(Date.now() + 250);
    vi.advanceTimersByTime(249);
    expect(server.sockets).toHaveLength(1);
    vi.advanceTimersByTime(1);
    expect(server.sockets).toHaveLength(2);

    const second = server.latest;
    second.open();
    expect(second.sent[0]).toEqual({ type: 'hello', workerId: 'w-1', leases: ['l-1'], capabilities, concurrency: 1 });
    // Until the welcome says the lease is kept, its logs stay here.
    executor.runOf('l-1').hooks.log('info', 'before welcome');
    expect(second.sentOfType('log')).toEqual([]);
    second.receive(welcome(['l-1']));
    executor.runOf('l-1').hooks.log('info', 'after welcome');
    expect(second.sentOfType('log').map((m) => m.message)).toEqual(['after welcome']);
    expect(executor.aborted).toEqual([]);
    expect(second.sentOfType('ask')).toEqual([]);

    executor.runOf('l-1').resolve([1, 4]);
    await settle();
    expect(second.sentOfType('result')).toEqual([{ type: 'result', leaseId: 'l-1', outputs: [1, 4] }]);
    expect(second.sentOfType('ask')).toHaveLength(1);
  });

  it('waits longer after each failed attempt and starts over after a welcome', () => {
    const { server } = setUp();
    const delays: number[] = [];
    for (let i = 0; i < 7; i += 1) {
      const before = server.sockets.length;
      const started = Date.now();
      server.latest.fail();
      while (server.sockets.length === before) vi.advanceTimersByTime(10);
      delays.push(Date.now() - started);
    }
    expect(delays).toEqual([250, 500, 1000, 2000, 4000, 8000, 10_000]);
    connect(server);
    server.latest.fail();
    vi.advanceTimersByTime(250);
    expect(server.sockets).toHaveLength(9);
  });

  it('sends every result finished while offline after the welcome: the coordinator decides what counts', async () => {
    const { server, executor, client } = setUp();
    const first = connect(server);
    first.receive(leaseMessage('l-1'));
    first.receive(leaseMessage('l-2'));
    await settle();
    first.fail();
    executor.runOf('l-1').resolve(['one']);
    executor.runOf('l-2').resolve(['two']);
    await settle();
    expect(client.snapshot().unsent).toBe(2);

    vi.advanceTimersByTime(250);
    const second = server.latest;
    second.open();
    expect(second.sent[0]).toMatchObject({ type: 'hello', leases: ['l-1', 'l-2'] });
    expect(second.sentOfType('result')).toEqual([]);
    second.receive(welcome(['l-2']));
    await settle();
    expect(second.sentOfType('result')).toEqual([
      { type: 'result', leaseId: 'l-1', outputs: ['one'] },
      { type: 'result', leaseId: 'l-2', outputs: ['two'] },
    ]);
    second.receive({ type: 'ack', leaseId: 'l-1', status: 'ignored', reason: 'lease lapsed' });
    expect(client.snapshot().unsent).toBe(1);
    second.receive({ type: 'ack', leaseId: 'l-2', status: 'accepted' });
    expect(client.snapshot()).toMatchObject({ unsent: 0, tasksDone: 1 });
  });

  it('aborts running work whose lease was not kept across a reconnect', async () => {
    const { server, executor, client, events } = setUp();
    const first = connect(server);
    first.receive(leaseMessage('l-1'));
    await settle();
    first.fail();
    vi.advanceTimersByTime(250);
    const second = server.latest;
    second.open();
    second.receive(welcome([]));
    expect(executor.aborted).toEqual(['l-1']);
    expect(client.snapshot().tasks).toEqual([]);
    expect(events).toContainEqual(expect.objectContaining({ type: 'task-end', leaseId: 'l-1', outcome: 'aborted' }));
    expect(second.sentOfType('ask')).toHaveLength(1);
  });

  it('ignores malformed messages and keeps working', async () => {
    const { server, executor, events } = setUp();
    const socket = connect(server);
    socket.receive('not json {');
    socket.receive({ type: 'party' });
    socket.receive({ type: 'lease', leaseId: 'l-1' });
    socket.receive({ type: 'ack', leaseId: 'l-1', status: 'maybe' });
    socket.onmessage?.({ data: 42 } as never);
    const warnings = events.filter((event) => event.type === 'warning');
    expect(warnings).toHaveLength(5);
    expect(executor.runs.size).toBe(0);

    socket.receive(leaseMessage('l-2'));
    await settle();
    expect(executor.runs.has('l-2')).toBe(true);
  });

  it('numbers checkpoints per lease and resolves each with its answer', async () => {
    const { server, executor, events } = setUp();
    const socket = connect(server);
    socket.receive(leaseMessage('l-1'));
    await settle();
    const { hooks } = executor.runOf('l-1');
    const first = hooks.checkpoint({ user: 1 });
    const second = hooks.checkpoint({ user: 2 });
    await settle();
    expect(socket.sentOfType('checkpoint')).toEqual([
      { type: 'checkpoint', leaseId: 'l-1', seq: 1, state: { user: 1 } },
      { type: 'checkpoint', leaseId: 'l-1', seq: 2, state: { user: 2 } },
    ]);
    const reason = 'checkpoint of 2000000 bytes is over the limit of 1048576 (413); the last stored one stands';
    socket.receive({ type: 'checkpointed', leaseId: 'l-1', seq: 2, status: 'refused', reason });
    socket.receive({ type: 'checkpointed', leaseId: 'l-1', seq: 1, status: 'stored' });
    expect(await second).toEqual({ status: 'refused', reason });
    // Seq 1 was settled by the answer to seq 2, which superseded it.
    expect(await first).toEqual({ status: 'refused', reason });
    expect(events).toContainEqual({ type: 'checkpointed', leaseId: 'l-1', seq: 2, status: 'refused', reason });

    const third = hooks.checkpoint({ user: 3 });
    await settle();
    socket.receive({ type: 'checkpointed', leaseId: 'l-1', seq: 3, status: 'stored' });
    expect(await third).toEqual({ status: 'stored' });
  });

  it('keeps checkpoints pending while disconnected and sends the latest after the welcome if the lease is kept', async () => {
    const { server, executor } = setUp();
    const first = connect(server);
    first.receive(leaseMessage('l-1'));
    first.receive(leaseMessage('l-2'));
    await settle();
    first.fail();
    const older = executor.runOf('l-1').hooks.checkpoint({ step: 1 });
    const latest = executor.runOf('l-1').hooks.checkpoint({ step: 2 });
    const dropped = executor.runOf('l-2').hooks.checkpoint({ step: 9 });
    await settle();

    vi.advanceTimersByTime(250);
    const second = server.latest;
    second.open();
    expect(second.sentOfType('checkpoint')).toEqual([]);
    second.receive(welcome(['l-1']));
    expect(second.sentOfType('checkpoint')).toEqual([{ type: 'checkpoint', leaseId: 'l-1', seq: 2, state: { step: 2 } }]);
    expect(await dropped).toMatchObject({ status: 'ignored' });

    second.receive({ type: 'checkpointed', leaseId: 'l-1', seq: 2, status: 'stored' });
    expect(await latest).toEqual({ status: 'stored' });
    expect(await older).toEqual({ status: 'stored' });
  });

  it('refuses a checkpoint that is not JSON without sending it', async () => {
    const { server, executor } = setUp();
    const socket = connect(server);
    socket.receive(leaseMessage('l-1'));
    await settle();
    expect(await executor.runOf('l-1').hooks.checkpoint({ big: 1n })).toMatchObject({ status: 'refused' });
    expect(socket.sentOfType('checkpoint')).toEqual([]);
  });

  it('answers pending checkpoints ignored when their task ends or is revoked', async () => {
    const { server, executor } = setUp();
    const socket = connect(server);
    socket.receive(leaseMessage('l-1'));
    socket.receive(leaseMessage('l-2'));
    await settle();
    const ofFinished = executor.runOf('l-1').hooks.checkpoint('s');
    const ofRevoked = executor.runOf('l-2').hooks.checkpoint('s');
    executor.runOf('l-1').resolve([1, 4]);
    await settle();
    socket.receive({ type: 'revoke', leaseId: 'l-2', reason: 'job cancelled' });
    expect(await ofFinished).toMatchObject({ status: 'ignored' });
    expect(await ofRevoked).toMatchObject({ status: 'ignored' });
  });

  it('aborts a task past its timeout and reports it failed', async () => {
    const { server, executor, events } = setUp();
    const socket = connect(server);
    socket.receive(leaseMessage('l-1', { timeoutMs: 5000 }));
    await settle();
    vi.advanceTimersByTime(4999);
    expect(executor.aborted).toEqual([]);
    vi.advanceTimersByTime(1);
    expect(executor.aborted).toEqual(['l-1']);
    await settle();
    expect(socket.sentOfType('fail')).toEqual([{ type: 'fail', leaseId: 'l-1', error: { message: 'task timed out after 5000 ms' } }]);
    expect(events).toContainEqual({ type: 'task-end', leaseId: 'l-1', outcome: 'fail', message: 'task timed out after 5000 ms' });
    expect(socket.sentOfType('ask')).toHaveLength(2);
  });

  it('passes coordinator errors to listeners', () => {
    const { server, events } = setUp();
    const socket = connect(server);
    socket.receive({ type: 'error', code: 'bad_message', message: 'no such lease' });
    expect(events).toContainEqual({ type: 'coordinator-error', code: 'bad_message', message: 'no such lease' });
  });

  it('stops for good: closes the socket, aborts work and does not reconnect', async () => {
    const { server, executor, client } = setUp();
    const socket = connect(server);
    socket.receive(leaseMessage('l-1'));
    await settle();
    client.stop();
    expect(socket.readyState).toBe(3);
    expect(executor.aborted).toEqual(['l-1']);
    vi.advanceTimersByTime(60_000);
    expect(server.sockets).toHaveLength(1);
    expect(client.snapshot().connection).toBe('stopped');
  });
});
