import { KEEP_NAMES_SHIM, standaloneSource } from '../task-module.js';
import { runPipeline, type StepKind } from './runtime.js';

/** A step as the builder keeps it: where it runs, and its source. */
export interface StepSource {
  readonly kind: StepKind;
  readonly source: string;
}

/**
 * The source of a step function, to be sent in the task module.
 * @throws {TabgridError} for a function whose source does not stand alone (built-in, bound, a
 * class, method shorthand)
 * @example stepSource('master', (x: number) => x + 1) // '(x) => x + 1'
 */
export function stepSource(kind: StepKind, fn: (...args: never[]) => unknown): string {
  return standaloneSource(fn, `pipeline: the ${kind} step`);
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
