/** Job lifecycle, as in DESIGN.md. */
export const JOB_STATES = [
  'SUBMITTED',
  'PENDING',
  'RUNNING',
  'PAUSED',
  'COMPLETED',
  'FAILED',
  'CANCELLED',
  'REJECTED',
] as const;
export type JobState = (typeof JOB_STATES)[number];

/** States a job never leaves. */
export const TERMINAL_JOB_STATES: ReadonlySet<JobState> = new Set(['COMPLETED', 'FAILED', 'CANCELLED', 'REJECTED']);

/**
 * True when a job in this state will never change again.
 * @example isTerminal('COMPLETED') // true
 */
export function isTerminal(state: JobState): boolean {
  return TERMINAL_JOB_STATES.has(state);
}

/** Task lifecycle: `blocked → ready → leased → done | failed`, `ready` again after a retry. */
export const TASK_STATES = ['blocked', 'ready', 'leased', 'done', 'failed', 'cancelled'] as const;
export type TaskState = (typeof TASK_STATES)[number];
