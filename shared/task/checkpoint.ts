/** The coordinator's answer to a checkpoint (`checkpointed`), as the runtime sees it. */
export interface CheckpointAck {
  /**
   * `stored`: durable, a later attempt starts from it; `refused`: too large, the last stored one
   * stands; `ignored`: the lease is no longer current.
   */
  status: 'stored' | 'refused' | 'ignored';
  reason?: string;
}

/**
 * What a task's checkpoints hold. The runtime owns this envelope: `items` is how far an items
 * task got (the outputs of its first `done` items, which a new attempt reuses instead of running
 * them again), `user` the last state task code passed to `ctx.checkpoint` (its `ctx.restored`).
 * @example { items: { done: 5, outputs: [0, 10, 20, 30, 40] }, user: { partialSum: 100 } }
 */
export interface CheckpointEnvelope {
  items?: { done: number; outputs: unknown[] };
  user?: unknown;
}

const ENVELOPE_KEYS: ReadonlySet<string> = new Set(['items', 'user']);

/**
 * The envelope in a lease's `restored`: `{}` for none. A checkpoint that is not an envelope
 * (saved by something else) is taken as the user's state; an `items` part that does not add
 * up (`outputs.length !== done`) is dropped, so the attempt starts from the first item.
 * @example readCheckpoint({ items: { done: 1, outputs: [7] } }) // { items: { done: 1, outputs: [7] } }
 */
export function readCheckpoint(restored: unknown): CheckpointEnvelope {
  if (restored === undefined) return {};
  if (!isEnvelope(restored)) return { user: restored };
  const envelope: CheckpointEnvelope = {};
  if ('user' in restored) envelope.user = restored.user;
  if (isItemsProgress(restored.items)) envelope.items = restored.items;
  return envelope;
}

function isEnvelope(value: unknown): value is { items?: unknown; user?: unknown } {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const keys = Object.keys(value);
  return keys.length > 0 && keys.every((key) => ENVELOPE_KEYS.has(key));
}

function isItemsProgress(value: unknown): value is { done: number; outputs: unknown[] } {
  if (typeof value !== 'object' || value === null) return false;
  const { done, outputs } = value as { done?: unknown; outputs?: unknown };
  return Number.isInteger(done) && Array.isArray(outputs) && outputs.length === done;
}
