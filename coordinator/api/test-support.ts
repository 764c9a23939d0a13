import { afterEach, expect } from 'vitest';

// Reading Server-Sent Events in the API's tests (follow streams, the admin feed).

export interface SseEvent {
  event: string;
  data: string;
  id?: string;
}

/** Reads a text/event-stream body one event at a time (comments, i.e. keepalives, skipped). */
export class SseReader {
  private buffer = '';
  private readonly decoder = new TextDecoder();
  private readonly reader: ReadableStreamDefaultReader<Uint8Array>;

  constructor(response: Response) {
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^text\/event-stream/);
    this.reader = response.body!.getReader();
  }

  /** The next event, or undefined once the server ended the stream. */
  async next(timeoutMs = 10_000): Promise<SseEvent | undefined> {
    for (;;) {
      const end = this.buffer.indexOf('\n\n');
      if (end !== -1) {
        const block = this.buffer.slice(0, end);
        this.buffer = this.buffer.slice(end + 2);
        const event = parseBlock(block);
        if (event) return event;
        continue;
      }
      const chunk = await withTimeout(this.reader.read(), timeoutMs);
      if (chunk.done) return undefined;
      this.buffer += this.decoder.decode(chunk.value, { stream: true });
    }
  }

  /** The next `count` events, each of which must be there. */
  async take(count: number): Promise<SseEvent[]> {
    const events: SseEvent[] = [];
    for (let i = 0; i < count; i++) {
      const event = await this.next();
      if (!event) throw new Error(`the stream ended after ${events.length} of ${count} events: ${JSON.stringify(events)}`);
      events.push(event);
    }
    return events;
  }

  async cancel(): Promise<void> {
    await this.reader.cancel().catch(() => undefined);
  }
}

/** Opens readers of event streams that are cancelled after each test. */
export function useSseReaders(): (response: Response) => SseReader {
  const readers = new Set<SseReader>();
  afterEach(async () => {
    await Promise.all([...readers].map((reader) => reader.cancel()));
    readers.clear();
  });
  return (response) => {
    const reader = new SseReader(response);
    readers.add(reader);
    return reader;
  };
}

function parseBlock(block: string): SseEvent | undefined {
  const event: SseEvent = { event: 'message', data: '' };
  let any = false;
  for (const line of block.split('\n')) {
    if (line.startsWith(':')) continue;
    const [field, ...rest] = line.split(':');
    const value = rest.join(':').replace(/^ /, '');
    any = true;
    if (field === 'event') event.event = value;
    else if (field === 'data') event.data += value;
    else if (field === 'id') event.id = value;
  }
  return any ? event : undefined;
}

async function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`nothing on the stream for ${ms} ms`)), ms);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}
