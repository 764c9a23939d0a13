import type { CheckpointAck } from '../../shared/index.js';
import type { WorkerMessageInput } from '../../shared/index.js';


/** A `checkpoint` message to the coordinator. */
export type CheckpointMessage = Extract<WorkerMessageInput, { type: 'checkpoint' }>;

interface PendingCheckpoint {
  message: CheckpointMessage;
  /** In the store: it may be sent (a checkpoint is written before it is sent). */
  written: boolean;
  resolve(ack: CheckpointAck): void;
}

interface LeaseCheckpointState {
  nextSeq: number;
  /** Unanswered checkpoints, oldest first. */
  pending: PendingCheckpoint[];
  /**
   * The checkpoint the coordinator holds for the task, as far as this worker knows: the last one
   * it answered `stored`, else the one the lease came with (undefined for none).
   */
  stored: unknown;
}

/** What an answer settled, and what the store must hold again after a refusal. */
export interface CheckpointAnswer {
  /** Whether any checkpoint was waiting for this answer. */
  settled: boolean;
  /**
   * Present when the refused checkpoint is the newest one the store holds: the store goes back to
   * `stored.checkpoint`, the one the coordinator has (undefined: none), so that a reload does not
   * resume from a state the coordinator refused.
   */
  restore?: { checkpoint: unknown };
}

/**
 * The checkpoints of the leases this worker runs: numbered per lease (`seq`), each written to
 * the store, then sent, then waiting for its `checkpointed` answer. They stay pending while the
 * worker is disconnected; once it is welcomed back, the latest one of each kept lease is sent
 * again (see {@link latest}). It remembers which checkpoint the coordinator last stored, so that
 * a refused one can be taken back from the store (see {@link answer}).
 * @example
 * checkpoints.begin('l-1', lease.restored);
 * const { seq, answer } = checkpoints.add('l-1', { items: { done: 3, outputs } });
 * await store.saveCheckpoint('l-1', state);
 * const message = checkpoints.written('l-1', seq);
 * if (message && connected) send(message);
 * // later, on `checkpointed { leaseId: 'l-1', seq: 1, status: 'refused' }`:
 * const { restore } = checkpoints.answer('l-1', 1, { status: 'refused' }); // `answer` resolves
 * if (restore) await store.saveCheckpoint('l-1', restore.checkpoint);
 */
export class LeaseCheckpoints {
  readonly #leases = new Map<string, LeaseCheckpointState>();

  /**
   * A lease starts running here, and the coordinator holds `stored` for its task (its
   * `restored`, as the coordinator leased it; undefined for none).
   */
  begin(leaseId: string, stored: unknown): void {
    this.drop(leaseId, 'the task started again');
    this.#leases.set(leaseId, { nextSeq: 1, pending: [], stored });
  }

  /**
   * Numbers a new checkpoint of `leaseId`: it waits for {@link written} before it may be sent,
   * and for its answer, which the promise resolves.
   */
  add(leaseId: string, state: unknown): { seq: number; answer: Promise<CheckpointAck> } {
    let lease = this.#leases.get(leaseId);
    if (!lease) this.#leases.set(leaseId, (lease = { nextSeq: 1, pending: [], stored: undefined }));
    const message: CheckpointMessage = { type: 'checkpoint', leaseId, seq: lease.nextSeq++, state };
    const pending = lease.pending;
    const answer = new Promise<CheckpointAck>((resolve) => pending.push({ message, written: false, resolve }));
    return { seq: message.seq, answer };
  }

  /**
   * Checkpoint `seq` of `leaseId` is in the store: answers its message to send, or undefined when
   * it no longer waits (answered with a newer one, or its task ended).
   */
  written(leaseId: string, seq: number): CheckpointMessage | undefined {
    const pending = this.#leases.get(leaseId)?.pending.find((candidate) => candidate.message.seq === seq);
    if (!pending) return undefined;
    pending.written = true;
    return pending.message;
  }

  /** The latest unanswered checkpoint of `leaseId` in the store: the one to send again after a reconnect. */
  latest(leaseId: string): CheckpointMessage | undefined {
    return this.#leases.get(leaseId)?.pending.findLast((pending) => pending.written)?.message;
  }

  /**
   * Settles checkpoint `seq` of `leaseId` with the coordinator's answer, and the older ones
   * still pending with it too: they were superseded by it while the worker was offline.
   */
  answer(leaseId: string, seq: number, ack: CheckpointAck): CheckpointAnswer {
    const lease = this.#leases.get(leaseId);
    if (!lease) return { settled: false };
    const settled = lease.pending.filter((pending) => pending.message.seq <= seq);
    lease.pending = lease.pending.filter((pending) => pending.message.seq > seq);
    for (const pending of settled) pending.resolve(ack);
    const answered = settled.find((pending) => pending.message.seq === seq);
    if (answered && ack.status === 'stored') lease.stored = answered.message.state;
    // A newer checkpoint still waiting is in the store (or soon will be): it stays there.
    if (answered && ack.status === 'refused' && lease.pending.length === 0) return { settled: true, restore: { checkpoint: lease.stored } };
    return { settled: settled.length > 0 };
  }

  /** Forgets a lease's checkpoints (its task ended or was stopped), answering pending ones `ignored`. */
  drop(leaseId: string, reason: string): void {
    const lease = this.#leases.get(leaseId);
    this.#leases.delete(leaseId);
    for (const pending of lease?.pending ?? []) pending.resolve({ status: 'ignored', reason });
  }

  dropAll(reason: string): void {
    for (const leaseId of [...this.#leases.keys()]) this.drop(leaseId, reason);
  }
}
