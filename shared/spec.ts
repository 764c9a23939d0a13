import { z } from 'zod';
import { Sha256 } from './sha256.js';
import { Validation } from './validation.js';

/** A reference to bytes stored on the coordinator by their SHA-256. */
export const BlobRef = z.strictObject({ blob: Sha256 });
export type BlobRef = z.infer<typeof BlobRef>;

/** Task code: ES module source text, or a blob holding it. */
export const CodeSpec = z.union([z.string().min(1, 'code must not be empty'), BlobRef]);
export type CodeSpec = z.infer<typeof CodeSpec>;

const Count = z.number().int().min(1).max(10_000_000);

/**
 * `items`: each item is one call of the module's default export, `(item, ctx) => output`;
 * a task is a chunk of `chunkSize` items, or the items split into `chunks` tasks.
 * @example { items: [1, 2, 3, 4], chunkSize: 2 }
 */
export const ItemsInput = z
  .strictObject({
    partitioner: z.literal('items'),
    items: z.array(z.unknown()).min(1, 'items must not be empty'),
    chunkSize: Count.optional(),
    chunks: Count.optional(),
  })
  .refine((input) => input.chunkSize === undefined || input.chunks === undefined, {
    message: 'give chunkSize or chunks, not both',
    path: ['chunks'],
  });
export type ItemsInput = z.output<typeof ItemsInput>;

/**
 * `range`: the indices `start, start+step, ... < end`, split into tasks of `chunkSize` indices
 * (or into `chunks` tasks); the module's default export is called once per task with its
 * sub-range `{ start, end, step }`.
 * @example { range: { start: 0, end: 1000000, step: 1 }, chunks: 100 }
 */
export const RangeInput = z
  .strictObject({
    partitioner: z.literal('range'),
    range: z
      .strictObject({ start: z.number().int(), end: z.number().int(), step: z.number().int().min(1).default(1) })
      .refine((range) => range.end > range.start, { message: 'end must be greater than start', path: ['end'] })
      .refine((range) => range.end - range.start <= Number.MAX_SAFE_INTEGER, {
        message: `end - start must be at most ${Number.MAX_SAFE_INTEGER}, so every index is exact`,
        path: ['end'],
      }),
    chunkSize: Count.optional(),
    chunks: Count.optional(),
  })
  .refine((input) => input.chunkSize === undefined || input.chunks === undefined, {
    message: 'give chunkSize or chunks, not both',
    path: ['chunks'],
  });
export type RangeInput = z.output<typeof RangeInput>;

/**
 * `blob`: a stored blob split into shards of `shardBytes` bytes, or of `shardRecords` records
 * ended by `separator`; the module's default export is called once per shard with its bytes
 * (a Uint8Array) or its records (strings).
 * @example { blob: '9f86d0...', shardRecords: 1000 }
 */
export const BlobInput = z
  .strictObject({
    partitioner: z.literal('blob'),
    blob: Sha256,
    shardBytes: Count.optional(),
    shardRecords: Count.optional(),
    separator: z.string().min(1).max(16).default('\n'),
  })
  .refine((input) => (input.shardBytes === undefined) !== (input.shardRecords === undefined), {
    message: 'give exactly one of shardBytes or shardRecords',
    path: ['shardBytes'],
  });
export type BlobInput = z.output<typeof BlobInput>;

const PARTITIONERS = ['items', 'range', 'blob'] as const;

/** `partitioner` may be left out: the input's shape (`items`, `range` or `blob`) names it. */
function namePartitioner(input: unknown): unknown {
  if (typeof input !== 'object' || input === null || Array.isArray(input) || 'partitioner' in input) return input;
  const named = PARTITIONERS.find((name) => name in input);
  return named ? { partitioner: named, ...input } : input;
}

/** The job's input and how it is partitioned into tasks. */
export const JobInput = z.preprocess(
  namePartitioner,
  z.discriminatedUnion('partitioner', [ItemsInput, RangeInput, BlobInput], {
    error: () => "input needs 'items', 'range' or 'blob' (or a 'partitioner' naming one)",
  }),
);
export type JobInput = z.output<typeof JobInput>;

