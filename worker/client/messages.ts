import { CoordinatorMessage, summarizeIssues, taskOutputProblem, type LogLevel, type WorkerMessageInput } from '../../shared/index.js';
import { describeFailure } from '../errors.js';
import { truncate } from '../task/log-format.js';

/** A coordinator message, or why the data was not one. */
export type ParsedMessage = { ok: true; message: CoordinatorMessage } | { ok: false; reason: string };

/**
 * Reads one socket frame as a {@link CoordinatorMessage}, validated by its schema.
 * @example parseCoordinatorMessage('{"type":"ack","leaseId":"l1","status":"accepted"}')
 */
export function parseCoordinatorMessage(data: unknown): ParsedMessage {
  const text = frameText(data);
  if (text === undefined) return { ok: false, reason: 'a frame that is not text' };
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return { ok: false, reason: `not JSON: ${truncate(text, 200)}` };
  }
  const parsed = CoordinatorMessage.safeParse(json);
  if (!parsed.success) return { ok: false, reason: `not a coordinator message: ${summarizeIssues(parsed.error)}` };
  return { ok: true, message: parsed.data };
}

function frameText(data: unknown): string | undefined {
  if (typeof data === 'string') return data;
  if (data instanceof ArrayBuffer || ArrayBuffer.isView(data)) return new TextDecoder().decode(data);
  return undefined;
}

/** A finished task's report: `result`, or `fail` when it threw or its outputs are not JSON. */
export type TaskReport = Extract<WorkerMessageInput, { type: 'result' | 'fail' }>;

/**
 * The `result` message of a task, or a `fail` one when its outputs cannot travel as JSON as they
 * are (see `taskOutputProblem`; an output that is undefined is sent as null).
 * @example resultReport('l1', [1, 4, 9]) // { type: 'result', leaseId: 'l1', outputs: [1, 4, 9] }
 */
export function resultReport(leaseId: string, outputs: unknown): TaskReport {
  if (!Array.isArray(outputs)) return failReport(leaseId, new TypeError('task outputs must be an array'));
  for (const [index, output] of outputs.entries()) {
    const problem = taskOutputProblem(output, `output ${index}`);
    if (problem !== undefined) return failReport(leaseId, { message: `task outputs are not JSON-serialisable: ${problem}` });
  }
  return { type: 'result', leaseId, outputs };
}

/**
 * The `fail` message for anything a task threw, cut to the protocol's limits.
 * @example failReport('l1', new Error('boom')) // { type: 'fail', leaseId: 'l1', error: { message: 'boom', stack: '...' } }
 */
export function failReport(leaseId: string, thrown: unknown): TaskReport {
  const failure = describeFailure(thrown);
  const error: { message: string; stack?: string; cause?: 'gang' } = { message: truncate(failure.message, 10_000) };
  if (failure.stack !== undefined) error.stack = truncate(failure.stack, 20_000);
  if (failure.cause !== undefined) error.cause = failure.cause;
  return { type: 'fail', leaseId, error };
}

/** A `log` message, cut to the protocol's limit. */
export function logMessage(leaseId: string, level: LogLevel, message: string): WorkerMessageInput {
  return { type: 'log', leaseId, level, message: truncate(message, 10_000) };
}

/** A `progress` message, its fraction kept within 0..1. */
export function progressMessage(leaseId: string, fraction: number): WorkerMessageInput {
  return { type: 'progress', leaseId, fraction: Math.min(Math.max(Number.isNaN(fraction) ? 0 : fraction, 0), 1) };
}
