import { describe, expect, test } from 'vitest';
import { z } from 'zod';
import { isResponseError } from './errors.js';
import { readLines, readNdjson } from './ndjson.js';

function streamOf(chunks: readonly (string | Uint8Array)[]): ReadableStream<Uint8Array> {
  const encoder = new TextEncoder();
  return new ReadableStream({
    start(controller) {
      for (const chunk of chunks) controller.enqueue(typeof chunk === 'string' ? encoder.encode(chunk) : chunk);
      controller.close();
    },
  });
}

async function collect<T>(iterable: AsyncIterable<T>): Promise<T[]> {
  const values: T[] = [];
  for await (const value of iterable) values.push(value);
  return values;
}

describe('readLines', () => {
  test('joins lines cut across chunks and skips blank lines and CRs', async () => {
    const lines = await collect(readLines(streamOf(['{"a":', '1}\n\n{"a"', ':2}\r\n', '{"a":3}'])));
    expect(lines).toEqual(['{"a":1}', '{"a":2}', '{"a":3}']);
  });

  test('keeps a multi-byte character that is split between chunks', async () => {
    const bytes = new TextEncoder().encode('"é€"\n');
    const lines = await collect(readLines(streamOf([bytes.slice(0, 2), bytes.slice(2, 5), bytes.slice(5)])));
    expect(lines).toEqual(['"é€"']);
  });

  test('yields each line as soon as it arrives, before the stream ends', async () => {
    let controller!: ReadableStreamDefaultController<Uint8Array>;
    const body = new ReadableStream<Uint8Array>({ start: (c) => void (controller = c) });
    controller.enqueue(new TextEncoder().encode('first\nsec'));
    const lines = readLines(body);
    expect(await lines.next()).toEqual({ done: false, value: 'first' });
    controller.enqueue(new TextEncoder().encode('ond\n'));
    expect(await lines.next()).toEqual({ done: false, value: 'second' });
    controller.close();
    expect(await lines.next()).toEqual({ done: true, value: undefined });
  });

  test('stopping early cancels the stream', async () => {
    let cancelled = false;
    const body = new ReadableStream<Uint8Array>({
      start: (c) => c.enqueue(new TextEncoder().encode('1\n2\n')),
      cancel: () => void (cancelled = true),
    });
    for await (const line of readLines(body)) {
      expect(line).toBe('1');
      break;
    }
    expect(cancelled).toBe(true);
  });

  test('an absent body has no lines', async () => {
    expect(await collect(readLines(null))).toEqual([]);
  });
});

describe('readNdjson', () => {
  const Line = z.object({ index: z.number() });

  test('validates each line with the schema', async () => {
    const response = new Response(streamOf(['{"index":0}\n{"index":1}\n']));
    expect(await collect(readNdjson(response, Line, 'http://x/results'))).toEqual([{ index: 0 }, { index: 1 }]);
  });

  test('a line that is not JSON throws ResponseError naming the line', async () => {
    const response = new Response(streamOf(['{"index":0}\nnot json\n']));
    const error: unknown = await collect(readNdjson(response, Line, 'http://x/results')).catch((e: unknown) => e);
    expect(isResponseError(error)).toBe(true);
    expect((error as Error).message).toBe('line 2 of http://x/results is not JSON');
  });

  test('a line of the wrong shape throws ResponseError', async () => {
    const response = new Response(streamOf(['{"index":"zero"}\n']));
    await expect(collect(readNdjson(response, Line, 'http://x/results'))).rejects.toThrow(/line 1 of http:\/\/x\/results is unexpected/);
  });
});
