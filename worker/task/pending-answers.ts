interface Pending<T> {
  leaseId: string;
  resolve(answer: T): void;
}

/**
 * Questions a task runtime asked across a message channel (a checkpoint to store, a blob to
 * fetch), by id, until their answers arrive; those of a task that ended get `onDrop`'s answer.
 * @example
 * const checkpoints = new PendingAnswers<CheckpointAck>(() => ({ status: 'ignored', reason: 'the task ended' }));
 * const { id, answer } = checkpoints.ask('l-1');
 * post({ type: 'checkpoint', leaseId: 'l-1', id, envelope });
 * // when `checkpointed` comes back:
 * checkpoints.answer(id, ack);
 */
export class PendingAnswers<T> {
  readonly #pending = new Map<number, Pending<T>>();
  #nextId = 1;

  constructor(private readonly onDrop: () => T) {}

  ask(leaseId: string): { id: number; answer: Promise<T> } {
    const id = this.#nextId++;
    const answer = new Promise<T>((resolve) => this.#pending.set(id, { leaseId, resolve }));
    return { id, answer };
  }

  answer(id: number, answer: T): void {
    const pending = this.#pending.get(id);
    this.#pending.delete(id);
    pending?.resolve(answer);
  }

  /** Answers every question of `leaseId` with `onDrop()`: nobody waits for them any more. */
  drop(leaseId: string): void {
    for (const [id, pending] of this.#pending) {
      if (pending.leaseId !== leaseId) continue;
      this.#pending.delete(id);
      pending.resolve(this.onDrop());
    }
  }
}
