import type { LogLevel, TaskInput } from '../../shared/index.js';
import type { WorkerClientEvent } from '../../worker/index.js';

/** A line for the page's log panel. */
export interface LogLine {
  level: LogLevel;
  text: string;
}

/**
 * Turns client events into lines a volunteer can read, naming tasks by job and index.
 * @example
 * const log = new EventLog();
 * log.describe({ type: 'task-start', lease }) // { level: 'info', text: 'started squares task 3 (2 items)' }
 */
export class EventLog {
  readonly #taskNames = new Map<string, string>();

  /** The line for `event`, or null for events the state line already shows. */
  describe(event: WorkerClientEvent): LogLine | null {
    switch (event.type) {
      case 'task-start': {
        const { lease } = event;
        const name = `${lease.jobName} task ${lease.taskIndex}`;
        this.#taskNames.set(lease.leaseId, name);
        if (event.resumed) return info(`took ${name} up again after the reload (${describeWork(lease.input)})`);
        const resumed = lease.restored === undefined ? '' : ', resuming from a checkpoint';
        return info(`started ${name} (${describeWork(lease.input)}${resumed})`);
      }
      case 'task-log':
        return { level: event.level, text: `[${this.#name(event.leaseId)}] ${event.message}` };
      case 'task-end':
        return this.#ended(event);
      case 'ack':
        return this.#acknowledged(event);
      case 'coordinator-error':
        return { level: 'error', text: `coordinator: ${event.message} (${event.code})` };
      case 'warning':
        return { level: 'warn', text: event.message };
      // A refused checkpoint is logged by the task runtime itself.
      case 'state':
      case 'task-progress':
      case 'checkpointed':
        return null;
    }
  }

  #ended(event: Extract<WorkerClientEvent, { type: 'task-end' }>): LogLine {
    const name = this.#name(event.leaseId);
    if (event.outcome === 'result') return info(`finished ${name}`);
    if (event.outcome === 'fail') return { level: 'error', text: `${name} failed: ${event.message ?? 'unknown error'}` };
    this.#taskNames.delete(event.leaseId);
    return { level: 'warn', text: `stopped ${name}: ${event.message ?? 'aborted'}` };
  }

  #acknowledged(event: Extract<WorkerClientEvent, { type: 'ack' }>): LogLine | null {
    const name = this.#name(event.leaseId);
    this.#taskNames.delete(event.leaseId);
    if (event.status === 'accepted') return null;
    return { level: 'warn', text: `the coordinator ignored the report of ${name}${event.reason ? `: ${event.reason}` : ''}` };
  }

  #name(leaseId: string): string {
    return this.#taskNames.get(leaseId) ?? `lease ${leaseId}`;
  }
}

/**
 * A task's work in a few words.
 * @example describeWork({ kind: 'items', firstItem: 0, items: [1, 2] }) // '2 items'
 */
export function describeWork(input: TaskInput): string {
  switch (input.kind) {
    case 'items':
      return `${input.items.length} ${input.items.length === 1 ? 'item' : 'items'}`;
    case 'range':
      return `range ${input.start}..${input.end}`;
    case 'blob':
      return `${input.length} bytes of a blob`;
    case 'reduce':
      return `reduce of ${input.outputs.length} outputs`;
  }
}

function info(text: string): LogLine {
  return { level: 'info', text };
}
