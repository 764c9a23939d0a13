import type { JobFeed } from '../events/index.js';
import type { NewLog, Store } from '../store/index.js';

/** Batches task log lines into one write every `flushMs`, so chatty tasks cost one insert per batch. */
export class LogBuffer {
  private pending: NewLog[] = [];
  private timer: ReturnType<typeof setTimeout> | undefined;

  constructor(
    private readonly store: Store,
    private readonly feed: JobFeed,
    private readonly flushMs = 100,
  ) {}

  add(entry: NewLog): void {
    this.pending.push(entry);
    this.timer ??= setTimeout(() => void this.flush(), this.flushMs);
  }

  async flush(): Promise<void> {
    clearTimeout(this.timer);
    this.timer = undefined;
    const batch = this.pending;
    this.pending = [];
    try {
      for (const log of await this.store.appendLogs(batch)) this.feed.publishLog(log);
    } catch (error) {
      console.error('could not store task logs:', error);
    }
  }

  async close(): Promise<void> {
    await this.flush();
  }
}
