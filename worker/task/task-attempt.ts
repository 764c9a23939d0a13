import { CheckpointStateError, checkpointStateProblem } from '../../shared/index.js';
import type { CheckpointAck, CheckpointEnvelope, ContextExtras, Predecessor, TaskContext, TaskInfo } from '../../shared/index.js';
import type { LogLevel, TaskLease } from '../../shared/index.js';
import { describeFailure } from '../errors.js';
import { formatLogArgs } from './log-format.js';
import type { BlobShard, ShardReader } from './shard-reader.js';

import { createTaskContext } from './task-context.js';
import { describeEnvelope } from './task-describe.js';

/**
 * What the runtime needs from the environment it runs in: where logs, progress and
 * checkpoints go, and how a blob shard's bytes are read.
 */
export interface TaskPorts {
  log(level: LogLevel, message: string): void;
  /** Progress of the whole task, from 0 to 1. */
  progress(fraction: number): void;
  /** Sends a checkpoint; resolves the coordinator's answer (it never rejects). */
  checkpoint(envelope: CheckpointEnvelope): Promise<CheckpointAck>;
  readShard: ShardReader;
  /**
   * Called between the items of an items task: idles as long as the worker's CPU limit asks.
   * @default none: items follow each other at once
   */
  pace?(): Promise<void>;
}

/** The parts of one call's `ctx` that the task runner decides. */
export interface CallPlace {
  itemIndex?: number;
  predecessors: readonly Predecessor[];
  /** Maps the call's own progress (0..1) to the whole task's. */
  scaleProgress(fraction: number): number;
}

/**
 * One attempt at a task while it runs: its `ctx` members, its checkpoint envelope (items done,
 * last user state) and the end after which calls from task code are ignored.
 */
export class TaskAttempt {
  #finished = false;
  /** The last user state passed to `ctx.checkpoint` (or restored): what checkpoints carry. */
  #user: { state: unknown } | undefined;
  /** The last user state the coordinator stored: what a refused one falls back to. */
  #storedUser: { state: unknown } | undefined;
  #items: unknown[] | undefined;
  #warnedProgressRefused = false;

  constructor(
    readonly lease: TaskLease,
    private readonly ports: TaskPorts,
    private readonly extras: ContextExtras,
    restored: CheckpointEnvelope,
  ) {
    if ('user' in restored) this.#user = this.#storedUser = { state: restored.user };
  }

  /** After this, logs, progress and checkpoints from task code go nowhere. */
  finish(): void {
    this.#finished = true;
  }

  /** Items tasks: the outputs array that checkpoints record (`done` is its length). */
  trackItems(outputs: unknown[]): void {
    this.#items = outputs;
  }

  /** Idles between items, as the environment's CPU limit asks. */
  async pace(): Promise<void> {
    if (!this.#finished) await this.ports.pace?.();
  }

  readShard(shard: BlobShard): Promise<Uint8Array> {
    return this.ports.readShard(shard);
  }

  log(level: LogLevel, message: string): void {
    if (!this.#finished) this.ports.log(level, message);
  }

  /** A `debug` log line, built only for debug leases. */
  debug(message: () => string): void {
    if (this.lease.debug) this.log('debug', message());
  }

  progress(fraction: number): void {
    if (!this.#finished) this.ports.progress(fraction);
  }

  /** The `ctx` for one call of the task function. */
  context(place: CallPlace): TaskContext {
    const { leaseId, jobId, jobName, taskIndex, attempt } = this.lease;
    const task: TaskInfo = { jobId, jobName, taskIndex, attempt, leaseId };
    if (place.itemIndex !== undefined) task.itemIndex = place.itemIndex;
    return createTaskContext(
      {
        task: Object.freeze(task),
        restored: this.#user?.state,
        predecessors: place.predecessors,
        log: (args) => this.log('info', formatLogArgs(args)),
        progress: (fraction) => this.progress(place.scaleProgress(fraction)),
        checkpoint: (state) => this.#saveUserState(state),
      },
      this.extras,
    );
  }

  /** Items tasks, after each item but the last: records how far the task got; resolves with the answer. */
  async saveProgress(): Promise<void> {
    const ack = await this.#send();
    if (ack.status !== 'refused' || this.#warnedProgressRefused) return;
    this.#warnedProgressRefused = true;
    this.log('warn', `checkpoint refused: ${ack.reason ?? 'too large'}; a new attempt would start from the last stored one`);
  }

  /** `ctx.checkpoint`: rejects, saving nothing, a state that would not come back as it went. */
  async #saveUserState(state: unknown): Promise<boolean> {
    if (this.#finished) return false;
    const problem = checkpointStateProblem(state);
    if (problem !== undefined) throw new CheckpointStateError(problem);
    const saved = { state };
    this.#user = saved;
    const ack = await this.#send();
    if (ack.status === 'refused') {
      this.log('warn', `checkpoint refused: ${ack.reason ?? 'too large'}; the task goes on`);
      // As on the coordinator, the last stored state stands: later checkpoints carry it, not this one.
      if (this.#user === saved) this.#user = this.#storedUser;
    }
    return ack.status === 'stored';
  }

  async #send(): Promise<CheckpointAck> {
    const envelope = this.#envelope();
    let ack: CheckpointAck;
    try {
      ack = await this.ports.checkpoint(envelope);
    } catch (error) {
      ack = { status: 'ignored', reason: describeFailure(error).message };
    }
    this.debug(() => `checkpoint (${describeEnvelope(envelope)}) ${ack.status}${ack.reason ? `: ${ack.reason}` : ''}`);
    if (ack.status === 'stored' && 'user' in envelope) this.#storedUser = { state: envelope.user };
    return ack;
  }

  #envelope(): CheckpointEnvelope {
    const envelope: CheckpointEnvelope = {};
    if (this.#items) envelope.items = { done: this.#items.length, outputs: [...this.#items] };
    if (this.#user) envelope.user = this.#user.state;
    return envelope;
  }
}
