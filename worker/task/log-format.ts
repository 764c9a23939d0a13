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

/**
 * `text` cut to at most `max` characters, marked with an ellipsis when cut.
 * @example truncate('abcdef', 4) // 'abc…'
 */
export function truncate(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, Math.max(0, max - 1))}…`;
}
