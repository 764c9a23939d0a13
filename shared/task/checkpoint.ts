import { hasErrorName } from '../error-name.js';

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

/**
 * Task code passed `ctx.checkpoint` a state JSON cannot carry faithfully: the message says where
 * in it, what is there and what to do instead.
 * @example throw new CheckpointStateError(checkpointStateProblem(state))
 */
export class CheckpointStateError extends TypeError {
  override readonly name = 'CheckpointStateError';
}

/** True for a {@link CheckpointStateError}, from this realm or another. */
export function isCheckpointStateError(error: unknown): error is CheckpointStateError {
  return hasErrorName(error, 'CheckpointStateError');
}

/**
 * Why `ctx.checkpoint` cannot take `state`, or undefined when it can: it must come back as it
 * went (as `ctx.restored`), through JSON. See {@link jsonValueProblem} for what is refused.
 * @example checkpointStateProblem({ w: new Float32Array(3) })
 * // 'checkpoint state at .w is a Float32Array, which JSON cannot carry; convert it (Array.from) or store it as a blob'
 */
export function checkpointStateProblem(state: unknown): string | undefined {
  return jsonValueProblem(state, 'checkpoint state');
}

/**
 * Why a task output cannot be reported, or undefined when it can: as {@link jsonValueProblem},
 * except that an output that is itself undefined (task code that returns nothing) is reported
 * as null.
 * @example taskOutputProblem(new Map(), 'the output of item 4') // 'the output of item 4 is a Map, which JSON turns into {}; ...'
 */
export function taskOutputProblem(output: unknown, label: string): string | undefined {
  return output === undefined ? undefined : jsonValueProblem(output, label);
}

/**
 * Why a checkpoint as the runtime sends it (a {@link CheckpointEnvelope}, or a bare state) cannot
 * travel, or undefined when it can: its user state as {@link checkpointStateProblem}, the item
 * outputs of its `items` part as {@link taskOutputProblem}.
 * @example checkpointProblem({ items: { done: 1, outputs: [undefined] }, user: { step: 1n } }) // 'checkpoint state at .step is a BigInt, ...'
 */
export function checkpointProblem(checkpoint: unknown): string | undefined {
  if (!isEnvelope(checkpoint)) return checkpointStateProblem(checkpoint);
  if ('user' in checkpoint) {
    const problem = checkpointStateProblem(checkpoint.user);
    if (problem !== undefined) return problem;
  }
  if (checkpoint.items === undefined) return undefined;
  if (!isItemsProgress(checkpoint.items)) return jsonValueProblem(checkpoint.items, "the checkpoint's items");
  for (const [index, output] of checkpoint.items.outputs.entries()) {
    const problem = taskOutputProblem(output, `the checkpoint's output of item ${index}`);
    if (problem !== undefined) return problem;
  }
  return undefined;
}

/**
 * Why JSON cannot carry `value` faithfully (what comes back would differ from what went), naming
 * where in it (`label at .layers[2].w ...`); undefined when it can. Refused: typed arrays,
 * ArrayBuffers and DataViews; Maps and Sets (JSON makes them `{}`); Dates (JSON makes them
 * strings); undefined (JSON drops it from an object and makes it null in an array); BigInts,
 * functions and symbols, as values or keys; NaN and ±Infinity (JSON makes them null); cycles; and
 * objects other than arrays and plain objects (an instance of a class loses its class).
 * @example jsonValueProblem({ at: new Date() }, 'the output') // 'the output at .at is a Date, which JSON turns into a string; ...'
 */
export function jsonValueProblem(value: unknown, label: string): string | undefined {
  const found = findProblem(value, { path: '', in: 'top', ancestors: [] });
  if (!found) return undefined;
  return `${label}${found.path === '' ? '' : ` at ${found.path}`} ${found.problem}`;
}

interface Place {
  /** Where the value is, from the top: `.weights[3]`, or '' for the top. */
  path: string;
  in: 'top' | 'array' | 'object';
  /** The objects and arrays the value is inside, with their paths: a cycle leads back to one. */
  ancestors: { value: object; path: string }[];
}

interface Found {
  path: string;
  problem: string;
}

