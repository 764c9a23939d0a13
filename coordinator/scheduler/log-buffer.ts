import type { JobFeed } from '../events/index.js';
import { SILENT_LOG, type Logger } from '../log.js';
import type { NewLog } from '../store/index.js';
import type { GroupCommit } from './group-commit.js';

/**
 * Batches task log lines into one write every `flushMs`, so chatty tasks cost one insert per
 * batch; and into any commit made meanwhile, so a line is never stored after a change that
 * came after it (a checkpoint that survives a crash has the lines logged before it).
 */
export class LogBuffer {
  private pending: NewLog[] = [];
  private timer: ReturnType<typeof setTimeout> | undefined;

  private readonly flushMs: number;
  private readonly log: Logger;

  constructor(
    private readonly commits: GroupCommit,
    private readonly feed: JobFeed,
    { flushMs = 100, log = SILENT_LOG }: { flushMs?: number; log?: Logger } = {},
  ) {
    this.flushMs = flushMs;
    this.log = log;
    commits.onClosing(() => this.addToCommit());
  }

  add(entry: NewLog): void {
    this.pending.push(entry);
    this.timer ??= setTimeout(() => void this.flush(), this.flushMs);
  }

  /** Writes the lines buffered so far (with whatever else the next commit holds); watchers hear of them once stored. */
  async flush(): Promise<void> {
    this.addToCommit();
    try {
      await this.commits.committed();
    } catch (error) {
      this.log.error({ err: error }, 'could not store task logs');
    }
  }

  /** Adds the lines buffered so far to the next commit. */
  private addToCommit(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    const entries = this.pending;
    this.pending = [];
    if (entries.length === 0) return;
    this.commits.add({ type: 'appendLogs', entries }, (ids) => {
      entries.forEach((entry, index) => this.feed.publishLog({ ...entry, id: ids[index]! }));
    });
  }

  async close(): Promise<void> {
    await this.flush();
  }
}
