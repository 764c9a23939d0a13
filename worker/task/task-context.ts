import type { ContextExtras, Predecessor, TaskContext, TaskInfo } from '../../shared/index.js';

/** The parts of `ctx` that differ from call to call. */
export interface CallContext {
  task: Readonly<TaskInfo>;
  restored: unknown;
  predecessors: readonly Predecessor[];
  log(args: unknown[]): void;
  progress(fraction: number): void;
  checkpoint(state: unknown): Promise<boolean>;
}

/**
 * Builds the `ctx` of one call. Extras are copied with their getters, so a lazy member
 * (`ctx.tensor`) is made only when task code reads it.
 */
export function createTaskContext(call: CallContext, extras: ContextExtras = {}): TaskContext {
  const ctx: object = Object.defineProperties({}, Object.getOwnPropertyDescriptors(extras));
  return Object.defineProperties(ctx, Object.getOwnPropertyDescriptors(ownMembers(call))) as TaskContext;
}

function ownMembers(call: CallContext): TaskContext {
  return {
    task: call.task,
    restored: call.restored,
    predecessors: call.predecessors,
    log: (...args) => call.log(args),
    progress: (fraction) => {
      if (typeof fraction === 'number' && !Number.isNaN(fraction)) call.progress(Math.min(Math.max(fraction, 0), 1));
    },
    checkpoint: (state) => call.checkpoint(state),
  };
}
