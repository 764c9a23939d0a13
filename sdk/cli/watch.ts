import type { JobStatus } from '../../shared/index.js';
import { TabgridError, TimeoutError } from '../errors.js';
import { settle } from '../job-end.js';
import type { Job } from '../job.js';
import { failureLines } from './failure.js';
import { statusLines } from './format.js';
import type { CliIO } from './io.js';
import { progressView } from './progress.js';

export interface WatchOptions {
  /** Give up after this long with a `TimeoutError`; the job runs on. */
  timeoutMs?: number | undefined;
  /** Print each status as a line of JSON (NDJSON) instead of a progress bar and the final lines. */
  json?: boolean | undefined;
}

/**
 * Follows a job until it ends, showing its progress as it changes (pushed by the coordinator's
 * feed: see `Job.followStatus`); then prints its final state and counts, and where and how it
 * failed. Resolves the final status of a job that completed; throws `JobFailedError` for one that
 * did not, as `Job.wait()` does, so the command exits 1.
 */
export async function watchJob(job: Job, io: CliIO, options: WatchOptions = {}): Promise<JobStatus> {
  const final = await followToEnd(job, io, options);
  if (!options.json) {
    for (const line of statusLines(final)) io.out(line);
    for (const line of await failureLines(job, final)) io.out(line);
  }
  return settle(final);
}

async function followToEnd(job: Job, io: CliIO, { timeoutMs, json }: WatchOptions): Promise<JobStatus> {
  const deadline = timeoutMs === undefined ? undefined : AbortSignal.timeout(timeoutMs);
  const view = json ? undefined : progressView(io);
  let last: JobStatus | undefined;
  try {
    for await (const status of job.followStatus(deadline ? { signal: deadline } : {})) {
      last = status;
      if (view) view.show(status);
      else io.out(JSON.stringify(status));
    }
  } catch (error) {
    if (deadline?.aborted) throw new TimeoutError(`job ${job.id} did not end within ${timeoutMs} ms`, timeoutMs ?? 0);
    throw error;
  } finally {
    view?.end(last);
  }
  // The follow ends (without throwing) only after the status that ended the job.
  if (!last) throw new TabgridError(`no status of job ${job.id} came`);
  return last;
}
