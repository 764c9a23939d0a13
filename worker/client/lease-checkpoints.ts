import type { CheckpointAck } from '../../shared/index.js';
import type { WorkerMessageInput } from '../../shared/index.js';


/** A `checkpoint` message to the coordinator. */
export type CheckpointMessage = Extract<WorkerMessageInput, { type: 'checkpoint' }>;

interface PendingCheckpoint {
  message: CheckpointMessage;
  resolve(ack: CheckpointAck): void;
}

interface LeaseCheckpointState {
  nextSeq: number;
  /** Unanswered checkpoints, oldest first. */
  pending: PendingCheckpoint[];
}

/**
 * The checkpoints of the leases this worker runs: numbered per lease (`seq`), each waiting for
 * its `checkpointed` answer. They stay pending while the worker is disconnected; once it is
 * welcomed back, the latest one of each kept lease is sent again (see {@link latest}).
 * @example
 * const { message, answer } = checkpoints.add('l-1', { items: { done: 3, outputs } });
 * if (message && connected) send(message);
 * // later, on `checkpointed { leaseId: 'l-1', seq: 1, status: 'stored' }`:
 * checkpoints.answer('l-1', 1, { status: 'stored' }); // `answer` resolves
 */
export class LeaseCheckpoints {
  readonly #leases = new Map<string, LeaseCheckpointState>();

  /**
   * Numbers a new checkpoint of `leaseId`; answers its message (to send now or after a
   * reconnect) and the promise of its answer. State that cannot travel as JSON is refused here.
   */
  add(leaseId: string, state: unknown): { message: CheckpointMessage | undefined; answer: Promise<CheckpointAck> } {
    const unsendable = unsendableReason(state);
    if (unsendable !== undefined) {
      return { message: undefined, answer: Promise.resolve({ status: 'refused', reason: `the checkpoint is not JSON: ${unsendable}` }) };
    }
    let lease = this.#leases.get(leaseId);
    if (!lease) this.#leases.set(leaseId, (lease = { nextSeq: 1, pending: [] }));
    const message: CheckpointMessage = { type: 'checkpoint', leaseId, seq: lease.nextSeq++, state };
    const pending = lease.pending;
    const answer = new Promise<CheckpointAck>((resolve) => pending.push({ message, resolve }));
    return { message, answer };
  }

  /** The latest unanswered checkpoint of `leaseId`: the one to send again after a reconnect. */
  latest(leaseId: string): CheckpointMessage | undefined {
    return this.#leases.get(leaseId)?.pending.at(-1)?.message;
  }

  /**
   * Settles checkpoint `seq` of `leaseId` with the coordinator's answer, and the older ones
   * still pending with it too: they were superseded by it while the worker was offline.
   * Answers whether any checkpoint was waiting for it.
   */
  answer(leaseId: string, seq: number, ack: CheckpointAck): boolean {
    const lease = this.#leases.get(leaseId);
    if (!lease) return false;
    const settled = lease.pending.filter((pending) => pending.message.seq <= seq);
    lease.pending = lease.pending.filter((pending) => pending.message.seq > seq);
    for (const pending of settled) pending.resolve(ack);
    return settled.length > 0;
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

/**
 * Why `state` cannot travel as JSON, or undefined when it can.
 * @example unsendableReason({ big: 1n }) // 'Do not know how to serialize a BigInt'
 */
export function unsendableReason(state: unknown): string | undefined {
  try {
    JSON.stringify(state);
    return undefined;
  } catch (error) {
    return error instanceof Error ? error.message : String(error);
  }
}
