import { BlobFetchError, describeFailure, TaskCodeError } from './errors.js';
import { httpShardReader, type BlobAccess, type ShardReader } from './shard-reader.js';
import type { TaskPorts } from './task-attempt.js';
import type { CheckpointAck } from './task-checkpoint.js';
import type { ContextExtras, TaskFunction } from './task-context.js';
import { runTask, taskFunctionOf, type TaskOutcome } from './task-runner.js';
import type { TaskWorkerReply, TaskWorkerRequest } from './task-worker-messages.js';
import { Throttle } from './timers.js';

/** Imports ES module source text: through a `blob:` URL in browsers, a `data:` URL under Node. */
export type ModuleImporter = (source: string) => Promise<unknown>;

/** What a {@link TaskHost} runs in. */
export interface TaskHostOptions {
  /** Posts a reply to the executor (`postMessage` of the worker's scope or `parentPort`). */
  post(reply: TaskWorkerReply): void;
  importModule: ModuleImporter;
  /** More members for `ctx` in this environment (e.g. `{ tensor }`). */
  extras?: ContextExtras;
  /**
   * Least time between two progress replies of one task.
   * @default 100
   */
  progressIntervalMs?: number;
}

interface PendingCheckpoint {
  leaseId: string;
  resolve(ack: CheckpointAck): void;
}

/**
 * The isolated side of an executor (a Web Worker, a Node worker thread): it loads task modules
 * (once per SHA-256), runs leases with the task runtime and turns their logs, progress,
 * checkpoints and outcome into replies; a checkpoint's promise waits for its `checkpointed`.
 * @example
 * const host = new TaskHost({ post: (reply) => parentPort.postMessage(reply), importModule: (source) => import(dataUrl(source)) });
 * parentPort.on('message', (request) => host.receive(request));
 */
export class TaskHost {
  readonly #modules = new Map<string, Promise<TaskFunction>>();
  readonly #checkpoints = new Map<number, PendingCheckpoint>();
  #nextCheckpointId = 1;

  constructor(private readonly options: TaskHostOptions) {}

  receive(request: TaskWorkerRequest): void {
    if (request.type === 'run') {
      void this.#run(request);
      return;
    }
    const pending = this.#checkpoints.get(request.id);
    this.#checkpoints.delete(request.id);
    pending?.resolve(request.ack);
  }

  async #run(request: Extract<TaskWorkerRequest, { type: 'run' }>): Promise<void> {
    const { lease, source, blobs } = request;
    const { leaseId } = lease;
    const progress = new Throttle(this.options.progressIntervalMs ?? 100, (fraction: number) =>
      this.options.post({ type: 'progress', leaseId, fraction }),
    );
    let outcome: TaskOutcome;
    try {
      const fn = await this.#load(lease.code, source);
      const run = { lease, ports: this.#ports(leaseId, progress, blobs) };
      outcome = await runTask(fn, this.options.extras ? { ...run, extras: this.options.extras } : run);
    } catch (error) {
      outcome = { ok: false, error: describeFailure(error) };
    }
    progress.cancel();
    this.#dropCheckpoints(leaseId);
    this.#postOutcome(leaseId, outcome);
  }

  #load(sha256: string, source: string): Promise<TaskFunction> {
    let loaded = this.#modules.get(sha256);
    if (!loaded) {
      loaded = loadTaskFunction(this.options.importModule, source);
      this.#modules.set(sha256, loaded);
      loaded.catch(() => this.#modules.delete(sha256));
    }
    return loaded;
  }

  #ports(leaseId: string, progress: Throttle<number>, blobs: BlobAccess | undefined): TaskPorts {
    const post = (reply: TaskWorkerReply): void => this.options.post(reply);
    return {
      log: (level, message) => post({ type: 'log', leaseId, level, message }),
      progress: (fraction) => progress.push(fraction),
      checkpoint: (envelope) =>
        new Promise((resolve) => {
          const id = this.#nextCheckpointId++;
          this.#checkpoints.set(id, { leaseId, resolve });
          try {
            post({ type: 'checkpoint', leaseId, id, envelope });
          } catch (error) {
            this.#checkpoints.delete(id);
            resolve({ status: 'refused', reason: `the checkpoint cannot be copied: ${describeFailure(error).message}` });
          }
        }),
      readShard: blobs ? httpShardReader(blobs) : noBlobAccess,
    };
  }

  /** Checkpoints still unanswered when their task ended: nobody waits for them any more. */
  #dropCheckpoints(leaseId: string): void {
    for (const [id, pending] of this.#checkpoints) {
      if (pending.leaseId !== leaseId) continue;
      this.#checkpoints.delete(id);
      pending.resolve({ status: 'ignored', reason: 'the task ended' });
    }
  }

  #postOutcome(leaseId: string, outcome: TaskOutcome): void {
    try {
      this.options.post({ type: 'done', leaseId, outcome });
    } catch (error) {
      // Outputs that cannot be cloned (functions, host objects) fail the task.
      const message = `task outputs cannot leave the task's worker: ${describeFailure(error).message}`;
      this.options.post({ type: 'done', leaseId, outcome: { ok: false, error: { message } } });
    }
  }
}

/**
 * Imports module source and answers its default export.
 * @throws {TaskCodeError} when the module does not load or has no default export that is a function
 */
export async function loadTaskFunction(importModule: ModuleImporter, source: string): Promise<TaskFunction> {
  let module: unknown;
  try {
    module = await importModule(source);
  } catch (cause) {
    throw new TaskCodeError(`task code did not load: ${describeFailure(cause).message}`, { cause });
  }
  return taskFunctionOf(module);
}

const noBlobAccess: ShardReader = (shard) =>
  Promise.reject(new BlobFetchError(`this worker cannot download blob ${shard.blob}: it was started without blob access`));
