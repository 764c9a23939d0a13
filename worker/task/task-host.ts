import type { CheckpointAck, ContextExtras, TaskFunction } from '../../shared/index.js';
import type { BlobReader } from '../client/blob-reader.js';
import { DutyCycle } from '../duty-cycle.js';
import { BlobFetchError, describeFailure, TaskCodeError, type TaskFailure } from '../errors.js';
import { PendingAnswers } from './pending-answers.js';
import type { TaskPorts } from './task-attempt.js';
import { blobBytes, RecentBlobs, WasmModules } from './task-blobs.js';


import { taskComm } from './task-comm.js';
import { runTask, taskFunctionOf, type TaskOutcome } from './task-runner.js';
import { mayUseTensor, TaskTensors, type TensorProvider } from './task-tensor.js';
import { readMessage, TaskWorkerRequest, type ReadMessage, type TaskWorkerReply } from './task-worker-messages.js';
import { Throttle, systemTimers, type Timers } from '../timers.js';

/** Imports ES module source text: through a `blob:` URL in browsers, a `data:` URL under Node. */
export type ModuleImporter = (source: string) => Promise<unknown>;

/** What a {@link TaskHost} runs in. */
export interface TaskHostOptions {
  /** Posts a reply to the executor (`postMessage` of the worker's scope or `parentPort`). */
  post(reply: TaskWorkerReply): void;
  importModule: ModuleImporter;
  /** More members for `ctx` in this environment. */
  extras?: ContextExtras;
  /**
   * Where `ctx.tensor` comes from (see `TaskTensors`): the backend chosen at join in a tab, the
   * CPU reference under Node.
   * @default none: `ctx.tensor` is undefined
   */
  tensor?: TensorProvider;
  /**
   * Least time between two progress replies of one task.
   * @default 100
   */
  progressIntervalMs?: number;
  /** @default systemTimers */
  timers?: Timers;
  /**
   * Told of a malformed request that names no lease (one that names a lease is answered in that
   * lease's log, or its failure).
   * @default console.warn
   */
  warn?(message: string): void;
}

type BlobAnswer = { bytes: Uint8Array } | { error: TaskFailure };
type RunRequest = Extract<TaskWorkerRequest, { type: 'run' }>;

/**
 * The isolated side of an executor (a Web Worker, a Node worker thread): it loads task modules
 * (once per SHA-256), runs leases with the task runtime and turns their logs, progress,
 * checkpoints and outcome into replies; a checkpoint's promise waits for its `checkpointed`.
 * `ctx.wasm` and `ctx.blob` ask the executor for blobs (which answers from its blob cache);
 * compiled WebAssembly modules, and whole blobs read for ranged `ctx.blob` reads, are kept here
 * for the next tasks. `ctx.tensor` is lent by the `tensor` provider to each task that reads it
 * and freed when the task ends. Between items it idles as the run's `cpuShare` asks.
 * @example
 * const host = new TaskHost({ post: (reply) => parentPort.postMessage(reply), importModule: (source) => import(dataUrl(source)) });
 * parentPort.on('message', (request) => host.receive(request));
 */
export class TaskHost {
  readonly #modules = new Map<string, Promise<TaskFunction>>();
  readonly #wasm = new WasmModules();
  readonly #recentBlobs = new RecentBlobs();
  readonly #checkpoints = new PendingAnswers<CheckpointAck>(() => ({ status: 'ignored', reason: 'the task ended' }));
  readonly #blobs = new PendingAnswers<BlobAnswer>(() => ({ error: { message: 'the task ended' } }));
  /** Requests the Content Security Policy refused, per running lease. */
  readonly #violations = new Map<string, string[]>();

  constructor(private readonly options: TaskHostOptions) {}

  /**
   * Takes a message from the executor, checked against {@link TaskWorkerRequest} first. A
   * malformed one is not acted on: a `run` is answered as a failed task, others are logged to
   * their lease, or told to `warn` when they name none.
   */
  receive(data: unknown): void {
    const read = readMessage(TaskWorkerRequest, data);
    if (!read.ok) {
      this.#refuse(read);
      return;
    }
    const request = read.message;
    switch (request.type) {
      case 'run':
        void this.#run(request);
        return;
      case 'checkpointed':
        this.#checkpoints.answer(request.id, request.ack);
        return;
      case 'blob':
        this.#blobs.answer(request.id, { bytes: request.bytes });
        return;
      case 'blob-failed':
        this.#blobs.answer(request.id, { error: request.error });
        return;
    }
  }

