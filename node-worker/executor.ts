import { Worker, type Transferable as ThreadTransferable } from 'node:worker_threads';
import type { TaskLease } from '../shared/index.js';
import {
  describeFailure,
  GangMembers,
  IdleRuntimes,
  inProcessGangs,
  peekMessage,
  relayTaskReply,
  runRequest,
  TaskAbortedError,
  TaskFailedError,
  type GangConnector,
  type GangPort,
  type RunSettings,
  type TaskExecutor,
  type TaskHooks,
  type TaskWorkerRequest,
} from '../worker/index.js';

/** Starts a worker thread running `task-thread`. */
export type TaskThreadFactory = () => Worker;

/** How a {@link NodeExecutor} starts its threads and links gang members. */
export interface NodeExecutorOptions {
  /** @default startTaskThread */
  startThread?: TaskThreadFactory;
  /**
   * Opens a gang member's links. A Node worker has no WebRTC: it takes gangs only whole, and
   * their members talk in-process, relayed to each member's thread.
   * @default inProcessGangs()
   */
  joinGang?: GangConnector;
  /** Idle threads kept for their jobs' next tasks; the oldest past it are terminated. @default 4 */
  keepIdle?: number;
}

interface CurrentRun {
  leaseId: string;
  jobId: string;
  hooks: TaskHooks;
  resolve(outputs: unknown[]): void;
  reject(error: Error): void;
}

interface TaskThread {
  worker: Worker;
  current: CurrentRun | undefined;
}

/**
 * Starts the task thread. From the TypeScript sources (tsx, vitest) the thread first registers
 * tsx, for TypeScript and `.js` → `.ts` imports; from the build it starts the `.js` file. The
 * thread gets an empty environment: the process's (`TABGRID_TOKEN` among them) is not task
 * code's to read. (Its `process.argv`, where a join URL may be, is its own already.)
 */
export function startTaskThread(): Worker {
  const here = import.meta.url;
  if (!here.endsWith('.ts')) return new Worker(new URL('./task-thread.js', here), { env: {} });
  const entry = JSON.stringify(new URL('./task-thread.ts', here).href);
  return new Worker(`import('tsx/esm/api').then((tsx) => { tsx.register(); return import(${entry}); });`, { eval: true, env: {} });
}

/**
 * Runs each task in a Node worker thread, one task per thread at a time, with the same task
 * runtime as a browser tab. Aborting terminates the task's thread (whatever its code is doing);
 * finished threads are reused for their job's next tasks (never another job's: see `IdleRuntimes`),
 * so a module already loaded there is not loaded again. Threads do not keep the process alive by
 * themselves.
 * @example
 * const executor = new NodeExecutor();
 * const outputs = await executor.run(lease, source, hooks);
 */
export class NodeExecutor implements TaskExecutor {
  readonly #idle = new IdleRuntimes<TaskThread>(
    () => this.options.keepIdle ?? 4,
    (thread) => void thread.worker.terminate(),
  );
  readonly #busy = new Map<string, TaskThread>();
  readonly #startThread: TaskThreadFactory;
  readonly #gangs: GangMembers;

  constructor(private readonly options: NodeExecutorOptions = {}) {
    this.#startThread = options.startThread ?? startTaskThread;
    this.#gangs = new GangMembers(options.joinGang ?? inProcessGangs());
  }

  run(lease: TaskLease, source: string, hooks: TaskHooks, settings: RunSettings = {}): Promise<unknown[]> {
    if (lease.gang) return this.#gangs.run(lease, (port) => this.#runIn(lease, source, hooks, settings, port));
    return this.#runIn(lease, source, hooks, settings);
  }

  #runIn(lease: TaskLease, source: string, hooks: TaskHooks, settings: RunSettings, gang?: GangPort): Promise<unknown[]> {
    const { leaseId } = lease;
    const thread = this.#idle.take(lease.jobId) ?? this.#start();
    return new Promise<unknown[]>((resolve, reject) => {
      thread.current = { leaseId, jobId: lease.jobId, hooks, resolve, reject };
      this.#busy.set(leaseId, thread);
      const run = runRequest(lease, source, settings, gang);
      thread.worker.postMessage(run.request, run.transfer as unknown as readonly ThreadTransferable[]);
    });
  }

  abort(leaseId: string): void {
    if (this.#gangs.abort(leaseId, new TaskAbortedError(`task ${leaseId} was aborted`))) return;
    const thread = this.#busy.get(leaseId);
    if (!thread) return;
    const current = this.#release(thread);
    void thread.worker.terminate();
    current?.reject(new TaskAbortedError(`task ${leaseId} was aborted`));
  }

  /** Terminates every thread, busy or idle. */
  async close(): Promise<void> {
    const threads = [...this.#busy.values(), ...this.#idle.drain()];
    for (const leaseId of [...this.#busy.keys()]) this.abort(leaseId);
    // Terminating a thread twice is harmless: both promises settle when it has exited.
    await Promise.all(threads.map((thread) => thread.worker.terminate()));
  }

  #start(): TaskThread {
    const worker = this.#startThread();
    worker.unref();
    const thread: TaskThread = { worker, current: undefined };
    worker.on('message', (data: unknown) => this.#receive(thread, data));
    worker.on('error', (error) => this.#lose(thread, `uncaught error in the task's thread: ${describeFailure(error).message}`));
    worker.on('exit', (code) => this.#lose(thread, `the task's thread exited with code ${code}`));
    return thread;
  }

  /** A reply of the thread: checked against its schema by the relay. */
  #receive(thread: TaskThread, data: unknown): void {
    const current = thread.current;
    if (!current || peekMessage(data).leaseId !== current.leaseId) return;
    const outcome = relayTaskReply(data, current.hooks, (request) => this.#post(thread, request));
    if (!outcome) return;
    this.#release(thread);
    this.#idle.put(thread, current.jobId);
    if (outcome.ok) current.resolve(outcome.outputs);
    else current.reject(new TaskFailedError(outcome.error));
  }

  /** The thread died (an uncaught error, or it exited): fail its task and never use it again. */
  #lose(thread: TaskThread, message: string): void {
    this.#idle.remove(thread);
    this.#release(thread)?.reject(new TaskFailedError({ message }));
  }

  #release(thread: TaskThread): CurrentRun | undefined {
    const current = thread.current;
    thread.current = undefined;
    if (current) this.#busy.delete(current.leaseId);
    return current;
  }

  #post(thread: TaskThread, request: TaskWorkerRequest): void {
    thread.worker.postMessage(request);
  }
}
