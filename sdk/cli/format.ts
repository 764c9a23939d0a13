import { counted, type ErrorCode, type JobProgress, type JobStatus } from '../../shared/index.js';
import { isHTTPError, isTabgridError } from '../errors.js';

/** One line for any error: its message, plus the field list of a rejected spec. */
export function formatError(error: unknown, showStack = false): string {
  if (!(error instanceof Error)) return String(error);
  if (isHTTPError(error)) {
    const details = describeDetails(error.details);
    const code = error.rawCode === undefined ? '' : ` ${error.rawCode}`;
    const hint = error.code === undefined ? undefined : NEXT_STEPS[error.code];
    return `${error.message}${details ? `: ${details}` : ''} (HTTP ${error.status}${code})${hint ? `; ${hint}` : ''}`;
  }
  // Our own errors explain themselves; a stack only helps with a bug.
  const stack = error.stack;
  if (showStack && stack !== undefined && !isTabgridError(error)) return stack;
  return error.message;
}

/** What to do about an error code, where the coordinator's message alone does not say. */
const NEXT_STEPS: Partial<Record<ErrorCode, string>> = {
  unauthorized: 'pass the admin token `tabgrid serve` printed as --token or TABGRID_TOKEN',
  too_large: 'put large inputs in a blob and refer to it with { blob: sha256 }',
  internal: "the coordinator's log says why",
};

function describeDetails(details: unknown): string {
  if (!Array.isArray(details)) return '';
  return details
    .filter((detail): detail is { path: unknown; message: unknown } => typeof detail === 'object' && detail !== null)
    .map((detail) => `${String(detail.path)}: ${String(detail.message)}`)
    .join('; ');
}

/** `state: RUNNING` and `progress: 3/10 done, 0 failed, 2 running` (see `progressCounts`). */
export function statusLines(status: JobStatus): string[] {
  return [`state: ${status.state}`, `progress: ${progressCounts(status.progress)}`];
}

/**
 * The counts of a job's map tasks, and where its reduce step is.
 * @example progressCounts({ total: 40, done: 12, failed: 0, running: 3 }) // '12/40 done, 0 failed, 3 running'
 * @example progressCounts({ total: 10, done: 10, failed: 0, running: 0, reduce: 'running' }) // '10/10 done, 0 failed, reduce step running'
 */
export function progressCounts(progress: JobProgress): string {
  const { done, total, failed, running, reduce } = progress;
  const parts = [`${done}/${total} done`, `${failed} failed`];
  if (running > 0) parts.push(`${running} running`);
  if (reduce !== undefined) parts.push(`reduce step ${reduce}`);
  return parts.join(', ');
}

/**
 * A validated job's policy and what it did.
 * @example validationLine({ replicas: 3, quorum: 2, adaptive: true, maxReplicas: 6, leases: 33, accepted: 30, checked: 3, disagreements: 1, rechecked: 0 })
 * // 'validation: 3 replicas, quorum 2, adaptive; 30 accepted (3 checked), 33 leases (1.10 per task), 1 disagreement'
 */
export function validationLine(validation: NonNullable<JobStatus['validation']>): string {
  const { replicas, quorum, adaptive, leases, accepted, checked, disagreements } = validation;
  const factor = accepted === 0 ? '' : ` (${(leases / accepted).toFixed(2)} per task)`;
  return `validation: ${counted(replicas, 'replica')}, quorum ${quorum}${adaptive ? ', adaptive' : ''}; ${accepted} accepted (${checked} checked), ${counted(leases, 'lease')}${factor}, ${counted(disagreements, 'disagreement')}`;
}

/** Columns of `tabgrid list`, padded to line up. */
export function jobTable(jobs: readonly JobStatus[]): string[] {
  return alignedColumns([
    ['ID', 'STATE', 'PROGRESS', 'PRIORITY', 'NAME'],
    ...jobs.map((job) => [job.id, job.state, `${job.progress.done}/${job.progress.total}`, String(job.priority), job.name]),
  ]);
}

/** Rows of cells as lines, each column padded to its widest cell (the last is left as it is). */
export function alignedColumns(rows: readonly (readonly string[])[]): string[] {
  const widths = rows[0]?.map((_, column) => Math.max(...rows.map((row) => row[column]?.length ?? 0))) ?? [];
  return rows.map((row) =>
    row
      .map((cell, column) => (column === row.length - 1 ? cell : cell.padEnd(widths[column] ?? 0)))
      .join('  ')
      .trimEnd(),
  );
}
