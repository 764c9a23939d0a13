import type { TaskReport } from './messages.js';
import type { OutboxEntry, WorkerStore } from '../store/store.js';

interface HeldReport {
  report: TaskReport;
  /** Settles once the report is in the store (or the store failed): only then may it be sent. */
  stored: Promise<void>;
  /** The connection it was last sent on: each report goes out once per connection. */
  sentOn: number;
}

/** What a {@link ReportOutbox} needs from its client. */
export interface ReportOutboxPorts {
  store: WorkerStore;
  /** The current connection's number, or undefined while not welcomed. */
  connection(): number | undefined;
  /** Sends on the socket; answers whether it did. */
  send(report: TaskReport): boolean;
  /** A store write failed for a reason the store did not handle. */
  warn(message: string): void;
}

/**
 * Finished tasks' reports until the coordinator acknowledges them. Each is written to the store
 * first and sent after (once per connection), so a report never reaches the coordinator that a
 * reload could lose; it leaves the store only on its `ack`.
 * @example
 * outbox.add(leaseId, report); // stored, then sent if connected
 * outbox.sendAll();            // after a welcome
 * outbox.acknowledge(leaseId); // on `ack`
 */
export class ReportOutbox {
  readonly #reports = new Map<string, HeldReport>();

  constructor(private readonly ports: ReportOutboxPorts) {}

  get size(): number {
    return this.#reports.size;
  }

  has(leaseId: string): boolean {
    return this.#reports.has(leaseId);
  }

  leaseIds(): string[] {
    return [...this.#reports.keys()];
  }

  /** Reports a previous page kept: they are in the store already. */
  restore(entries: readonly OutboxEntry[]): void {
    for (const { leaseId, report } of entries) this.#reports.set(leaseId, { report, stored: Promise.resolve(), sentOn: -1 });
  }

  /** Keeps a finished task's report, then sends it if connected. */
  add(leaseId: string, report: TaskReport): void {
    const stored = this.ports.store.finishLease(leaseId, report).catch((error: unknown) => {
      this.ports.warn(`could not keep the report of ${leaseId}: ${String(error)}`);
    });
    const held: HeldReport = { report, stored, sentOn: -1 };
    this.#reports.set(leaseId, held);
    this.#sendWhenStored(leaseId, held);
  }

  /** Sends every report not yet sent on this connection (after a welcome). */
  sendAll(): void {
    for (const [leaseId, held] of this.#reports) this.#sendWhenStored(leaseId, held);
  }

  /** The coordinator acknowledged `leaseId`: forgets its report and answers it. */
  acknowledge(leaseId: string): TaskReport | undefined {
    const held = this.#reports.get(leaseId);
    this.#reports.delete(leaseId);
    void this.#storeStep(`forget the report of ${leaseId}`, () => this.ports.store.acknowledge(leaseId));
    return held?.report;
  }

  /** Forgets the in-memory reports (the worker stopped); the store keeps them for a later run. */
  clear(): void {
    this.#reports.clear();
  }

  #sendWhenStored(leaseId: string, held: HeldReport): void {
    void held.stored.then(() => {
      const connection = this.ports.connection();
      if (this.#reports.get(leaseId) !== held || connection === undefined || held.sentOn === connection) return;
      if (this.ports.send(held.report)) held.sentOn = connection;
    });
  }

  async #storeStep(what: string, step: () => Promise<void>): Promise<void> {
    try {
      await step();
    } catch (error) {
      this.ports.warn(`could not ${what}: ${String(error)}`);
    }
  }
}
