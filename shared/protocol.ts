import { z } from 'zod';
import { Sha256 } from './sha256.js';
import { ErrorCode } from './errors.js';
import { LogLevel, MAX_LOG_CHARS } from './job.js';

const BackendName = z.string().min(1).max(20);

/**
 * The tensor backends a worker measured when it joined and the one its tasks use (`ctx.tensor`):
 * a summary of the tab's `TensorChoice`. Figures are GFLOPS of a square `size` matmul, readback
 * included.
 * @example { chosen: { backend: 'wasm' }, figures: [{ backend: 'wasm', size: 256, gflops: 45 }, { backend: 'webgpu', size: 256, gflops: 9 }] }
 */
export const TensorReport = z.object({
  chosen: z.object({
    backend: BackendName,
    /** The task size (`m·k·n` multiply-adds) the backend was chosen for. */
    taskMultiplyAdds: z.number().nonnegative().optional(),
    /** Which backend is fastest from which size on, smallest first. */
    bySize: z.array(z.object({ backend: BackendName, fromMultiplyAdds: z.number().nonnegative() })).max(16).optional(),
  }),
  figures: z
    .array(z.object({ backend: BackendName, size: z.number().int().positive(), gflops: z.number().nonnegative(), medianMs: z.number().nonnegative().optional() }))
    .max(64),
  /**
   * Backends this worker lacks, and why: `absent` (the browser has none), `timeout` (no answer
   * within its time limit), `failed` (it failed while tuned or measured).
   */
  unavailable: z
    .array(z.object({ backend: BackendName, why: z.enum(['absent', 'timeout', 'failed']).optional(), reason: z.string().max(1000) }))
    .max(16)
    .optional(),
  /** The WebGPU matmul configuration in use, and whether it was `tuned` at this join, `cached` from an earlier one, or the `default`. */
  webgpuMatmul: z.object({ config: z.string().max(100), source: z.enum(['tuned', 'cached', 'default']) }).optional(),
});
export type TensorReport = z.infer<typeof TensorReport>;

/** What a worker can do, reported when it joins (and again when it learns more: see `capabilities`). */
export const Capabilities = z.object({
  runtime: z.enum(['browser', 'node']),
  /** WebGPU adapter, or null for "no WebGPU". */
  webgpu: z
    .object({ vendor: z.string().max(200), architecture: z.string().max(200), description: z.string().max(1000).optional() })
    .nullable(),
  /**
   * The WebGPU adapter's limits (`adapter.limits`: `maxBufferSize`, `maxComputeWorkgroupSizeX`, ...),
   * when there is an adapter.
   * @example { maxBufferSize: 268435456, maxComputeInvocationsPerWorkgroup: 256 }
   */
  limits: z
    .record(z.string().max(100), z.number())
    .refine((limits) => Object.keys(limits).length <= 128, 'at most 128 limits')
    .optional(),
  hardwareConcurrency: z.number().int().positive().optional(),
  /** Joined with `&debug=1`: takes `debug` jobs, logs everything, stops at a breakpoint before each task. */
  debug: z.boolean().optional(),
  deviceMemory: z.number().positive().optional(),
  userAgent: z.string().max(1000),
  /** The tensor backends measured at join; a tab sends them in a `capabilities` message once measured. */
  tensor: TensorReport.optional(),
}).meta({ id: 'Capabilities' });
export type Capabilities = z.infer<typeof Capabilities>;

const LeaseId = z.string().min(1).max(100);

/** Worker → coordinator, over the socket at `/api/v1/worker?token=<join token>`. */
export const WorkerMessage = z.discriminatedUnion('type', [
  /** First message. `workerId` and `leases` let a reconnecting worker keep what it holds. */
  z.strictObject({
    type: z.literal('hello'),
    workerId: z.string().max(100).optional(),
    leases: z.array(LeaseId).max(1000).default([]),
    capabilities: Capabilities,
    /**
     * Tasks this worker runs at once: it holds at most this many leases and asks (the
     * coordinator caps it; the welcome says what it allowed). @default 1
     */
    concurrency: z.number().int().min(1).max(1024).optional(),
  }),
  /** What this worker can do has changed (its tensor backends were measured): replaces `hello`'s. */
  z.strictObject({ type: z.literal('capabilities'), capabilities: Capabilities }),
  /** "I am idle: give me one task when there is one." Each ask is answered by at most one lease. */
  z.strictObject({ type: z.literal('ask') }),
  /** Take back asks not yet answered (the volunteer paused). */
  z.strictObject({ type: z.literal('withdraw') }),
  /** Renews every lease this worker holds (those it named in `hello` and was granted since). */
  z.strictObject({ type: z.literal('heartbeat') }),
  z.strictObject({ type: z.literal('progress'), leaseId: LeaseId, fraction: z.number().min(0).max(1) }),
  z.strictObject({ type: z.literal('log'), leaseId: LeaseId, level: LogLevel, message: z.string().max(MAX_LOG_CHARS) }),
  /** State to resume from; `seq` numbers a lease's checkpoints, answered by `checkpointed`. */
  z.strictObject({ type: z.literal('checkpoint'), leaseId: LeaseId, seq: z.number().int().min(0), state: z.unknown() }),
  /** Outputs of the task's items (one output for range, blob and reduce tasks), in item order. */
  z.strictObject({ type: z.literal('result'), leaseId: LeaseId, outputs: z.array(z.unknown()) }),
  z.strictObject({
    type: z.literal('fail'),
    leaseId: LeaseId,
    error: z.strictObject({
      message: z.string().max(10_000),
      stack: z.string().max(20_000).optional(),
      /** `gang`: another member of the gang was lost or unreachable (not this member's own failure). */
      cause: z.literal('gang').optional(),
    }),
  }),
]).meta({ id: 'WorkerMessage' });
export type WorkerMessage = z.infer<typeof WorkerMessage>;
export type WorkerMessageInput = z.input<typeof WorkerMessage>;

