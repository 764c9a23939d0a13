import { Hono } from 'hono';
import { streamSSE, type SSEStreamingApi } from 'hono/streaming';
import { FeedQuery, type FeedStats, type FeedWorkers, type StatsHistory } from '../../shared/index.js';
import type { ApiDeps } from './deps.js';
import { ApiError } from './errors.js';
import { Inbox } from './inbox.js';
import { loadJobStatus } from './job-views.js';
import { parseQuery } from './query.js';
import { collectStats } from './system.js';

/** How often the feed sends the stats. */
const STATS_MS = 2000;
/** Least time between two sends of the changes (so one job's `job` events, and `workers` events, come at most once a second). */
const COALESCE_MS = 1000;
/** Feed connections open at once; one more is answered 503. */
export const MAX_FEED_CONNECTIONS = 100;
/** Connections following one job (`?job=`) open at once, all jobs together; one more is answered 503. */
export const MAX_JOB_FOLLOWERS = 1000;

/**
 * What waits to be sent on one feed connection, keyed so that a newer one replaces it: the stats
 * (computed once for every connection), and which jobs changed and that the workers did (each
 * read when it is sent). A slow client's inbox holds at most one item per job, however long it lags.
 */
type FeedItem = { event: 'stats'; stats: FeedStats } | { event: 'job'; jobId: string } | { event: 'workers' };

/** `GET /stats/history` and `GET /feed`, the admin panel's pushed view of the coordinator. */
export function feedRoutes(deps: ApiDeps): Hono {
  const app = new Hono();
  const hub = new FeedHub(deps);
  app.get('/stats/history', (c) => c.json({ samples: deps.history.samples() } satisfies StatsHistory));
  app.get('/feed', async (c) => {
    const { job } = parseQuery(FeedQuery, c.req.query());
    // A job that is not there is answered 404 now, not followed forever.
    if (job !== undefined) await loadJobStatus(deps, job);
    const inbox = job === undefined ? hub.join() : hub.follow(job);
    return streamSSE(c, async (stream) => {
      stream.onAbort(() => inbox.close());
      try {
        await sendFeed(deps, stream, inbox);
      } finally {
        hub.leave(inbox);
      }
    });
  });
  return app;
}

async function sendFeed(deps: ApiDeps, stream: SSEStreamingApi, inbox: Inbox<FeedItem>): Promise<void> {
  while (!inbox.closed) {
    const items = await inbox.take();
    // A `ping` event, not a comment, when nothing else was sent for a while: a client following
    // one job hears nothing else, and a comment is not an event to it.
    if (items.length === 0 && !inbox.closed) await stream.writeSSE({ event: 'ping', data: '' });
    for (const item of items) {
      const data = await dataOf(deps, item);
      if (data !== undefined) await stream.writeSSE({ event: item.event, data: JSON.stringify(data) });
    }
  }
}

/** An item's event data as of now; undefined when there is none to send (the store is gone: the coordinator is stopping). */
async function dataOf(deps: ApiDeps, item: FeedItem): Promise<unknown> {
  switch (item.event) {
    case 'stats':
      return item.stats;
    case 'job':
      return loadJobStatus(deps, item.jobId).catch(() => undefined);
    case 'workers':
      return { count: deps.gateway.connectedCount } satisfies FeedWorkers;
  }
}

/**
 * The feed's connections and what they share: one stats timer while any whole feed is open, one
 * subscription to the scheduler's changes while any connection is, none otherwise. Changes are
 * gathered and handed out at most once per `COALESCE_MS`: to every whole feed, and a job's to
 * the connections following it (found by the job: a change costs what its followers do).
 */
class FeedHub {
  private readonly inboxes = new Set<Inbox<FeedItem>>();
  private readonly followers = new Map<string, Set<Inbox<FeedItem>>>();
  /** The job each following connection follows. */
  private readonly followed = new Map<Inbox<FeedItem>, string>();
  private readonly changedJobs = new Set<string>();
  private workersChanged = false;
  private lastHandOut = 0;
  private handOutTimer: ReturnType<typeof setTimeout> | undefined;
  private statsTimer: ReturnType<typeof setInterval> | undefined;
  private statsInFlight = false;
  /** The stats the last tick computed, for a connection that joins before the next. */
  private lastStats: FeedStats | undefined;
  private unsubscribe: (() => void)[] = [];

  constructor(private readonly deps: ApiDeps) {}

