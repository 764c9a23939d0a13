import { beforeAll, describe, expect, test } from 'vitest';
import type { JobEvent, LogEntry } from '../shared/index.js';
import { Tabgrid } from './client.js';
import { isNetworkError } from './errors.js';
import { EVENTUALLY, collect, rejection, useRealGrids, type RealGrid, type SentRequest } from './test-support.js';

// Following a job's events and logs as the real coordinator streams them (Server-Sent Events).
// A stream that breaks off is staged by cutting the real stream on its way to the client.

const spec = { name: 'squares', code: 'export default (x) => x * x', input: { items: [1, 2, 3] } };
const idle = useRealGrids();
const workers = useRealGrids('all');
let working: RealGrid;
beforeAll(async () => {
  working = await workers.start();
  await workers.addWorker(working);
});

const transitions = (events: readonly JobEvent[]): string[] => events.map((event) => `${event.from ?? '-'}>${event.to}`);
const follows = (sent: readonly SentRequest[], stream: 'events' | 'logs'): number =>
  sent.filter((request) => request.path.endsWith(`/${stream}?follow=1`)).length;

describe('followEvents', () => {
  test('yields the backlog, then each change as it happens, and ends with the job', async () => {
    const job = await working.grid.submit({ ...spec, runMode: 'paused' });
    const seen: JobEvent[] = [];
    const following = (async () => {
      for await (const event of job.followEvents()) seen.push(event);
    })();
    await expect.poll(() => transitions(seen), EVENTUALLY).toEqual(['->SUBMITTED', 'SUBMITTED>PENDING', 'PENDING>PAUSED']);
    await job.resume();
    await following;
    expect(transitions(seen)).toEqual(['->SUBMITTED', 'SUBMITTED>PENDING', 'PENDING>PAUSED', 'PAUSED>PENDING', 'PENDING>RUNNING', 'RUNNING>COMPLETED']);
    expect(seen.at(-1)).toMatchObject({ reason: expect.any(String) as string });
  });

  test('a stream that breaks off is reopened, without repeating what was seen', async () => {
    const real = await idle.start();
    let cut = false;
    const grid = real.client({
      wrap: (fetch) => async (input, init) => {
        const response = await fetch(input, init);
        if (cut || !input.includes('/events?follow=1')) return response;
        cut = true;
        // Only the first event gets through before the connection drops.
        const first = (await response.text()).split('\n\n').find((block) => block.startsWith('event: state')) ?? '';
        return new Response(`${first}\n\n`, { headers: { 'content-type': 'text/event-stream' } });
      },
    });
    const job = await grid.submit(spec);
    await job.cancel();
    expect(transitions(await collect(job.followEvents()))).toEqual(['->SUBMITTED', 'SUBMITTED>PENDING', 'PENDING>CANCELLED']);
    expect(follows(real.sent, 'events')).toBe(2);
  });

  test('aborting the signal stops following with its reason', async () => {
    const { grid } = await idle.start();
    const job = await grid.submit(spec);
    const controller = new AbortController();
    const reason = new Error('enough');
    const following = (async () => {
      for await (const event of job.followEvents({ signal: controller.signal })) {
        if (event.to === 'PENDING') controller.abort(reason);
      }
    })();
    expect(await rejection(following)).toBe(reason);
  });

  test('an unknown job is the 404, a coordinator that never answered a NetworkError, at once', async () => {
    const { grid } = await idle.start();
    await expect(collect(grid.job('nope').followEvents())).rejects.toMatchObject({ name: 'HTTPError', status: 404, code: 'not_found' });
    const down = new Tabgrid({ url: 'http://127.0.0.1:1', token: 't' });
    expect(isNetworkError(await rejection(collect(down.job('j').followEvents())))).toBe(true);
  });
});

describe('followLogs', () => {
  test('yields each log line as the tasks write it, and ends when the job ends', async () => {
    const job = await working.grid.submit({
      name: 'chatty',
      code: 'export default async (x, ctx) => { ctx.log("item", x, "é"); await new Promise((r) => setTimeout(r, 2)); return x; }',
      input: { items: [1, 2, 3] },
    });
    const lines: LogEntry[] = await collect(job.followLogs());
    expect(lines.map((entry) => entry.message)).toEqual(['item 1 é', 'item 2 é', 'item 3 é']);
    expect((await job.status()).state).toBe('COMPLETED');
  });

  test('a job that has ended gives its whole log and stops', async () => {
    const job = await working.grid.submit({
      name: 'talks, then fails',
      code: 'export default (x, ctx) => { ctx.log("one"); ctx.log("two"); throw new Error("boom"); }',
      input: { items: [1] },
      retry: { maxAttempts: 1, distinctWorkers: 1 },
    });
    await expect(job.wait()).rejects.toMatchObject({ name: 'JobFailedError', state: 'FAILED' });
    expect((await collect(job.followLogs())).map((entry) => `${entry.level} ${entry.message}`)).toEqual([
      'info one',
      'info two',
      expect.stringMatching(/^error attempt 1 failed; the job fails: Error: boom\n {4}at /),
    ]);
  });

  test('a stream that fails mid-read, then a 503, are ridden out too', async () => {
    const job = await working.grid.submit({ ...spec, code: 'export default (x, ctx) => { ctx.log("one"); ctx.log("two"); return x; }', input: { items: [1] } });
    await job.wait();
    let calls = 0;
    // What a restarting coordinator behind a proxy does to a stream: it breaks, then a 503, then it is back.
    const grid = working.client({
      wrap: (fetch) => async (input, init) => {
        if (!input.includes('/logs?follow=1')) return fetch(input, init);
        calls += 1;
        if (calls === 2) return new Response('restarting', { status: 503 });
        const response = await fetch(input, init);
        if (calls > 2) return response;
        // The stream gets as far as the line 'one', then breaks.
        const text = await response.text();
        let delivered = false;
        const body = new ReadableStream<Uint8Array>({
          pull(controller) {
            if (delivered) return controller.error(new TypeError('terminated'));
            delivered = true;
            controller.enqueue(new TextEncoder().encode(text.slice(0, text.indexOf('\n\n', text.indexOf('"one"')) + 2)));
          },
        });
        return new Response(body, { headers: { 'content-type': 'text/event-stream' } });
      },
    });
    expect((await collect(grid.job(job.id).followLogs({ maxOutageMs: 5_000 }))).map((entry) => entry.message)).toEqual(['one', 'two']);
    expect(calls).toBe(3);
  });
});
