/**
 * Master/worker jobs: `pipeline({ name, size })`, then `.master(fn)`, `.worker(fn)` and
 * `.public(fn)` steps in order, then `.build()` a gang job spec to submit.
 * @example
 * const spec = pipeline({ name: 'mean', size: 3 })
 *   .master(() => [1, 2, 3, 4])
 *   .worker((xs: number[], ctx) => xs.filter((_, i) => i % 2 === ctx.rank).reduce((a, b) => a + b, 0))
 *   .master((sums: number[]) => sums.reduce((a, b) => a + b, 0) / 4)
 *   .build();
 */
export { pipeline, Pipeline, type PipelineGang, type PipelineOptions, type PipelineStep } from './pipeline.js';
export { runPipeline, type PipelineContext, type RuntimeStep, type StepKind } from './runtime.js';
export { pipelineModuleSource, stepSource, type StepSource } from './module-source.js';