/** Exponential backoff between attempts: `initialMs · factor^(n-1)`, at most `maxMs`, with jitter. */
export const Backoff = z.strictObject({
  /** @default 1000 */
  initialMs: z.number().int().min(0).max(3_600_000).default(1000),
  /** @default 2 */
  factor: z.number().min(1).max(100).default(2),
  /** @default 60000 */
  maxMs: z.number().int().min(0).max(86_400_000).default(60_000),
});
export type Backoff = z.output<typeof Backoff>;

/** How often and how patiently a task is tried before its job fails. */
export const RetryPolicy = z.strictObject({
  /** Attempts that may end in a thrown error (or a timeout). @default 3 */
  maxAttempts: z.number().int().min(1).max(100).default(3),
  /** Leases that may lapse (tab closed, network lost) before the task counts as failed. @default 10 */
  maxLapses: z.number().int().min(1).max(1000).default(10),
  /** Wait before a failed task is tried again. @default { initialMs: 1000, factor: 2, maxMs: 60000 } */
  backoff: Backoff.default({ initialMs: 1000, factor: 2, maxMs: 60_000 }),
  /** An attempt running longer than this is abandoned and counts as a failure. @default no limit */
  timeoutMs: z.number().int().min(1).max(86_400_000).optional(),
  /**
   * Distinct workers a task must fail on before its job fails: failures on one worker alone count
   * against that worker, which then gets the task no more, not against the job (a volunteer may
   * fail on purpose). 1 fails the job on one worker's failures (a trusted grid). @default 2
   */
  distinctWorkers: z.number().int().min(1).max(16).default(2),
});
export type RetryPolicy = z.output<typeof RetryPolicy>;

/**
 * A gang: each task runs on several workers at once (ranks 0..size-1) that talk to each other
 * through `ctx.comm`. `size` for a fixed gang; `min`/`max` with runMode `elastic`.
 * @example { size: 4 }
 */
export const Gang = z
  .strictObject({
    size: z.number().int().min(1).max(64).optional(),
    min: z.number().int().min(1).max(64).optional(),
    max: z.number().int().min(1).max(64).optional(),
    /** The rank whose return value is the task's output. @default 0 */
    resultRank: z.number().int().min(0).max(63).default(0),
    /** How long a collective waits for the other ranks before it fails. @default 30000 */
    timeoutMs: z.number().int().min(100).max(3_600_000).default(30_000),
    /**
     * Elastic gangs only (a fixed gang starts when `size` workers are there): how long a ready
     * task waits for `max` workers before it starts with fewer (at least `min`). A gang that
     * re-forms (a member lost, or workers joining at a checkpoint) waits the same, so the members
     * told to stop have time to ask again. 0 starts at once with whoever is there.
     * @default 1000
     * @example { min: 2, max: 8, rendezvousMs: 5000 }
     */
    rendezvousMs: z.number().int().min(0).max(600_000).default(1000),
  })
  .refine((gang) => (gang.size !== undefined) !== (gang.min !== undefined && gang.max !== undefined), {
    message: 'give size, or min and max (runMode elastic)',
    path: ['size'],
  })
  .refine((gang) => gang.min === undefined || gang.max === undefined || gang.min <= gang.max, {
    message: 'min must not be over max',
    path: ['min'],
  })
  .refine((gang) => gang.resultRank < (gang.size ?? gang.min ?? 1), {
    message: 'resultRank must be a rank every attempt has',
    path: ['resultRank'],
  });
export type Gang = z.output<typeof Gang>;

/**
 * - `immediate`: tasks are leased as soon as they are ready.
 * - `paused`: accepted, but nothing is leased until `POST /jobs/:id/resume`.
 * - `debug`: one task at a time, only to workers that joined with `&debug=1`.
 * - `local`: run in the calling process by the SDK (never sent to a coordinator).
 * - `elastic`: a gang of between `gang.min` and `gang.max` ranks.
 */
