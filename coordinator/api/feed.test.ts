import { describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { FEED_EVENTS, JobStatus, type FeedJob, type JobSpecInput } from '../../shared/index.js';
import type { Coordinator } from '../server.js';
import { DOUBLE_CODE, expectError, readBody, serverCaller, socketUrl, useRealServers } from '../test-helpers.js';
import { honest, ProtocolWorker } from '../test-workers.js';
import { MAX_FEED_CONNECTIONS } from './feed.js';
import { useSseReaders, type SseReader } from './test-support.js';

// `GET /api/v1/feed`: the admin panel's pushed view, over a real server, real fetch and real
// protocol workers.

const { start, stop, track, connectWorker } = useRealServers();
const openSse = useSseReaders();

type FeedName = keyof typeof FEED_EVENTS;
type FeedData<K extends FeedName> = ReturnType<(typeof FEED_EVENTS)[K]['parse']>;

async function openFeed(coordinator: Coordinator): Promise<SseReader> {
  return openSse(await serverCaller(coordinator)('GET', '/api/v1/feed'));
}

/** Reads the feed until an event `name` whose data (checked by its schema) passes `wanted`; every event on the way is checked too. */
async function nextOf<K extends FeedName>(feed: SseReader, name: K, wanted: (data: FeedData<K>) => boolean = () => true): Promise<FeedData<K>> {
  for (;;) {
    const event = await feed.next();
    if (!event) throw new Error(`the feed ended before a '${name}' event`);
    expect(Object.keys(FEED_EVENTS)).toContain(event.event);
    const data = FEED_EVENTS[event.event as FeedName].parse(JSON.parse(event.data));
    if (event.event === name && wanted(data as FeedData<K>)) return data as FeedData<K>;
  }
}

async function submit(coordinator: Coordinator, overrides: Partial<JobSpecInput> = {}): Promise<JobStatus> {
  const spec: JobSpecInput = { name: 'fed', code: DOUBLE_CODE, input: { items: [1] }, ...overrides };
  const response = await serverCaller(coordinator)('POST', '/api/v1/jobs', { json: spec });
  expect(response.status).toBe(201);
  return readBody(response, JobStatus);
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('GET /api/v1/feed', () => {
  it('sends the stats at once and again every 2 s', async () => {
    const coordinator = await start();
    await submit(coordinator);
    const feed = await openFeed(coordinator);
    const first = await nextOf(feed, 'stats');
    expect(first).toMatchObject({ jobs: { PENDING: 1 }, queueDepth: 1, workers: 0, sample: null });
    const begun = Date.now();
    await nextOf(feed, 'stats');
    expect(Date.now() - begun).toBeGreaterThan(1000);
  });

  it('sends a job when its state changes and when its progress changes', async () => {
    const coordinator = await start();
    const feed = await openFeed(coordinator);
    await nextOf(feed, 'stats');
    const job = await submit(coordinator, { input: { items: [1, 2] } });
    await nextOf(feed, 'job', (status) => status.id === job.id && status.state === 'PENDING');

    const worker = await connectWorker(coordinator);
    await worker.hello();
    worker.send({ type: 'ask' });
    const first = await worker.received.waitFor('lease');
    await nextOf(feed, 'job', (status) => status.state === 'RUNNING' && status.progress.running === 1 && status.progress.done === 0);

    // A task done is no change of state: only the progress hook tells the feed.
    worker.send({ type: 'result', leaseId: first.leaseId, outputs: [2] });
    const progressed = await nextOf(feed, 'job', (status) => status.progress.done === 1);
    expect(progressed).toMatchObject({ id: job.id, state: 'RUNNING', progress: { total: 2, done: 1, running: 0 } });

    worker.send({ type: 'ask' });
    const second = await worker.received.waitFor('lease', 2);
    worker.send({ type: 'result', leaseId: second.leaseId, outputs: [4] });
    await nextOf(feed, 'job', (status) => status.state === 'COMPLETED' && status.progress.done === 2);
  });

  it('sends one job at most once a second however fast its tasks finish, the last one current', async () => {
    const coordinator = await start();
    const job = await submit(coordinator, { input: { items: Array.from({ length: 60 }, (_, n) => n) } });
    const feed = await openFeed(coordinator);
    await nextOf(feed, 'stats');

    // A task done every 40 ms: 60 progress changes (and 60 more leases) over some 2.5 s.
    const worker = await connectWorker(coordinator);
    await worker.hello();
    const working = (async () => {
      for (let n = 1; n <= 60; n++) {
        worker.send({ type: 'ask' });
        const lease = await worker.received.waitFor('lease', n);
        await sleep(40);
        worker.send({ type: 'result', leaseId: lease.leaseId, outputs: [0] });
      }
    })();

    const arrivals: number[] = [];
    let last: FeedJob;
    do {
      last = await nextOf(feed, 'job', (status) => status.id === job.id);
      arrivals.push(Date.now());
    } while (last.state !== 'COMPLETED');
    await working;

    expect(last.progress).toEqual({ total: 60, done: 60, failed: 0, running: 0 });
    expect(arrivals.length).toBeGreaterThanOrEqual(2);
    expect(arrivals.length).toBeLessThan(10);
    for (let n = 1; n < arrivals.length; n++) expect(arrivals[n]! - arrivals[n - 1]!).toBeGreaterThan(800);
  });

  it('sends the worker count when a worker comes, takes a task and leaves', async () => {
    const coordinator = await start();
    const feed = await openFeed(coordinator);
    await nextOf(feed, 'stats');

    const socket = track(new WebSocket(socketUrl(coordinator)));
    const worker = await new ProtocolWorker(socket, honest).join();
    expect(await nextOf(feed, 'workers')).toEqual({ count: 1 });

    worker.start();
    await submit(coordinator);
    expect(await nextOf(feed, 'workers')).toEqual({ count: 1 });

    socket.close();
    await nextOf(feed, 'workers', (data) => data.count === 0);
  });

  it("with ?job=, sends that job's changes only: no other job, no stats, no workers", async () => {
    const coordinator = await start();
    const followed = await submit(coordinator, { name: 'followed', input: { items: [1] } });
    const other = await submit(coordinator, { name: 'other', input: { items: [1] }, priority: 5 });
    const following = openSse(await serverCaller(coordinator)('GET', `/api/v1/feed?job=${followed.id}`));

    // The other job runs first (its priority is higher), then the followed one.
    const worker = await connectWorker(coordinator);
    await worker.hello();
    for (const n of [1, 2]) {
      worker.send({ type: 'ask' });
      const lease = await worker.received.waitFor('lease', n);
      worker.send({ type: 'result', leaseId: lease.leaseId, outputs: [2] });
    }
    const seen: FeedJob[] = [];
    for (;;) {
      const event = await following.next();
      if (!event) throw new Error('the feed ended before the followed job did');
      expect(event.event).toBe('job');
      const status = FEED_EVENTS.job.parse(JSON.parse(event.data));
      seen.push(status);
      if (status.state === 'COMPLETED') break;
    }
    expect(new Set(seen.map((status) => status.id))).toEqual(new Set([followed.id]));
    expect(other.id).not.toBe(followed.id);
  });

  it('answers ?job= for a job that is not there 404, and an unknown parameter 400', async () => {
    const coordinator = await start();
    await expectError(await serverCaller(coordinator)('GET', '/api/v1/feed?job=job_nothere'), 404, 'not_found');
    await expectError(await serverCaller(coordinator)('GET', '/api/v1/feed?jobs=x'), 400, 'invalid_query');
  });

  it('takes at most MAX_FEED_CONNECTIONS at once: one more is answered 503', async () => {
    const coordinator = await start();
    const feeds: SseReader[] = [];
    for (let n = 0; n < MAX_FEED_CONNECTIONS; n++) feeds.push(await openFeed(coordinator));
    const refused = await expectError(await serverCaller(coordinator)('GET', '/api/v1/feed'), 503, 'over_capacity');
    expect(refused.detail).toMatch(/100 connections/);

    // One closed, there is room for one more.
    await feeds[0]!.cancel();
    for (let tries = 0; ; tries++) {
      const response = await serverCaller(coordinator)('GET', '/api/v1/feed');
      if (response.status === 200) {
        await openSse(response).cancel();
        break;
      }
      await response.body?.cancel();
      if (tries === 50) throw new Error('no room after a feed closed');
      await sleep(50);
    }
  });

  it('ends its streams when the coordinator stops', async () => {
    const coordinator = await start();
    const feed = await openFeed(coordinator);
    await nextOf(feed, 'stats');
    await stop(coordinator);
    let ended = false;
    for (let events = 0; events < 10 && !ended; events++) {
      ended = await feed.next(5000).then(
        (event) => event === undefined,
        (error: unknown) => !/nothing on the stream/.test(String(error)),
      );
    }
    expect(ended).toBe(true);
  });
});
