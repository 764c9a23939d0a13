import { z } from 'zod';
import { Sha256 } from './sha256.js';

/** A reference to bytes stored on the coordinator by their SHA-256. */
export const BlobRef = z.strictObject({ blob: Sha256 });
export type BlobRef = z.infer<typeof BlobRef>;

/** Task code: ES module source text, or a blob holding it. */
export const CodeSpec = z.union([z.string().min(1, 'code must not be empty'), BlobRef]);
export type CodeSpec = z.infer<typeof CodeSpec>;

/** Input of an items job: each item is one call of the module's default export; a task is one chunk. */
export const ItemsInput = z.strictObject({
  items: z.array(z.unknown()).min(1, 'items must not be empty'),
  chunkSize: z.number().int().min(1).max(1_000_000).default(1),
});
export type ItemsInput = z.infer<typeof ItemsInput>;

/** How often a task is tried before its job fails. */
export const RetryPolicy = z.strictObject({
  /** Attempts that may end in a thrown error. @default 3 */
  maxAttempts: z.number().int().min(1).max(100).default(3),
  /** Leases that may lapse (tab closed, network lost) before the task counts as failed. @default 10 */
  maxLapses: z.number().int().min(1).max(1000).default(10),
});
export type RetryPolicy = z.infer<typeof RetryPolicy>;

/**
 * A job as a user submits it (JSON to the REST API, YAML through the CLI).
 * @example
 * JobSpec.parse({
 *   name: 'squares',
 *   code: 'export default (x) => x * x',
 *   input: { items: [1, 2, 3], chunkSize: 2 },
 * })
 */
export const JobSpec = z.strictObject({
  name: z.string().min(1).max(200),
  code: CodeSpec,
  input: ItemsInput,
  retry: RetryPolicy.default({ maxAttempts: 3, maxLapses: 10 }),
  /** Higher runs first. @default 0 */
  priority: z.number().int().min(-1000).max(1000).default(0),
});
/** A spec as written by a user: defaults may be left out. */
export type JobSpecInput = z.input<typeof JobSpec>;
/** A spec after validation, defaults filled in. */
export type JobSpec = z.output<typeof JobSpec>;
