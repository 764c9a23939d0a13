// `truncate` is the one rule for cutting text short, kept in shared/ for the coordinator's log lines too.
export { truncate } from '../../shared/index.js';

/**
 * One log line from `ctx.log(...args)`, joined like `console.log`: strings as they are,
 * errors by their stack, other objects as JSON.
 * @example formatLogArgs(['sum', 3, { ok: true }]) // 'sum 3 {"ok":true}'
 */
export function formatLogArgs(args: readonly unknown[]): string {
  return args.map(formatLogArg).join(' ');
}

function formatLogArg(value: unknown): string {
  if (typeof value === 'string') return value;
  if (value instanceof Error) return value.stack ?? `${value.name}: ${value.message}`;
  if (typeof value === 'function') return `[Function ${value.name || 'anonymous'}]`;
  if (typeof value === 'object' && value !== null) return toJson(value);
  return String(value);
}

function toJson(value: object): string {
  try {
    return JSON.stringify(value) ?? Object.prototype.toString.call(value);
  } catch {
    // Cycles and BigInts cannot be JSON: say at least what kind of object it was.
    return Object.prototype.toString.call(value);
  }
}