export const RunMode = z.enum(['immediate', 'paused', 'debug', 'local', 'elastic']);
export type RunMode = z.output<typeof RunMode>;

/** What a worker must have to take this job's tasks. */
export const Requirements = z.strictObject({
  webgpu: z.boolean().optional(),
  runtime: z.enum(['browser', 'node']).optional(),
  minCores: z.number().int().min(1).optional(),
  minMemoryGb: z.number().positive().optional(),
});
export type Requirements = z.output<typeof Requirements>;

/**
 * How `ctx.tensor` runs a job's tasks on a volunteer's tab.
 * @example TensorOptions.parse({ threads: true })
 */
export const TensorOptions = z.strictObject({
  /**
   * Each task is heavy enough to want every core the tab may use: on the WASM backend its
   * matmuls and large elementwise ops and reductions are split across threads (where the tab is
   * cross-origin isolated). Gang members always get them; other tasks run on one thread, since a
   * tab may run several tasks at once.
   * @default false
   */
  threads: z.boolean().optional(),
});
export type TensorOptions = z.output<typeof TensorOptions>;

/**
 * A job's priority: higher runs first, equal priorities take turns.
 * @example Priority.parse(10)
 */
export const Priority = z.number().int().min(-1000).max(1000);

const ItemEdge = z.tuple([z.number().int().min(0), z.number().int().min(0)]);

/**
 * A job as a user submits it (JSON to the REST API, YAML through the CLI).
 * @example
 * JobSpec.parse({
 *   name: 'squares',
 *   code: 'export default (x) => x * x',
 *   input: { items: [1, 2, 3], chunkSize: 2 },
 * })
 */
export const JobSpec = z
  .strictObject({
  name: z.string().min(1).max(200),
  code: CodeSpec,
  input: JobInput,
  /** `[a, b]`: item (or, for range and blob jobs, task) `b` runs only after `a` is done. */
  dependencies: z.array(ItemEdge).max(1_000_000).optional(),
  /** Module run once after all tasks, `(outputs, ctx) => result`: its output is the job's result. */
  reduce: CodeSpec.optional(),
  /** Jobs that must COMPLETE before this one runs; if one fails or is cancelled, so does this one. */
  dependsOn: z.array(z.string().min(1).max(100)).max(1000).optional(),
  retry: RetryPolicy.default({ maxAttempts: 3, maxLapses: 10, backoff: { initialMs: 1000, factor: 2, maxMs: 60_000 }, distinctWorkers: 2 }),
  /** Higher runs first; equal priorities take turns. @default 0 */
  priority: Priority.default(0),
  /** @default 'immediate' */
  runMode: RunMode.default('immediate'),
  requires: Requirements.optional(),
  /** A key seen before returns the job it made instead of a new one. */
  idempotencyKey: z.string().min(1).max(200).optional(),
  /** Run each task on several workers at once. */
  gang: Gang.optional(),
  /** Run each task on several workers and accept a result only when enough of them agree. */
  validation: Validation.optional(),
  /** How `ctx.tensor` runs this job's tasks. */
  tensor: TensorOptions.optional(),
})
  .refine((spec) => !spec.gang || spec.input.partitioner !== 'items' || ((spec.input.chunkSize ?? 1) === 1 && spec.input.chunks === undefined), {
    message: 'a gang task runs one item on every rank: leave chunkSize at 1 (and chunks out)',
    path: ['input', 'chunkSize'],
  })
  .refine((spec) => !(spec.gang && spec.validation), {
    message: 'a gang job cannot be validated by replication: its ranks already run together (leave validation out)',
    path: ['validation'],
  })
  .refine((spec) => (spec.runMode === 'elastic') === (spec.gang?.min !== undefined), {
    message: "runMode 'elastic' goes with gang { min, max }, and gang { min, max } with runMode 'elastic'",
    path: ['runMode'],
  }).meta({ id: 'JobSpec' });
/** A spec as written by a user: defaults may be left out. */
export type JobSpecInput = z.input<typeof JobSpec>;
/** A spec after validation, defaults filled in. */
export type JobSpec = z.output<typeof JobSpec>;