  #refuse(read: Extract<ReadMessage<TaskWorkerRequest>, { ok: false }>): void {
    const message = `the task's worker ignored a malformed ${read.type === undefined ? 'message' : `'${read.type}' message`}: ${read.reason}`;
    const { leaseId } = read;
    if (leaseId === undefined) (this.options.warn ?? ((line: string) => console.warn(line)))(message);
    // Nothing else would end a run that never started.
    else if (read.type === 'run') this.#post({ type: 'done', leaseId, outcome: { ok: false, error: { message } } });
    else this.#post({ type: 'log', leaseId, level: 'error', message });
  }

  /**
   * The environment refused a request of task code (a `securitypolicyviolation` event): the
   * running tasks log it, and a task that fails says it was blocked.
   * @example host.noteBlocked("fetch of https://example.com/ (connect-src)")
   */
  noteBlocked(what: string): void {
    for (const [leaseId, blocked] of this.#violations) {
      blocked.push(what);
      this.#post({ type: 'log', leaseId, level: 'warn', message: `blocked by the Content Security Policy: ${what}` });
    }
  }

  async #run(request: RunRequest): Promise<void> {
    const { lease, source } = request;
    const { leaseId } = lease;
    const progress = new Throttle(this.options.progressIntervalMs ?? 100, (fraction: number) =>
      this.#post({ type: 'progress', leaseId, fraction }),
    );
    this.#violations.set(leaseId, []);
    let outcome: TaskOutcome;
    // One heavy task at a time may take every thread: a gang member, or a job that asks.
    const threads = lease.gang !== undefined || lease.tensorThreads === true;
    const tensors = this.options.tensor ? new TaskTensors(this.options.tensor, { threads }) : undefined;
    const gang = request.comm ? taskComm(request.comm, tensors ? () => tensors.core : undefined) : undefined;
    try {
      const fn = await this.#load(lease.code, source);
      const readBlob = this.#blobReader(leaseId);
      const blob = blobBytes(readBlob, this.#recentBlobs.reader(readBlob));
      const extras: ContextExtras = { ...this.options.extras, ...gang?.extras, wasm: this.#wasm.instantiator(readBlob), blob };
      // Instant unless the tab is still choosing its backend (at join) or replacing a lost one.
      if (mayUseTensor(source)) await this.options.tensor?.ready({ threads });
      const run = { lease, ports: this.#ports(request, progress), extras: tensors ? tensors.extras(extras) : extras };
      outcome = await runTask(tensors ? tensors.guard(fn) : fn, run);
    } catch (error) {
      outcome = { ok: false, error: describeFailure(error) };
    } finally {
      gang?.close();
      tensors?.end();
    }
    progress.cancel();
    this.#checkpoints.drop(leaseId);
    this.#blobs.drop(leaseId);
    if (!outcome.ok) outcome = { ok: false, error: await this.#withBlockedNote(leaseId, outcome.error) };
    this.#violations.delete(leaseId);
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

  #ports(request: RunRequest, progress: Throttle<number>): TaskPorts {
    const { leaseId } = request.lease;
    const cycle = new DutyCycle(request.cpuShare ?? 1, this.options.timers ?? systemTimers);
    // A gang's members log to one job: each line says whose it is, as in the local runner.
    const rank = request.comm ? `[rank ${request.comm.rank}] ` : '';
    return {
      log: (level, message) => this.#post({ type: 'log', leaseId, level, message: rank + message }),
      progress: (fraction) => progress.push(fraction),
      checkpoint: (envelope) => {
        const { id, answer } = this.#checkpoints.ask(leaseId);
        try {
          this.#post({ type: 'checkpoint', leaseId, id, envelope });
        } catch (error) {
          this.#checkpoints.answer(id, { status: 'refused', reason: `the checkpoint cannot be copied: ${describeFailure(error).message}` });
        }
        return answer;
      },
      readShard: () => this.#askBytes(leaseId, (id) => ({ type: 'shard', leaseId, id })),
      pace: async () => {
        const ms = await cycle.pace();
        if (ms > 0) this.#post({ type: 'idle', leaseId, ms });
      },
    };
  }

  /** Blobs for `ctx.wasm` and `ctx.blob`, asked of the executor (and its blob cache). */
  #blobReader(leaseId: string): BlobReader {
    return (sha256) => this.#askBytes(leaseId, (id) => ({ type: 'blob', leaseId, id, sha256 }));
  }

  /** Asks the executor for bytes (a blob, the task's shard) and waits for its answer. */
  async #askBytes(leaseId: string, request: (id: number) => TaskWorkerReply): Promise<Uint8Array> {
    const { id, answer } = this.#blobs.ask(leaseId);
    this.#post(request(id));
    const answered = await answer;
    if ('bytes' in answered) return answered.bytes;
    throw new BlobFetchError(answered.error.message);
  }

  /**
   * A failure with what the policy blocked during the task added: the error task code sees
   * (`TypeError: Failed to fetch`) does not say why. The violation event comes a moment after
   * the failed request, so it is waited for once.
   */
  async #withBlockedNote(leaseId: string, failure: TaskFailure): Promise<TaskFailure> {
    await new Promise<void>((resolve) => (this.options.timers ?? systemTimers).setTimeout(resolve, 0));
    const blocked = this.#violations.get(leaseId) ?? [];
    if (blocked.length === 0) return failure;
    const note = `blocked by the Content Security Policy (task code reaches no network: its input, ctx.blob and ctx.wasm bring what it needs): ${blocked.join('; ')}`;
    return { ...failure, message: `${failure.message} (${note})` };
  }

  #postOutcome(leaseId: string, outcome: TaskOutcome): void {
    try {
      this.#post({ type: 'done', leaseId, outcome });
    } catch (error) {
      // Outputs that cannot be cloned (functions, host objects) fail the task.
      const message = `task outputs cannot leave the task's worker: ${describeFailure(error).message}`;
      this.#post({ type: 'done', leaseId, outcome: { ok: false, error: { message } } });
    }
  }

  #post(reply: TaskWorkerReply): void {
    this.options.post(reply);
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

