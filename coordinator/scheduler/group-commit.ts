import { SILENT_LOG, type Logger } from '../log.js';
import type { Store, StoreChange } from '../store/index.js';

/**
 * Group commit: the changes the scheduler makes in one turn of the event loop (every transition
 * that the socket messages read in that turn caused) are written in one store transaction, after
 * the turn ends; `committed()` resolves once they are durable, so an answer is sent only after
 * its commit. Batches commit one at a time, in order.
 *
 * A transition adds all its changes without awaiting anything between them, so they always land
 * in the same transaction: the store never holds half of one.
 */
export class GroupCommit {
  private pending: StoreChange[] = [];
  /** Told each change's answer (the ids of the rows it added) once it is committed. */
  private onCommitted: Array<((ids: number[]) => void) | undefined> = [];
  /** Told once `pending` is committed, after `onCommitted` (see `afterCommit`). */
  private waiting: Array<() => void> = [];
  /** The commit of `pending`, once something is pending. */
  private next: Promise<void> | undefined;
  /** The last commit started; the next waits for it. */
  private last: Promise<void> = Promise.resolve();
  /** Called as each batch is closed, to add what was held back for a later batch (see `LogBuffer`). */
  private readonly closing: (() => void)[] = [];

  constructor(
    private readonly store: Store,
    private readonly log: Logger = SILENT_LOG,
  ) {}

  /** Adds a change to the next commit; `then` is told the ids of the rows it added once committed. */
  add(change: StoreChange, then?: (ids: number[]) => void): void {
    this.pending.push(change);
    this.onCommitted.push(then);
    this.next ??= this.schedule();
  }

  /** Calls `hook` as each batch is closed: changes it adds then go in that batch. */
  onClosing(hook: () => void): void {
    this.closing.push(hook);
  }

  /** Resolves when every change added so far is committed; rejects if its batch failed. */
  committed(): Promise<void> {
    return this.next ?? this.last;
  }

  /**
   * Calls `then` once every change added so far is committed: callbacks run in the order they
   * were asked for, those of one batch in one go (the answers of one commit leave together).
   * Resolves after `then` ran; rejects, without calling it, if the batch failed.
   */
  afterCommit(then: () => void): Promise<void> {
    if (!this.next) return this.last.then(then);
    return new Promise((resolve, reject) => {
      this.waiting.push(() => {
        try {
          then();
          resolve();
        } catch (error) {
          reject(error instanceof Error ? error : new Error(String(error)));
        }
      });
      this.next!.catch(reject);
    });
  }

  private schedule(): Promise<void> {
    const turnEnded = new Promise<void>((resolve) => setImmediate(resolve));
    const previous = this.last.catch(() => undefined);
    const commit = Promise.all([turnEnded, previous]).then(async () => {
      for (const hook of this.closing) hook();
      const batch = this.pending;
      const callbacks = this.onCommitted;
      const waiting = this.waiting;
      this.pending = [];
      this.onCommitted = [];
      this.waiting = [];
      this.next = undefined;
      this.last = commit;
      const answers = await this.store.write(batch);
      callbacks.forEach((then, index) => then?.(answers[index] ?? []));
      for (const then of waiting) then();
    });
    // A failed batch is reported to those awaiting it; nobody awaiting must not crash the process.
    commit.catch((error: unknown) => this.log.error({ err: error }, 'could not commit scheduler changes'));
    return commit;
  }
}
