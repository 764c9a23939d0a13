import { TabgridError } from '../errors.js';
import { isFunctionExpressionSource } from '../task-module.js';
import { runPipeline, type StepKind } from './runtime.js';

/** A step as the builder keeps it: where it runs, and its source. */
export interface StepSource {
  readonly kind: StepKind;
  readonly source: string;
}

// Bundlers that keep function names (esbuild's keepNames, used by tsx and vitest) insert
// `__name(fn, "fn")` calls into function bodies; the tab running the module has no such helper.
const KEEP_NAMES_SHIM = "const __name = (target, value) => Object.defineProperty(target, 'name', { value, configurable: true });";

/**
 * The source of a step function, to be sent in the task module.
 * @throws {TabgridError} for a function whose source does not stand alone (built-in, bound, a
 * class, method shorthand)
 * @example stepSource('master', (x: number) => x + 1) // '(x) => x + 1'
 */
export function stepSource(kind: StepKind, fn: (...args: never[]) => unknown): string {
  const source = fn.toString().trim();
  const where = `pipeline: the ${kind} step`;
  if (/\{\s*\[native code\]\s*\}$/.test(source)) {
    throw new TabgridError(`${where} has no source to send (built-in or bound); pass an arrow function or function expression`);
  }
  if (/^class\b/.test(source)) throw new TabgridError(`${where} is a class; pass an arrow function or function expression`);
  if (!isFunctionExpressionSource(source)) {
    throw new TabgridError(
      `${where}'s source \`${firstLine(source)}\` is method shorthand, which does not stand alone; ` +
        'write it as an arrow function `(value, ctx) => ...` or `function (value, ctx) { ... }`',
    );
  }
  return source;
}

/**
 * The ES module a pipeline job runs on every rank: the steps' sources, the runtime that walks
 * them ({@link runPipeline}'s own source), and a default export that starts it.
 * @example pipelineModuleSource([{ kind: 'public', source: '(x) => x + 1' }], 0)
 */
export function pipelineModuleSource(steps: readonly StepSource[], master: number): string {
  const list = steps.map(({ kind, source }) => `  { kind: ${JSON.stringify(kind)}, run: (${source}) },`).join('\n');
  return [
    KEEP_NAMES_SHIM,
    `const steps = [\n${list}\n];`,
    `const runPipeline = (${runPipeline.toString()});`,
    `export default (item, ctx) => runPipeline(steps, ${master}, item, ctx);`,
    '',
  ].join('\n');
}

function firstLine(source: string): string {
  const line = source.split('\n', 1)[0] ?? '';
  return line.length > 60 ? `${line.slice(0, 60)}...` : line;
}
