import { WorkerMessage, type CoordinatorMessage, type TaskLease } from '../shared/index.js';
import type { TaskExecutor, TaskHooks, TaskSocket } from './client/client-ports.js';
import { TaskAbortedError } from './errors.js';

/**
 * An in-memory worker socket for unit tests: what the client sends is checked against the
 * protocol's schema and kept in `sent`; the test plays the coordinator's part.
 */
export class FakeSocket implements TaskSocket {
  readyState = 0;
  readonly sent: WorkerMessage[] = [];
  readonly #sendWaiters: (() => void)[] = [];
  onopen: ((event: never) => void) | null = null;
  onmessage: ((event: never) => void) | null = null;
  onclose: ((event: never) => void) | null = null;
  onerror: ((event: never) => void) | null = null;

  constructor(readonly url: string) {}

  send(data: string): void {
    if (this.readyState !== 1) throw new Error('FakeSocket: send while not open');
    this.sent.push(WorkerMessage.parse(JSON.parse(data)));
    for (const wake of this.#sendWaiters.splice(0)) wake();
  }

  close(): void {
    if (this.readyState === 3) return;
    this.readyState = 3;
    this.onclose?.({ code: 1000 } as never);
  }

  /** The server accepted the connection. */
  open(): void {
    this.readyState = 1;
    this.onopen?.({} as never);
  }

  /** The coordinator sends `message` (an object is sent as JSON, a string as it is). */
  receive(message: CoordinatorMessage | object | string): void {
    const data = typeof message === 'string' ? message : JSON.stringify(message);
    this.onmessage?.({ data } as never);
  }

  /** The connection failed or the coordinator went away. */
  fail(): void {
    this.onerror?.({} as never);
    this.close();
  }

  /** Sent messages of one type. */
  sentOfType<T extends WorkerMessage['type']>(type: T): Extract<WorkerMessage, { type: T }>[] {
    return this.sent.filter((message): message is Extract<WorkerMessage, { type: T }> => message.type === type);
  }

  /**
   * Resolves with the `count`-th sent message of one type (1-based) once the client has sent it:
   * a test waits on the message, not on a clock that a busy machine outruns.
   * @example expect(await socket.waitForSent('fail')).toMatchObject({ leaseId: 'l-1' });
   */
  async waitForSent<T extends WorkerMessage['type']>(type: T, count = 1): Promise<Extract<WorkerMessage, { type: T }>> {
    for (;;) {
      const found = this.sentOfType(type)[count - 1];
      if (found) return found;
      await new Promise<void>((wake) => this.#sendWaiters.push(wake));
    }
  }
}

/** Hands out {@link FakeSocket}s and remembers them. */
export class FakeSocketServer {
  readonly sockets: FakeSocket[] = [];

  readonly connect = (url: string): FakeSocket => {
    const socket = new FakeSocket(url);
    this.sockets.push(socket);
    return socket;
  };

  get latest(): FakeSocket {
    const socket = this.sockets.at(-1);
    if (!socket) throw new Error('FakeSocketServer: no socket opened yet');
    return socket;
  }
}

interface FakeRun {
  lease: TaskLease;
  source: string;
  hooks: TaskHooks;
  resolve(outputs: unknown[]): void;
  reject(error: unknown): void;
}

/** A task executor whose runs the test ends by hand. */
export class FakeExecutor implements TaskExecutor {
  readonly runs = new Map<string, FakeRun>();
  readonly aborted: string[] = [];

  run(lease: TaskLease, source: string, hooks: TaskHooks): Promise<unknown[]> {
    return new Promise((resolve, reject) => this.runs.set(lease.leaseId, { lease, source, hooks, resolve, reject }));
  }

  abort(leaseId: string): void {
    this.aborted.push(leaseId);
    this.runOf(leaseId).reject(new TaskAbortedError(`aborted ${leaseId}`));
  }

  runOf(leaseId: string): FakeRun {
    const run = this.runs.get(leaseId);
    if (!run) throw new Error(`FakeExecutor: ${leaseId} was never run`);
    return run;
  }
}

/** A `lease` message for tests. */
export function leaseMessage(leaseId: string, overrides: Partial<TaskLease> = {}): TaskLease {
  return {
    type: 'lease',
    leaseId,
    jobId: 'job-1',
    jobName: 'squares',
    taskIndex: 0,
    attempt: 1,
    code: 'a'.repeat(64),
    input: { kind: 'items', firstItem: 0, items: [1, 2] },
    ...overrides,
  };
}

/**
 * What `promise` rejected with; throws when it resolved instead.
 * @example expect((await rejection(comm.recv(1))).name).toBe('PeerLostError');
 */
export async function rejection<E extends Error = Error>(promise: Promise<unknown>): Promise<E> {
  try {
    await promise;
  } catch (error) {
    return error as E;
  }
  throw new Error('expected a rejection');
}

export { BLOB_SCENARIO_CAP, STORE_SCENARIOS, blobCacheScenario, testLease } from './store/scenarios.js';
export { expectedReduction, firstMismatch, rankValues } from './comm/test-pattern.js';
