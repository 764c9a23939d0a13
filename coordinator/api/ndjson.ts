/** A streamed response of one JSON value a line, pulled page by page from `pages`. */
export function ndjsonResponse(pages: Iterable<unknown[]> | AsyncIterable<unknown[]>): Response {
  const encoder = new TextEncoder();
  const iterator = Symbol.asyncIterator in pages ? pages[Symbol.asyncIterator]() : pages[Symbol.iterator]();
  const stream = new ReadableStream<Uint8Array>({
    async pull(controller) {
      const next = await iterator.next();
      if (next.done) return controller.close();
      const text = next.value.map((value) => `${JSON.stringify(value)}\n`).join('');
      controller.enqueue(encoder.encode(text));
    },
    async cancel() {
      await iterator.return?.();
    },
  });
  return new Response(stream, { headers: { 'content-type': 'application/x-ndjson; charset=utf-8' } });
}
