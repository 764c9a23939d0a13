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

/**
 * States a job has ended in: nothing runs and nothing changes it again, but an admin's retry of a
 * FAILED job (FAILED → PENDING, its failed and cancelled tasks back in the queue).
 */
export const TERMINAL_JOB_STATES: ReadonlySet<JobState> = new Set(['COMPLETED', 'FAILED', 'CANCELLED', 'REJECTED']);

/**
 * True when a job in this state has ended: it changes no more on its own (only an admin's retry
 * brings a FAILED job back).
 * @example isTerminal('COMPLETED') // true
 */
export function isTerminal(state: JobState): boolean {
  return TERMINAL_JOB_STATES.has(state);
}

/** Task lifecycle: `blocked → ready → leased → done | failed`, `ready` again after a retry. */
export const TASK_STATES = ['blocked', 'ready', 'leased', 'done', 'failed', 'cancelled'] as const;
export type TaskState = (typeof TASK_STATES)[number];

/**
 * The job state machine: the moves each state allows. A job is created SUBMITTED (or REJECTED);
 * PAUSED goes back to PENDING or RUNNING; a paused job's running tasks may still complete it; an
 * admin's retry takes a FAILED job back to PENDING.
 */
export const JOB_MOVES: Readonly<Record<JobState, readonly JobState[]>> = {
  SUBMITTED: ['PENDING', 'PAUSED', 'FAILED', 'CANCELLED'],
  PENDING: ['RUNNING', 'PAUSED', 'COMPLETED', 'FAILED', 'CANCELLED'],
  RUNNING: ['PAUSED', 'COMPLETED', 'FAILED', 'CANCELLED'],
  PAUSED: ['PENDING', 'RUNNING', 'COMPLETED', 'FAILED', 'CANCELLED'],
  COMPLETED: [],
  FAILED: ['PENDING'],
  CANCELLED: [],
  REJECTED: [],
};

/**
 * The task state machine: `blocked → ready → leased → done | failed`, `ready` again after a
 * failed or lost attempt, `cancelled` from any open state when its job ends; a done task whose
 * unchecked result is taken back (its worker was caught lying) is ready again; an admin's retry
 * of a failed job takes its failed and cancelled tasks back to `ready` (`blocked` while a
 * predecessor is not done).
 */
export const TASK_MOVES: Readonly<Record<TaskState, readonly TaskState[]>> = {
  blocked: ['ready', 'cancelled'],
  ready: ['leased', 'failed', 'cancelled'],
  leased: ['done', 'ready', 'failed', 'cancelled'],
  done: ['ready'],
  failed: ['ready', 'blocked'],
  cancelled: ['ready', 'blocked'],
};

/** A move the state machine does not allow: a bug in the scheduler, never a worker's doing. */
export class IllegalMoveError extends Error {
  override readonly name = 'IllegalMoveError';
}

/** Throws IllegalMoveError unless the job state machine allows `from → to`. */
export function assertJobMove(from: JobState, to: JobState): void {
  if (!JOB_MOVES[from].includes(to)) throw new IllegalMoveError(`a job may not move from ${from} to ${to}`);
}

/** Throws IllegalMoveError unless the task state machine allows `from → to`. */
export function assertTaskMove(from: TaskState, to: TaskState): void {
  if (!TASK_MOVES[from].includes(to)) throw new IllegalMoveError(`a task may not move from ${from} to ${to}`);
}
