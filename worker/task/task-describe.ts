import type { CheckpointEnvelope } from '../../shared/index.js';
import type { TaskInput, TaskLease } from '../../shared/index.js';

import { formatLogArgs, truncate } from './log-format.js';

const PREVIEW_CHARS = 1000;

/**
 * A value as a debug log shows it: JSON-ish, cut to 1000 characters; bytes by their length.
 * @example describeValue('a') // '"a"'
 */
export function describeValue(value: unknown): string {
  if (value instanceof Uint8Array) return `Uint8Array(${value.length} bytes)`;
  return truncate(typeof value === 'string' ? JSON.stringify(value) : formatLogArgs([value]), PREVIEW_CHARS);
}

/** The debug line for a lease that arrived: which task, which attempt, what input. */
export function describeLease(lease: TaskLease): string {
  const restored = lease.restored === undefined ? '' : `, restored ${describeValue(lease.restored)}`;
  const timeout = lease.timeoutMs === undefined ? '' : `, timeout ${lease.timeoutMs} ms`;
  return (
    `lease ${lease.leaseId}: ${lease.jobName} (${lease.jobId}) task ${lease.taskIndex} attempt ${lease.attempt}, ` +
    `${describeInput(lease.input)}${restored}${timeout}`
  );
}

/**
 * What a task runs over, in a few words.
 * @example describeInput({ kind: 'range', start: 0, end: 10, step: 1 }) // 'range 0..10 step 1'
 */
export function describeInput(input: TaskInput): string {
  switch (input.kind) {
    case 'items': {
      const last = input.firstItem + input.items.length - 1;
      return `items ${input.firstItem}..${last} ${describeValue(input.items)}${describeEdges(input)}`;
    }
    case 'range':
      return `range ${input.start}..${input.end} step ${input.step}${describeEdges(input)}`;
    case 'blob':
      return (
        `blob ${input.blob.slice(0, 12)}… bytes ${input.offset}+${input.length}` +
        `${input.records ? ` as records split by ${JSON.stringify(input.separator)}` : ''}${describeEdges(input)}`
      );
    case 'reduce':
      return `reduce of ${input.outputs.length} outputs`;
  }
}

function describeEdges(input: Exclude<TaskInput, { kind: 'reduce' }>): string {
  if (!input.predecessors) return '';
  return `, predecessors ${describeValue(input.predecessors)}`;
}

/** A checkpoint as a debug line shows it. */
export function describeEnvelope(envelope: CheckpointEnvelope): string {
  const parts: string[] = [];
  if (envelope.items) parts.push(`${envelope.items.done} items done`);
  if ('user' in envelope) parts.push(`state ${describeValue(envelope.user)}`);
  return parts.join(', ') || 'empty';
}