/** What a task of an items job runs over. `predecessors` and `predecessorOutputs` carry its DAG edges. */
export const ItemsTaskInput = z.object({
  kind: z.literal('items'),
  firstItem: z.number().int(),
  items: z.array(z.unknown()),
  /** Item index → the item indices it waits for (only items that have any). */
  predecessors: z.record(z.string(), z.array(z.number().int())).optional(),
  /** Outputs of predecessors outside this task, by item index. */
  predecessorOutputs: z.record(z.string(), z.unknown()).optional(),
});

/** A sub-range of a range job: the indices `start, start+step, ... < end`. */
export const RangeTaskInput = z.object({
  kind: z.literal('range'),
  start: z.number().int(),
  end: z.number().int(),
  step: z.number().int(),
  predecessors: z.record(z.string(), z.array(z.number().int())).optional(),
  predecessorOutputs: z.record(z.string(), z.unknown()).optional(),
});

/** A shard of a blob: fetch `length` bytes at `offset` (an HTTP Range request); `records` splits them by `separator`. */
export const BlobTaskInput = z.object({
  kind: z.literal('blob'),
  blob: Sha256,
  offset: z.number().int().min(0),
  length: z.number().int().min(0),
  records: z.boolean(),
  separator: z.string(),
  predecessors: z.record(z.string(), z.array(z.number().int())).optional(),
  predecessorOutputs: z.record(z.string(), z.unknown()).optional(),
});

/** The reduce step: every output of the job, in index order. */
export const ReduceTaskInput = z.object({ kind: z.literal('reduce'), outputs: z.array(z.unknown()) });

export const TaskInput = z.discriminatedUnion('kind', [ItemsTaskInput, RangeTaskInput, BlobTaskInput, ReduceTaskInput]);
export type TaskInput = z.infer<typeof TaskInput>;

/** A member's place in a gang attempt, and how to reach the other members (PeerJS over WebRTC). */
export const GangMembership = z.object({
  /** The gang attempt: all members of one attempt share it. */
  attempt: z.string(),
  rank: z.number().int().min(0),
  size: z.number().int().min(1),
  /** PeerJS ids by rank; `peerIds[rank]` is this member's own. */
  peerIds: z.array(z.string()),
  /** The signalling server, on the coordinator's origin. */
  signalling: z.object({ path: z.string(), key: z.string() }),
  iceServers: z.array(z.object({ urls: z.union([z.string(), z.array(z.string())]), username: z.string().optional(), credential: z.string().optional() })),
  /** How long a collective waits for the others. */
  timeoutMs: z.number().int(),
});
export type GangMembership = z.infer<typeof GangMembership>;

/** A task handed to one worker. */
export const TaskLease = z.object({
  type: z.literal('lease'),
  leaseId: LeaseId,
  jobId: z.string(),
  jobName: z.string(),
  taskIndex: z.number().int(),
  attempt: z.number().int(),
  /** SHA-256 of the task's module source; fetch it from `/api/v1/worker/blobs/:sha256`. */
  code: Sha256,
  input: TaskInput,
  /** The task's last stored checkpoint, when an earlier attempt saved one. */
  restored: z.unknown().optional(),
  /** A `debug` job: log everything and stop at a breakpoint before running. */
  debug: z.boolean().optional(),
  /** Abandon the attempt after this long (the coordinator counts it as failed). */
  timeoutMs: z.number().int().optional(),
  /** This lease is one member of a gang attempt. */
  gang: GangMembership.optional(),
  /** The job asked for threads in `ctx.tensor` (`tensor.threads` of its spec). */
  tensorThreads: z.boolean().optional(),
});
export type TaskLease = z.infer<typeof TaskLease>;

/** Coordinator → worker. */
export const CoordinatorMessage = z.discriminatedUnion('type', [
  z.object({
    type: z.literal('welcome'),
    workerId: z.string(),
    heartbeatMs: z.number().int(),
    leaseMs: z.number().int(),
    /** Leases named in `hello` that are still this worker's. The others are gone: drop their work. */
    kept: z.array(LeaseId),
    /** Tasks this worker may hold at once: what it declared in `hello`, capped by the coordinator. */
    concurrency: z.number().int().min(1).optional(),
  }),
  TaskLease,
  /** A result or failure was recorded (`accepted`) or not, because the lease is no longer current (`ignored`). */
  z.object({
    type: z.literal('ack'),
    leaseId: LeaseId,
    status: z.enum(['accepted', 'ignored']),
    reason: z.string().optional(),
  }),
  /** Answer to `checkpoint`: `stored` (durable: a later attempt starts from it), `refused` (too large: the last stored one stands), or `ignored` (lease not current). */
  z.object({
    type: z.literal('checkpointed'),
    leaseId: LeaseId,
    seq: z.number().int(),
    status: z.enum(['stored', 'refused', 'ignored']),
    reason: z.string().optional(),
  }),
  /** Stop working on this lease (job cancelled or failed, lease lapsed). */
  z.object({ type: z.literal('revoke'), leaseId: LeaseId, reason: z.string() }),
  /** A message was refused (`bad_message`, `hello_first`, `out_of_turn`) or failed (`internal`); too many refusals close the socket. */
  z.object({ type: z.literal('error'), code: ErrorCode, message: z.string() }),
]).meta({ id: 'CoordinatorMessage' });
export type CoordinatorMessage = z.infer<typeof CoordinatorMessage>;
