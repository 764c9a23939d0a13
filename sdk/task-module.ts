import { TabgridError } from './errors.js';

/** Any function; its source text is what gets sent. */
export type AnyFunction = (...args: never[]) => unknown;

// Bundlers that keep function names (esbuild's keepNames, used by tsx and vitest) insert
// `__name(fn, "fn")` calls into function bodies; the tab running the module has no such helper.
export const KEEP_NAMES_SHIM =
  "const __name = (target, value) => Object.defineProperty(target, 'name', { value, configurable: true });";

/**
 * The ES module a volunteer's tab runs for `map()`: `export default (<fn's source>);`.
 * Only the function's source travels, so `fn` must be self-contained: it cannot use variables
 * from the scope it was written in, nor imports. Arrow functions and function expressions,
 * async or not, work; method shorthand (`{ square(x) {...} }.square`), classes, built-in
 * and bound functions have no source that stands alone, and throw a `TabgridError`.
 * @example
 * taskModuleSource((x: number) => x * x)
 * // "const __name = ...;\nexport default ((x) => x * x);\n"
 */
export function taskModuleSource(fn: AnyFunction): string {
  return `${KEEP_NAMES_SHIM}\nexport default (${standaloneSource(fn, 'map: this function')});\n`;
}

/**
 * The source of a function that is to travel on its own, as an expression.
 * @param subject names the function in errors, e.g. `map: this function`
 * @throws {TabgridError} for a built-in or bound function, a class, or method shorthand
 * @example standaloneSource((x: number) => x + 1, 'pipeline: the master step') // '(x) => x + 1'
 */
export function standaloneSource(fn: AnyFunction, subject: string): string {
  const source = fn.toString().trim();
  if (/\{\s*\[native code\]\s*\}$/.test(source)) {
    throw new TabgridError(`${subject} has no source to send (built-in or bound); pass an arrow function or function expression`);
  }
  if (/^class\b/.test(source)) throw new TabgridError(`${subject} is a class, which cannot be a task; pass an arrow function or function expression`);
  if (!isFunctionExpressionSource(source)) {
    throw new TabgridError(
      `${subject}'s source \`${firstLine(source)}\` is method shorthand, which does not stand alone; ` +
        'write it as an arrow function `(x) => ...` or `function (x) { ... }`',
    );
  }
  return source;
}

const IDENTIFIER = String.raw`[\p{ID_Start}$_][\p{ID_Continue}$\u200c\u200d]*`;
const FUNCTION_KEYWORD = /^(async\s+)?function\b/u;
const SINGLE_PARAMETER_ARROW = new RegExp(String.raw`^(async\s+)?${IDENTIFIER}\s*=>`, 'u');
const ASYNC_PARENTHESIS = /^async\s*\(/u;

/** True when `source` (a function's `toString()`) is valid as an expression on its own. */
export function isFunctionExpressionSource(source: string): boolean {
  if (FUNCTION_KEYWORD.test(source) || SINGLE_PARAMETER_ARROW.test(source)) return true;
  if (source.startsWith('(')) return true;
  // `async (x) => ...` is an arrow; `async(x) { ... }` is a method named "async".
  if (ASYNC_PARENTHESIS.test(source)) return isArrowAfterParameters(source, source.indexOf('('));
  return false;
}

function isArrowAfterParameters(source: string, open: number): boolean {
  const close = matchingParenthesis(source, open);
  return close !== -1 && source.slice(close + 1).trimStart().startsWith('=>');
}

/** Index of the `)` closing the `(` at `open`, skipping strings and comments; -1 if none. */
function matchingParenthesis(source: string, open: number): number {
  let depth = 0;
  for (let index = open; index < source.length; index += 1) {
    const char = source[index];
    if (char === '"' || char === "'" || char === '`') {
      index = endOfString(source, index);
    } else if (source.startsWith('//', index)) {
      index = endOrLength(source.indexOf('\n', index), source);
    } else if (source.startsWith('/*', index)) {
      index = endOrLength(source.indexOf('*/', index + 2) + 1, source);
    } else if (char === '(') {
      depth += 1;
    } else if (char === ')') {
      depth -= 1;
      if (depth === 0) return index;
    }
  }
  return -1;
}

function endOfString(source: string, start: number): number {
  const quote = source[start];
  for (let index = start + 1; index < source.length; index += 1) {
    if (source[index] === '\\') index += 1;
    else if (source[index] === quote) return index;
  }
  return source.length;
}

function endOrLength(index: number, source: string): number {
  return index <= 0 ? source.length : index;
}

function firstLine(source: string): string {
  const line = source.split('\n', 1)[0] ?? '';
  return line.length > 60 ? `${line.slice(0, 60)}...` : line;
}
