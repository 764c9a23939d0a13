import type { z } from 'zod';
import { ResponseError } from './errors.js';

/**
 * The lines of a text stream as they arrive, without their line ends; blank lines are skipped.
 * Stopping the iteration early cancels the stream.
 */
export async function* readLines(body: ReadableStream<Uint8Array> | null): AsyncGenerator<string> {
  if (body === null) return;
  const reader = body.getReader();
  const decoder = new TextDecoder();
  let pending = '';
  try {
    for (;;) {
      const { done, value } = await reader.read();
      pending += done ? decoder.decode() : decoder.decode(value, { stream: true });
      const lines = pending.split('\n');
      pending = done ? '' : (lines.pop() ?? '');
      for (const line of lines) {
        const trimmed = line.trim();
        if (trimmed !== '') yield trimmed;
      }
      if (done) return;
    }
  } finally {
    await reader.cancel().catch(() => undefined);
    reader.releaseLock();
  }
}

/**
 * Parses an NDJSON response line by line, validating each line with `schema`.
 * A line that is not JSON or does not match throws `ResponseError`.
 */
export async function* readNdjson<T extends z.ZodType>(
  response: Response,
  schema: T,
  url: string,
): AsyncGenerator<z.output<T>> {
  let lineNumber = 0;
  for await (const line of readLines(response.body)) {
    lineNumber += 1;
    yield parseLine(line, lineNumber, schema, url);
  }
}

function parseLine<T extends z.ZodType>(line: string, lineNumber: number, schema: T, url: string): z.output<T> {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch (error) {
    throw new ResponseError(`line ${lineNumber} of ${url} is not JSON`, url, error);
  }
  const parsed = schema.safeParse(value);
  if (!parsed.success) {
    const reason = parsed.error.issues[0]?.message ?? 'invalid';
    throw new ResponseError(`line ${lineNumber} of ${url} is unexpected: ${reason}`, url, parsed.error);
  }
  return parsed.data;
}
