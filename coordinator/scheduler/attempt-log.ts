import { formatDuration, MAX_LOG_CHARS, truncate, type AttemptEnd, type LogLevel, type RetryDecision, type ThrownError } from '../../shared/index.js';

/** A line of a task's log, less the job, task and time. */
export interface AttemptLine {
  level: LogLevel;
  workerId: string;
  message: string;
}

/**
 * The task log's line for an attempt that ended without a result, so that `tabgrid logs` shows
 * where and how a job failed: a throw (with the stack the task code threw) or a timeout at error
 * level, a lost lease as a warning, each saying what comes next. None for a gang that re-forms:
 * that is logged where it happens.
 * @example attemptLine({ type: 'threw', error: { message: 'bad 2' }, workerId: 'w_1' }, decision, 3)
 * // { level: 'error', workerId: 'w_1', message: 'attempt 3 failed; the job fails: bad 2' }
 */
export function attemptLine(end: AttemptEnd, decision: RetryDecision, attempts: number): AttemptLine | undefined {
  const next = nextStep(decision);
  switch (end.type) {
    case 'threw':
      return { level: 'error', workerId: end.workerId, message: truncate(`attempt ${attempts} failed; ${next}: ${errorText(end.error)}`, MAX_LOG_CHARS) };
    case 'timed-out':
      return { level: 'error', workerId: end.workerId, message: `attempt ${attempts} timed out after ${formatDuration(end.timeoutMs)}; ${next}` };
    case 'lapsed':
      return { level: 'warn', workerId: end.workerId, message: `attempt ${attempts} lost (${decision.error}); ${next}` };
    case 'gang-lost':
      return undefined;
  }
}

function nextStep(decision: RetryDecision): string {
  if (decision.type === 'fail-job') return 'the job fails';
  if (decision.exclude !== undefined) return 'it waits for another worker';
  return decision.delayMs > 0 ? `retrying in ${formatDuration(decision.delayMs)}` : 'retrying';
}

/** The error with its stack; a stack that starts with the message says it once. */
function errorText(error: ThrownError): string {
  if (error.stack === undefined || error.stack === '') return error.message;
  return error.stack.includes(error.message) ? error.stack : `${error.message}\n${error.stack}`;
}
