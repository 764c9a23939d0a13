import { JobStatus, isTerminal } from '../shared/index.js';
import { NetworkError } from './errors.js';
import type { OutageBudget, RestClient } from './rest.js';
import { sleep } from './sleep.js';
import { parseData, sseOf } from './sse.js';

const FEED_PATH = '/api/v1/feed';

/**
 * How long the feed may say nothing before its connection is taken for dead and made anew: it
 * sends a `ping` after 15 s without another event, so twenty quiet seconds mean the connection
 * is gone.
 */
const FEED_SILENCE_MS = 20_000;

/**
 * A job's status now, then again each time it changes (the coordinator's feed, following this
 * job only, sends its status at most once a second), until it ends: the last status yielded is
 * its final one.
 * The feed is connected before the first status is read, so no change after that read is
 * missed; a feed that breaks or goes silent is connected again (and the status read again),
 * while the coordinator is away for no longer than `outage` allows.
 */
export async function* followJobStatus(
  rest: RestClient,
  jobId: string,
  readStatus: (signal: AbortSignal) => Promise<JobStatus>,
  outage: OutageBudget,
  signal: AbortSignal | undefined,
): AsyncGenerator<JobStatus> {
  const path = `${FEED_PATH}?${new URLSearchParams({ job: jobId }).toString()}`;
  const url = rest.urlOf(path);
  for (;;) {
    const connection = new FeedConnection(signal);
    try {
      const response = await rest.send(path, { accept: 'text/event-stream', signal: connection.signal });
      outage.answered();
      const status = await readStatus(connection.signal);
      yield status;
      if (isTerminal(status.state)) return;
      for await (const message of sseOf(response, url, connection.signal)) {
        connection.heard();
        if (message.event !== 'job') continue;
        const changed = parseData(message, JobStatus, url);
        if (changed.id !== status.id) continue;
        yield changed;
        if (isTerminal(changed.state)) return;
      }
      throw new NetworkError(`the feed from ${url} ended before job ${status.id} did`, url, undefined);
    } catch (error) {
      if (signal?.aborted) throw signal.reason;
      if (!connection.silent) await sleep(outage.retryDelay(error), signal);
    } finally {
      connection.close();
    }
  }
}

/** One connection to the feed: aborted when the caller's signal is, when it goes silent, or when it is closed. */
class FeedConnection {
  readonly #closing = new AbortController();
  readonly #silence = new AbortController();
  #timer: ReturnType<typeof setTimeout> | undefined;
  readonly signal: AbortSignal;

  constructor(outer: AbortSignal | undefined) {
    const own = [this.#closing.signal, this.#silence.signal];
    this.signal = AbortSignal.any(outer ? [outer, ...own] : own);
    this.heard();
  }

  /** It said something: it is alive for another `FEED_SILENCE_MS`. */
  heard(): void {
    clearTimeout(this.#timer);
    this.#timer = setTimeout(() => this.#silence.abort(new NetworkError(`the feed said nothing for ${FEED_SILENCE_MS} ms`, FEED_PATH, undefined)), FEED_SILENCE_MS);
  }

  get silent(): boolean {
    return this.#silence.signal.aborted;
  }

  /** Ends the request and its body, whether or not it was read to the end. */
  close(): void {
    clearTimeout(this.#timer);
    this.#closing.abort();
  }
}
