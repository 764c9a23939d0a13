import type { z } from 'zod';
import { NetworkError, ResponseError, isTabgridError } from './errors.js';

/** One Server-Sent Event: its type (`event:`, `message` when absent), its data, and the last `id:` seen. */
export interface SseEvent {
  event: string;
  /** The `data:` lines joined by `\n`. */
  data: string;
  /** The stream's last event id when this event was dispatched (ids carry over, as in browsers). */
  id: string | undefined;
  /** The `retry:` the server asked for, in ms, when this event carried one. */
  retry?: number;
}

/**
 * An incremental parser of the `text/event-stream` format: feed it text in chunks cut anywhere
 * (even between a CR and its LF) and it hands back each event once its blank line has arrived.
 * Comments (`: keepalive`) are skipped. Unlike a browser it also dispatches an event that has an
 * `event:` but no `data:` line, so `event: end` alone still ends a stream.
 * @example
 * const parser = new SseParser();
 * parser.push('event: state\ndata: {"a"');
 * parser.push(':1}\n\n'); // [{ event: 'state', data: '{"a":1}', id: undefined }]
 */
export class SseParser {
  #pending = '';
  #skipLineFeed = false;
  #started = false;
  #type = '';
  #data: string[] = [];
  #id: string | undefined;
  #retry: number | undefined;

  /** Parses the next piece of the stream; resolves the events it completed. */
  push(text: string): SseEvent[] {
    if (text === '') return [];
    let chunk = text;
    if (!this.#started) {
      this.#started = true;
      if (chunk.startsWith('\uFEFF')) chunk = chunk.slice(1);
    }
    // A CR that ended the last chunk already ended its line: an LF starting this one belongs to it.
    if (this.#skipLineFeed && chunk.startsWith('\n')) chunk = chunk.slice(1);
    this.#skipLineFeed = chunk.endsWith('\r');
    const lines = (this.#pending + chunk).split(/\r\n|\r|\n/);
    this.#pending = lines.pop() ?? '';
    const events: SseEvent[] = [];
    for (const line of lines) {
      const event = this.#line(line);
      if (event) events.push(event);
    }
    return events;
  }

  #line(line: string): SseEvent | undefined {
    if (line === '') return this.#dispatch();
    if (line.startsWith(':')) return undefined;
    const colon = line.indexOf(':');
    const field = colon === -1 ? line : line.slice(0, colon);
    let value = colon === -1 ? '' : line.slice(colon + 1);
    if (value.startsWith(' ')) value = value.slice(1);
    if (field === 'event') this.#type = value;
    else if (field === 'data') this.#data.push(value);
    else if (field === 'id' && !value.includes('\0')) this.#id = value;
    else if (field === 'retry' && /^\d+$/.test(value)) this.#retry = Number(value);
    return undefined;
  }

  #dispatch(): SseEvent | undefined {
    const hasEvent = this.#data.length > 0 || this.#type !== '';
    const event: SseEvent = { event: this.#type || 'message', data: this.#data.join('\n'), id: this.#id };
    if (this.#retry !== undefined) event.retry = this.#retry;
    this.#type = '';
    this.#data = [];
    this.#retry = undefined;
    return hasEvent ? event : undefined;
  }
}

/**
 * The events of a `text/event-stream` body as they arrive. A last event without its blank
 * line is dropped, as the format says. Stopping the iteration early cancels the stream; so
 * does `signal` (the iteration then throws its reason), whether or not the `fetch` that
 * made the body honours signals.
 * @example for await (const { event, data } of readSse(response.body)) console.log(event, data);
 */
export async function* readSse(body: ReadableStream<Uint8Array> | null, signal?: AbortSignal): AsyncGenerator<SseEvent> {
  if (body === null) return;
  const reader = body.getReader();
  const decoder = new TextDecoder();
  const parser = new SseParser();
  const onAbort = (): void => void reader.cancel(signal?.reason).catch(() => undefined);
  signal?.addEventListener('abort', onAbort, { once: true });
  try {
    for (;;) {
      signal?.throwIfAborted();
      const { done, value } = await reader.read();
      signal?.throwIfAborted();
      yield* parser.push(done ? decoder.decode() : decoder.decode(value, { stream: true }));
      if (done) return;
    }
  } finally {
    signal?.removeEventListener('abort', onAbort);
    await reader.cancel().catch(() => undefined);
    reader.releaseLock();
  }
}

/** The events of an SSE response (from `url`); a stream that breaks off becomes a `NetworkError`. */
export async function* sseOf(response: Response, url: string, signal: AbortSignal | undefined): AsyncGenerator<SseEvent> {
  try {
    yield* readSse(response.body, signal);
  } catch (error) {
    if (signal?.aborted || isTabgridError(error)) throw error;
    throw new NetworkError(`the stream from ${url} broke off: ${error instanceof Error ? error.message : String(error)}`, url, error);
  }
}

/** An event's `data`, as JSON that `schema` accepts; else a `ResponseError` naming the event and `url`. */
export function parseData<T extends z.ZodType>(message: SseEvent, schema: T, url: string): z.output<T> {
  let value: unknown;
  try {
    value = JSON.parse(message.data);
  } catch (error) {
    throw new ResponseError(`a ${message.event} event from ${url} is not JSON`, url, error);
  }
  const parsed = schema.safeParse(value);
  if (!parsed.success) {
    throw new ResponseError(`a ${message.event} event from ${url} is unexpected: ${parsed.error.issues[0]?.message ?? 'invalid'}`, url, parsed.error);
  }
  return parsed.data;
}