function findProblem(value: unknown, place: Place): Found | undefined {
  const problem = ownProblem(value, place);
  if (problem !== undefined) return { path: place.path, problem };
  if (typeof value !== 'object' || value === null) return undefined;
  const ancestors = [...place.ancestors, { value, path: place.path }];
  if (Array.isArray(value)) {
    for (let index = 0; index < value.length; index++) {
      const found = findProblem(value[index], { path: `${place.path}[${index}]`, in: 'array', ancestors });
      if (found) return found;
    }
    return undefined;
  }
  for (const key of Object.keys(value)) {
    const found = findProblem((value as Record<string, unknown>)[key], { path: place.path + keyPath(key), in: 'object', ancestors });
    if (found) return found;
  }
  return undefined;
}

/** What is wrong with `value` itself (not with what it holds). */
function ownProblem(value: unknown, place: Place): string | undefined {
  switch (typeof value) {
    case 'undefined':
      return UNDEFINED[place.in];
    case 'number':
      return Number.isFinite(value) ? undefined : `is ${String(value)}, which JSON turns into null`;
    case 'bigint':
      return 'is a BigInt, which JSON cannot carry; convert it (Number or String)';
    case 'function':
      return 'is a function, which JSON cannot carry';
    case 'symbol':
      return 'is a symbol, which JSON cannot carry';
    case 'object':
      return value === null ? undefined : objectProblem(value, place);
    default:
      return undefined;
  }
}

const UNDEFINED: Readonly<Record<Place['in'], string>> = {
  top: 'is undefined, which JSON cannot carry; use null',
  array: 'is undefined, which JSON turns into null in an array; use null',
  object: 'is undefined, which JSON drops; leave the key out or use null',
};

function objectProblem(value: object, place: Place): string | undefined {
  const back = place.ancestors.find((ancestor) => ancestor.value === value);
  if (back) return `is a reference back to ${back.path === '' ? 'the top' : back.path}: a cycle, which JSON cannot carry`;
  const tag = Object.prototype.toString.call(value).slice(8, -1);
  if (ArrayBuffer.isView(value)) {
    const kind = value.constructor.name || tag;
    const hint = tag === 'DataView' ? 'Array.from(new Uint8Array(view.buffer))' : 'Array.from';
    return `is ${article(kind)} ${kind}, which JSON cannot carry; convert it (${hint}) or store it as a blob`;
  }
  const special = SPECIAL_OBJECTS[tag];
  if (special !== undefined) return special;
  if (Array.isArray(value)) return undefined;
  const prototype: unknown = Object.getPrototypeOf(value);
  // A plain object's prototype is its realm's Object.prototype (whose own prototype is null), or null.
  if (prototype !== null && Object.getPrototypeOf(prototype) !== null) {
    const kind = (value.constructor as { name?: unknown } | undefined)?.name;
    const what = typeof kind === 'string' && kind !== '' ? `an instance of ${kind}` : 'an instance of a class';
    return `is ${what}, which JSON turns into a plain object (its class is lost); pass its data as a plain object`;
  }
  if (Object.getOwnPropertySymbols(value).length > 0) return 'has a symbol key, which JSON drops';
  return undefined;
}

const SPECIAL_OBJECTS: Readonly<Record<string, string>> = {
  ArrayBuffer: 'is an ArrayBuffer, which JSON cannot carry; convert it (Array.from(new Uint8Array(buffer))) or store it as a blob',
  SharedArrayBuffer: 'is a SharedArrayBuffer, which JSON cannot carry; convert it (Array.from(new Uint8Array(buffer))) or store it as a blob',
  Map: 'is a Map, which JSON turns into {}; convert it (Object.fromEntries(map) or [...map])',
  Set: 'is a Set, which JSON turns into {}; convert it ([...set])',
  Date: 'is a Date, which JSON turns into a string; store date.getTime() or date.toISOString() instead',
};

function article(word: string): string {
  // 'a Uint8Array', 'an Int8Array'
  return /^[AEIO]/.test(word) ? 'an' : 'a';
}

function keyPath(key: string): string {
  return /^[A-Za-z_$][\w$]*$/.test(key) ? `.${key}` : `[${JSON.stringify(key)}]`;
}
