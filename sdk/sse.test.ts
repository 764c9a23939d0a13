import { describe, expect, test } from 'vitest';
import { SseParser, readSse } from './sse.js';
import type { SseEvent } from './sse.js';

function parseAll(chunks: readonly string[]): SseEvent[] {
  const parser = new SseParser();
  return chunks.flatMap((chunk) => parser.push(chunk));
}

function streamOf(chunks: readonly (string | Uint8Array)[]): ReadableStream<Uint8Array> {
  const encoder = new TextEncoder();
  return new ReadableStream({
    start(controller) {
      for (const chunk of chunks) controller.enqueue(typeof chunk === 'string' ? encoder.encode(chunk) : chunk);
      controller.close();
    },
  });
}

// What hono's streamSSE writes, with a keepalive comment and every kind of line end.
const sample =
  'event: state\nid: 1\ndata: {"to":"PENDING"}\n\n' +
  ': keepalive\n\n' +
  'event: log\r\nid: 2\r\ndata: first line\r\ndata: second line\r\n\r\n' +
  'data:no space\rdata:  two spaces\r\r' +
  'event: end\ndata: {}\n\n';

const expected: SseEvent[] = [
  { event: 'state', data: '{"to":"PENDING"}', id: '1' },
  { event: 'log', data: 'first line\nsecond line', id: '2' },
  { event: 'message', data: 'no space\n two spaces', id: '2' },
  { event: 'end', data: '{}', id: '2' },
];

describe('SseParser', () => {
  test('parses event, data (multi-line) and id, and skips comments', () => {
    expect(parseAll([sample])).toEqual(expected);
  });

  test('gives the same events wherever the stream is cut, even between CR and LF', () => {
    for (let cut = 0; cut <= sample.length; cut += 1) {
      expect(parseAll([sample.slice(0, cut), '', sample.slice(cut)]), `cut at ${cut}`).toEqual(expected);
    }
    expect(parseAll([...sample])).toEqual(expected);
  });

  test('an event is dispatched only at its blank line', () => {
    const parser = new SseParser();
    expect(parser.push('event: state\ndata: {"a":1}\n')).toEqual([]);
    expect(parser.push('\n')).toEqual([{ event: 'state', data: '{"a":1}', id: undefined }]);
  });

  test('`event: end` without data still ends; a blank line alone is nothing', () => {
    expect(parseAll(['\n\nevent: end\n\n'])).toEqual([{ event: 'end', data: '', id: undefined }]);
  });

  test('retry, a field without a colon, unknown fields and a leading BOM', () => {
    const events = parseAll(['\uFEFFretry: 3000\nfoo: bar\ndata\n\n', 'data: x\n\n']);
    expect(events).toEqual([
      { event: 'message', data: '', id: undefined, retry: 3000 },
      { event: 'message', data: 'x', id: undefined },
    ]);
  });

  test('an id holding NUL is ignored; an empty id clears it', () => {
    expect(parseAll(['id: 7\ndata: a\n\nid: x\0y\ndata: b\n\nid\ndata: c\n\n']).map((event) => event.id)).toEqual(['7', '7', '']);
  });
});

describe('readSse', () => {
  test('decodes bytes cut inside a multi-byte character and drops an unfinished last event', async () => {
    const bytes = new TextEncoder().encode('data: é€\n\ndata: cut off');
    const events: SseEvent[] = [];
    for await (const event of readSse(streamOf([bytes.slice(0, 7), bytes.slice(7, 9), bytes.slice(9)]))) events.push(event);
    expect(events).toEqual([{ event: 'message', data: 'é€', id: undefined }]);
  });

  test('yields each event as it arrives, and stopping early cancels the stream', async () => {
    let cancelled = false;
    let controller!: ReadableStreamDefaultController<Uint8Array>;
    const body = new ReadableStream<Uint8Array>({
      start: (c) => void (controller = c),
      cancel: () => void (cancelled = true),
    });
    controller.enqueue(new TextEncoder().encode('data: 1\n\n'));
    const events = readSse(body);
    expect((await events.next()).value).toMatchObject({ data: '1' });
    await events.return(undefined);
    expect(cancelled).toBe(true);
  });

  test('no body, no events', async () => {
    expect((await readSse(null).next()).done).toBe(true);
  });
});

describe('readSse with a signal', () => {
  test('an abort ends a read that is waiting, with the signal’s reason', async () => {
    const body = new ReadableStream<Uint8Array>({ start: () => undefined });
    const controller = new AbortController();
    const reason = new Error('stop');
    setTimeout(() => controller.abort(reason), 5);
    await expect(readSse(body, controller.signal).next()).rejects.toBe(reason);
  });
});
