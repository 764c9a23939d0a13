import type { TaskLease } from '../shared/index.js';
import type { RunSettings, TaskExecutor, TaskHooks } from '../worker/index.js';
import { IdleRuntimes, TaskAbortedError, TaskFailedError } from '../worker/index.js';
import { GangMembers, type GangConnector, type GangPort } from '../worker/index.js';
import { peekMessage, relayTaskReply, runRequest, type TaskWorkerRequest } from '../worker/index.js';

/** Starts a task Web Worker (the default starts `task-worker.ts` as a module worker). */
export type TaskWorkerFactory = () => Worker;

/** How a {@link BrowserExecutor} starts its Web Workers and links gang members. */
export interface BrowserExecutorOptions {
  /** @default createTaskWorker */
  createWorker?: TaskWorkerFactory;
  /**
   * Opens a gang member's links (the page's PeerJS transport: see `peerJsGangs`); without it,
   * gang tasks fail.
   */
  joinGang?: GangConnector;
}

interface BusyWorker {
  worker: Worker;
  reject(error: Error): void;
}

/** Starts the bundled task Web Worker. */
export function createTaskWorker(): Worker {
  return new Worker(new URL('./task-worker.ts', import.meta.url), { type: 'module', name: 'tabgrid task' });
}

/**
 * Runs each task in a dedicated Web Worker, one task per worker at a time. A worker serves one
 * job only (see `IdleRuntimes`): another job's task never runs where this one's code ran.
 * Finished workers wait for their job's next task (its module stays loaded); past `warmUp`'s
 * count the oldest idle ones are terminated. Aborting terminates that worker, whatever the task
 * code is doing.
 * @example
 * const executor = new BrowserExecutor({ joinGang: peerJsGangs(location.origin) });
 * const outputs = await executor.run(lease, source, hooks);
 */
export class BrowserExecutor implements TaskExecutor {
  readonly #idle = new IdleRuntimes<Worker>(
    () => this.#warm,
    (worker) => worker.terminate(),
  );
  readonly #busy = new Map<string, BusyWorker>();
  readonly #gangs: GangMembers;
  readonly #createWorker: TaskWorkerFactory;
  /** Workers kept started (see `warmUp`), and idle ones kept at most. */
  #warm = 0;

  constructor(private readonly options: BrowserExecutorOptions = {}) {
    this.#createWorker = options.createWorker ?? createTaskWorker;
    this.#gangs = new GangMembers(options.joinGang);
  }

  run(lease: TaskLease, source: string, hooks: TaskHooks, settings: RunSettings = {}): Promise<unknown[]> {
    if (lease.gang) return this.#gangs.run(lease, (port) => this.#start(lease, source, hooks, settings, port));
    return this.#start(lease, source, hooks, settings);
  }

  #start(lease: TaskLease, source: string, hooks: TaskHooks, settings: RunSettings, gang?: GangPort): Promise<unknown[]> {
    const { leaseId, jobId } = lease;
    const worker = this.#idle.take(jobId) ?? this.#createWorker();
    const post = (request: TaskWorkerRequest): void => worker.postMessage(request);
    return new Promise<unknown[]>((resolve, reject) => {
      this.#busy.set(leaseId, { worker, reject });
      // Checked against its schema by the relay; `tensor-chosen` (no lease) is the page's.
      worker.onmessage = (event: MessageEvent<unknown>) => {
        if (peekMessage(event.data).leaseId !== leaseId) return;
        const outcome = relayTaskReply(event.data, hooks, post);
        if (!outcome) return;
        this.#busy.delete(leaseId);
        this.#idle.put(worker, jobId);
        if (outcome.ok) resolve(outcome.outputs);
        else reject(new TaskFailedError(outcome.error));
      };
      // An error no task promise caught (a throw in a timer callback) leaves the task
      // unfinishable: fail it and start afresh.
      worker.onerror = (event: ErrorEvent) => {
        event.preventDefault();
        this.#fail(leaseId, `uncaught error in the task's Web Worker: ${event.message || 'unknown error'}`);
      };
      worker.onmessageerror = () => this.#fail(leaseId, "a message from the task's Web Worker could not be read");
      const run = runRequest(lease, source, settings, gang);
      worker.postMessage(run.request, run.transfer);
    });
  }

  /**
   * Starts `count` Web Workers now, so that their scripts are loaded while the page is online (a
   * worker started later, when the network has gone, cannot load and fails its task) and the
   * first measures the tab's tensor backends at once.
   */
  warmUp(count: number): void {
    this.#warm = count;
    while (this.#idle.size + this.#busy.size < count) this.#idle.put(this.#createWorker(), undefined);
  }

  abort(leaseId: string): void {
    const error = new TaskAbortedError(`task ${leaseId} was aborted`);
    this.#gangs.abort(leaseId, error);
    this.#discard(leaseId)?.reject(error);
  }

  /** Terminates every Web Worker, busy or idle. */
  close(): void {
    this.#warm = 0;
    for (const leaseId of [...this.#busy.keys()]) this.abort(leaseId);
    for (const worker of this.#idle.drain()) worker.terminate();
  }

  #fail(leaseId: string, message: string): void {
    this.#discard(leaseId)?.reject(new TaskFailedError({ message }));
  }

  #discard(leaseId: string): BusyWorker | undefined {
    const busy = this.#busy.get(leaseId);
    if (!busy) return undefined;
    this.#busy.delete(leaseId);
    busy.worker.terminate();
    // A replacement starts now, while the network is likely still there.
    if (this.#warm > 0) this.warmUp(this.#warm);
    return busy;
  }
}
