import { isTerminal } from '../shared/index.js';
import type { JobFeed } from './events/index.js';
import type { Logger } from './log.js';
import type { JobEventRecord, Store } from './store/index.js';

/**
 * Logs every job's moves as they are committed: one line each with the job's id and name, from
 * and to, and why; the first (from nothing) is its submission. Answers how to stop.
 * @example const stop = logJobEvents(scheduler.feed, store, log);
 */
export function logJobEvents(feed: JobFeed, store: Store, log: Logger): () => void {
  // A log that keeps no info line (silent, or warn and up) costs no store read and no listener.
  if (!log.isLevelEnabled('info')) return () => undefined;
  // Events carry no name: it is read once per job (a job's first events come before it is live), and forgotten when it ends.
  const names = new Map<string, string | undefined>();
  let previous = Promise.resolve();
  const nameOf = async (jobId: string): Promise<string | undefined> => {
    if (!names.has(jobId)) names.set(jobId, (await store.getJobSummary(jobId).catch(() => undefined))?.name);
    return names.get(jobId);
  };
  const logEvent = async ({ jobId, from, to, reason }: JobEventRecord): Promise<void> => {
    const name = await nameOf(jobId);
    if (isTerminal(to)) names.delete(jobId);
    log.info({ jobId, name, from, to, reason }, from === null ? 'job submitted' : 'job state changed');
  };
  // One after another, so the lines keep the events' order while a name is read.
  return feed.onAnyEvent((event) => {
    previous = previous.then(() => logEvent(event));
  });
}
