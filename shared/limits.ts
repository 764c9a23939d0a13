import { InvalidSpecError } from './partition/errors.js';

/**
 * Bounds on what accepting one job may cost: checked before anything is partitioned or stored,
 * by the coordinator and by the SDK's local runner alike, so a 150-byte spec cannot ask for a
 * hundred million tasks.
 */
export interface SpecLimits {
  /** Deepest nesting of arrays and objects anywhere in a spec (or a worker's message). @default 64 */
  maxDepth: number;
  /** Most tasks one job may have, counted from its input before it is partitioned. @default 100000 */
  maxTasks: number;
  /** Most items in one items job. @default 1000000 */
  maxItems: number;
}

export const DEFAULT_SPEC_LIMITS: Readonly<SpecLimits> = { maxDepth: 64, maxTasks: 100_000, maxItems: 1_000_000 };

/** A spec over one of the {@link SpecLimits}: answered 413, naming the limit. */
export class SpecLimitError extends InvalidSpecError {
  override readonly name = 'SpecLimitError';

  constructor(
    path: string,
    reason: string,
    readonly limit: keyof SpecLimits,
  ) {
    super(path, reason);
  }
}

/**
 * The path of the first place where `value` nests arrays and objects deeper than `maxDepth`, or
 * undefined. Walks with its own stack, so a value nested a million deep is measured, not a crash.
 * @example deeperThan({ a: [[1]] }, 2) // 'a.0'
 */
export function deeperThan(value: unknown, maxDepth: number): string | undefined {
  // Each entry names its parent and key: a path is made only for the place that is too deep, and
  // an array of a million scalars is walked without a million keys or pairs.
  interface Place {
    value: object;
    depth: number;
    parent: Place | undefined;
    key: string | number;
  }
  if (typeof value !== 'object' || value === null) return undefined;
  const stack: Place[] = [{ value, depth: 0, parent: undefined, key: '' }];
  while (stack.length > 0) {
    const place = stack.pop()!;
    if (place.depth >= maxDepth) return pathOf(place);
    const { value: current } = place;
    const depth = place.depth + 1;
    if (Array.isArray(current)) {
      for (let index = 0; index < current.length; index++) {
        const child: unknown = current[index];
        if (typeof child === 'object' && child !== null) stack.push({ value: child, depth, parent: place, key: index });
      }
      continue;
    }
    for (const key in current) {
      if (!Object.hasOwn(current, key)) continue;
      const child: unknown = (current as Record<string, unknown>)[key];
      if (typeof child === 'object' && child !== null) stack.push({ value: child, depth, parent: place, key });
    }
  }
  return undefined;
}

function pathOf(place: { parent: unknown; key: string | number }): string {
  const keys: (string | number)[] = [];
  for (let at = place as { parent: unknown; key: string | number } | undefined; at?.parent !== undefined; at = at.parent as typeof at) keys.push(at.key);
  return keys.reverse().join('.');
}

/** The {@link SpecLimitError} for a spec nested deeper than `maxDepth`, or undefined. */
export function depthError(spec: unknown, maxDepth: number): SpecLimitError | undefined {
  const path = deeperThan(spec, maxDepth);
  return path === undefined ? undefined : new SpecLimitError(path || '(root)', `nested more than ${maxDepth} deep (limit maxDepth)`, 'maxDepth');
}

/** How many pieces `count` things make when split `chunkSize` at a time or into `chunks` parts. */
export function chunkCount(count: number, chunkSize: number | undefined, chunks: number | undefined): number {
  if (chunks !== undefined) return Math.min(chunks, count);
  return Math.ceil(count / (chunkSize ?? 1));
}

/** Throws {@link SpecLimitError} when `tasks` is over `maxTasks`. */
export function checkTaskCount(tasks: number, maxTasks: number, path: string, hint: string): void {
  if (tasks > maxTasks) throw new SpecLimitError(path, `makes ${tasks} tasks, over the limit of ${maxTasks} (maxTasks): ${hint}`, 'maxTasks');
}
