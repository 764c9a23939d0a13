import type { JobStatus } from '../shared/index.js';

// Said alike by the panel and the CLI: kept in shared/.
export { backendFigures, counted, describeGpu, describeItems, formatDuration, formatRate, ProgressRate } from '../shared/index.js';

/**
 * A time as the reader's clock shows it; the date too when it is not today.
 * @example formatTime('2026-12-06T10:00:00Z', new Date('2026-12-06T12:00:00Z')) // '10:00:00' (in UTC)
 */
export function formatTime(iso: string | undefined, now = new Date()): string {
  if (iso === undefined) return '—';
  const time = new Date(iso);
  if (Number.isNaN(time.getTime())) return '—';
  const sameDay = time.toDateString() === now.toDateString();
  return sameDay ? time.toLocaleTimeString() : time.toLocaleString();
}

/**
 * How long a job ran: from its start (or submission) to its end, or to now while it runs.
 * @example jobDuration({ createdAt, startedAt: '…T10:00:00Z', endedAt: '…T10:01:00Z' }) // 60000
 */
export function jobDuration(job: Pick<JobStatus, 'createdAt' | 'startedAt' | 'endedAt'>, now = Date.now()): number | undefined {
  if (job.startedAt === undefined) return undefined;
  const end = job.endedAt === undefined ? now : Date.parse(job.endedAt);
  return end - Date.parse(job.startedAt);
}

