import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import { afterEach, expect } from 'vitest';
import { PROBLEM_CONTENT_TYPE, ProblemDetails, problemType } from '../../shared/index.js';
import { apiDocument } from './openapi.js';

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

// Every answer the API tests receive is checked against the API description: its status and
// media type are documented for its route, its body fits the documented schema, and an error
// answer is problem details. So the API's tests prove the description true.

type Document = ReturnType<typeof apiDocument>;
interface Operation {
  template: string;
  responses: Record<string, { content?: Record<string, { schema?: unknown }> }>;
}

const document: Document = apiDocument();
const ajv = new Ajv2020({ strict: false, allErrors: true });
addFormats.default(ajv);
ajv.addSchema(document, 'openapi');
const routes = Object.keys(document.paths ?? {}).map((template) => ({
  template,
  pattern: new RegExp(`^${template.replace(/\{[^}]+\}/g, '[^/]+')}$`),
  // Literal segments first: `/stats/history` before a `{id}` in its place.
  wildcards: (template.match(/\{/g) ?? []).length,
}));
routes.sort((a, b) => a.wildcards - b.wildcards);

/** The documented operation of a request; undefined for a route the API does not have. */
export function documentedOperation(method: string, url: string): Operation | undefined {
  const path = new URL(url, 'http://tabgrid.test').pathname;
  const route = routes.find((candidate) => candidate.pattern.test(path));
  const item = route === undefined ? undefined : (document.paths?.[route.template] as Record<string, Operation['responses'] | undefined> | undefined);
  const operation = item?.[method.toLowerCase()] as Omit<Operation, 'template'> | undefined;
  return route && operation ? { template: route.template, responses: operation.responses } : undefined;
}

/** Checks `response` (to `method url`) against the API description, and answers it (its body unread). */
export async function expectDocumentedAnswer(method: string, url: string, response: Response): Promise<Response> {
  const where = `${method} ${url} → ${response.status}`;
  const mediaType = (response.headers.get('content-type') ?? '').split(';')[0]!.trim();
  if (response.status >= 400) await expectProblem(response, mediaType, where);
  const operation = documentedOperation(method, url);
  if (!operation) {
    expect(response.status, `${where}: a route the API description does not have`).toBeGreaterThanOrEqual(400);
    return response;
  }
  const status = String(response.status);
  const documented = operation.responses[status] ?? (response.status >= 500 ? operation.responses['default'] : undefined);
  expect(documented, `${where}: status not documented for ${operation.template}`).toBeDefined();
  const content = documented?.content;
  if (content === undefined || method === 'HEAD') return response;
  const media = content[mediaType] ?? content['*/*'];
  expect(media, `${where}: ${mediaType} is not a documented media type (${Object.keys(content).join(', ')})`).toBeDefined();
  const schemaPath = `#/paths/${pointer(operation.template)}/${method.toLowerCase()}/responses/${status in operation.responses ? status : 'default'}/content/${pointer(content[mediaType] ? mediaType : '*/*')}/schema`;
  if (mediaType === 'application/json' || mediaType === 'application/problem+json') {
    expectFits(schemaPath, JSON.parse(await response.clone().text()), where);
  } else if (mediaType === 'application/x-ndjson') {
    const lines = (await response.clone().text()).split('\n').filter((line) => line !== '');
    for (const line of lines) expectFits(schemaPath, JSON.parse(line), where);
  }
  return response;
}

/** An error answer: `application/problem+json`, problem details whose `status` and `type` agree with the answer and its code. */
async function expectProblem(response: Response, mediaType: string, where: string): Promise<void> {
  expect(mediaType, `${where}: an error answer is problem details`).toBe(PROBLEM_CONTENT_TYPE);
  const problem = ProblemDetails.safeParse(JSON.parse(await response.clone().text()));
  expect(problem.error?.issues, `${where}: an error answer is problem details`).toBeUndefined();
  expect(problem.data).toMatchObject({ status: response.status, type: problemType(problem.data!.code) });
}

function expectFits(schemaPath: string, body: unknown, where: string): void {
  const validate = ajv.getSchema(`openapi${schemaPath}`);
  expect(validate, `${where}: no schema at ${schemaPath}`).toBeDefined();
  if (validate?.(body)) return;
  expect.fail(`${where}: the body does not fit the API description (${schemaPath}): ${ajv.errorsText(validate?.errors)}\n${JSON.stringify(body).slice(0, 500)}`);
}

/** A JSON pointer segment. */
function pointer(segment: string): string {
  return segment.replace(/~/g, '~0').replace(/\//g, '~1');
}