  /** A new connection's inbox, the stats already in it; 503 when `MAX_FEED_CONNECTIONS` are open. */
  join(): Inbox<FeedItem> {
    if (this.inboxes.size >= MAX_FEED_CONNECTIONS) {
      throw new ApiError(503, 'over_capacity', `the feed has ${MAX_FEED_CONNECTIONS} connections open, as many as it takes: close one, or try again later`);
    }
    const inbox = new Inbox<FeedItem>();
    this.joined(() => this.inboxes.add(inbox));
    if (this.inboxes.size === 1) {
      this.statsTimer = setInterval(() => void this.sendStats(), STATS_MS);
      this.statsTimer.unref();
    }
    // The stats of the last tick at once, or (the first connection) the first stats as soon as they are computed.
    if (this.lastStats) inbox.push({ event: 'stats', stats: this.lastStats }, 'stats');
    else void this.sendStats();
    return inbox;
  }

  /** A new connection's inbox for the changes of job `jobId` only; 503 when `MAX_JOB_FOLLOWERS` are open. */
  follow(jobId: string): Inbox<FeedItem> {
    if (this.followed.size >= MAX_JOB_FOLLOWERS) {
      throw new ApiError(503, 'over_capacity', `${MAX_JOB_FOLLOWERS} connections follow jobs, as many as the feed takes: close one, or try again later`);
    }
    const inbox = new Inbox<FeedItem>();
    this.joined(() => {
      const following = this.followers.get(jobId) ?? new Set();
      following.add(inbox);
      this.followers.set(jobId, following);
      this.followed.set(inbox, jobId);
    });
    return inbox;
  }

  leave(inbox: Inbox<FeedItem>): void {
    inbox.close();
    if (this.inboxes.delete(inbox) && this.inboxes.size === 0) {
      clearInterval(this.statsTimer);
      this.lastStats = undefined;
    }
    const jobId = this.followed.get(inbox);
    if (jobId !== undefined) {
      this.followed.delete(inbox);
      const following = this.followers.get(jobId);
      following?.delete(inbox);
      if (following?.size === 0) this.followers.delete(jobId);
    }
    if (this.inboxes.size + this.followed.size === 0) this.stopListening();
  }

  /** Adds a connection, listening to the scheduler from the first on. */
  private joined(add: () => void): void {
    const first = this.inboxes.size + this.followed.size === 0;
    add();
    if (first) this.listen();
  }

  private listen(): void {
    const { feed } = this.deps.scheduler;
    this.unsubscribe = [
      feed.onJobChange((jobId) => {
        this.changedJobs.add(jobId);
        this.handOutSoon();
      }),
      feed.onWorkersChange(() => {
        // Only whole feeds carry the workers.
        if (this.inboxes.size === 0) return;
        this.workersChanged = true;
        this.handOutSoon();
      }),
    ];
  }

  private stopListening(): void {
    for (const unsubscribe of this.unsubscribe.splice(0)) unsubscribe();
    clearTimeout(this.handOutTimer);
    this.handOutTimer = undefined;
    this.changedJobs.clear();
    this.workersChanged = false;
  }

  /** Hands out the changes now if the last hand-out was `COALESCE_MS` ago, else when it will be. */
  private handOutSoon(): void {
    if (this.handOutTimer) return;
    const wait = Math.max(0, this.lastHandOut + COALESCE_MS - Date.now());
    this.handOutTimer = setTimeout(() => this.handOut(), wait);
    this.handOutTimer.unref();
  }

  private handOut(): void {
    this.handOutTimer = undefined;
    this.lastHandOut = Date.now();
    for (const inbox of this.inboxes) {
      if (this.workersChanged) inbox.push({ event: 'workers' }, 'workers');
      for (const jobId of this.changedJobs) inbox.push({ event: 'job', jobId }, `job ${jobId}`);
    }
    for (const jobId of this.changedJobs) {
      for (const inbox of this.followers.get(jobId) ?? []) inbox.push({ event: 'job', jobId }, `job ${jobId}`);
    }
    this.workersChanged = false;
    this.changedJobs.clear();
  }

  /** Computes the stats once and puts them in every inbox (a tick that finds the last one still computing is skipped). */
  private async sendStats(): Promise<void> {
    if (this.statsInFlight) return;
    this.statsInFlight = true;
    try {
      const stats: FeedStats = { ...(await collectStats(this.deps)), sample: this.deps.history.latest() ?? null };
      if (this.inboxes.size > 0) this.lastStats = stats;
      for (const inbox of this.inboxes) inbox.push({ event: 'stats', stats }, 'stats');
    } catch {
      // The store closed under it: the coordinator is stopping, and the streams end with it.
    } finally {
      this.statsInFlight = false;
    }
  }
}
