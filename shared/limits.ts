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
  const stack: { value: unknown; depth: number; path: string }[] = [{ value, depth: 0, path: '' }];
  while (stack.length > 0) {
    const { value: current, depth, path } = stack.pop()!;
    if (typeof current !== 'object' || current === null) continue;
    if (depth >= maxDepth) return path;
    for (const [key, child] of Object.entries(current)) {
      if (typeof child === 'object' && child !== null) stack.push({ value: child, depth: depth + 1, path: path === '' ? key : `${path}.${key}` });
    }
  }
  return undefined;
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
