import type { SSEStreamingApi } from 'hono/streaming';

const KEEPALIVE_MS = 15_000;

/**
 * A queue that a stream awaits: live items arrive while the backlog is being sent. An item pushed
 * under a key replaces the one still waiting under that key, so a stream that coalesces (the
 * admin feed) holds at most one item per key, however slow its client.
 */
export class Inbox<T> {
  private items: T[] = [];
  /** Where each keyed item waits in `items`. */
  private readonly keyed = new Map<string, number>();
  private wake: (() => void) | undefined;
  closed = false;

  push(item: T, key?: string): void {
    const waiting = key === undefined ? undefined : this.keyed.get(key);
    if (waiting !== undefined) this.items[waiting] = item;
    else {
      if (key !== undefined) this.keyed.set(key, this.items.length);
      this.items.push(item);
    }
    this.wake?.();
  }

  /** Items waiting to be taken. */
  get size(): number {
    return this.items.length;
  }

  close(): void {
    this.closed = true;
    this.wake?.();
  }

  /** The items waiting, once there is one; none after `KEEPALIVE_MS` of quiet (time for a keepalive) or once closed. */
  async take(): Promise<T[]> {
    while (this.items.length === 0 && !this.closed) {
      let timer: ReturnType<typeof setTimeout> | undefined;
      await new Promise<void>((resolve) => {
        this.wake = resolve;
        timer = setTimeout(resolve, KEEPALIVE_MS);
      });
      clearTimeout(timer);
      this.wake = undefined;
      if (this.items.length === 0) return [];
    }
    const items = this.items;
    this.items = [];
    this.keyed.clear();
    return items;
  }
}

/** A comment line: proxies and browsers see the stream is alive, `EventSource` ignores it. */
export async function keepalive(stream: SSEStreamingApi): Promise<void> {
  await stream.write(': keepalive\n\n');
}
