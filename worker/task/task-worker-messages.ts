/**
 * The messages between an executor (a tab's page, a Node worker's main thread) and the isolated
 * runtime that runs task code (a Web Worker, a worker thread), one schema for each direction.
 * They cross by structured clone, so a receiver checks every message against its schema where
 * it enters (`TaskHost.receive`, `relayTaskReply`): structured clone keeps what it is given
 * (typed arrays, ports), whatever the sender meant to send. Bytes and ports, which are not JSON,
 * are checked as what they are.
 */
import { z } from 'zod';
import { LogLevel, Sha256, summarizeIssues, TaskLease, type CheckpointAck, type CheckpointEnvelope } from '../../shared/index.js';
import type { RunSettings } from '../client/client-ports.js';
import type { CommPort } from '../comm/port-transport.js';
import type { TaskFailure } from '../errors.js';
import type { GangPort } from './gang-link.js';
import type { TaskOutcome } from './task-runner.js';

const LeaseId = z.string().min(1);
const AnswerId = z.number().int().positive();

const TaskFailureData: z.ZodType<TaskFailure> = z.object({
  message: z.string(),
  stack: z.string().exactOptional(),
  cause: z.literal('gang').exactOptional(),
});

const CheckpointAckData: z.ZodType<CheckpointAck> = z.object({
  status: z.enum(['stored', 'refused', 'ignored']),
  reason: z.string().exactOptional(),
});

const CheckpointEnvelopeData: z.ZodType<CheckpointEnvelope> = z.object({
  items: z.object({ done: z.number().int().min(0), outputs: z.array(z.unknown()) }).exactOptional(),
  user: z.unknown().exactOptional(),
});

const TaskOutcomeData: z.ZodType<TaskOutcome> = z.discriminatedUnion('ok', [
  z.object({ ok: z.literal(true), outputs: z.array(z.unknown()) }),
  z.object({ ok: z.literal(false), error: TaskFailureData }),
]);

/** A `MessagePort`, the browser's or Node's: it is transferred, so only its shape is checked. */
const CommPortData = z.custom<CommPort>(
  (value) => typeof value === 'object' && value !== null && typeof (value as Partial<CommPort>).postMessage === 'function' && typeof (value as Partial<CommPort>).close === 'function',
  { message: 'expected a MessagePort' },
);

const GangPortData: z.ZodType<GangPort> = z.object({
  port: CommPortData,
  rank: z.number().int().min(0),
  size: z.number().int().min(1),
  maxMessageBytes: z.number().int().positive(),
  timeoutMs: z.number().nonnegative(),
});

/**
 * Executor → isolated task runtime: run this lease with this module source (busy at most
 * `cpuShare` of the time; a gang member talks to the others through `comm`'s port, transferred
 * with the request), the answer to checkpoint `id`, or the bytes (`blob`) or failure
 * (`blob-failed`) of blob or shard request `id`. No token ever crosses: the executor does every
 * download, so task code holds nothing that opens the coordinator.
 */
export const TaskWorkerRequest = z.discriminatedUnion('type', [
  z.object({
    type: z.literal('run'),
    lease: TaskLease,
    source: z.string(),
    cpuShare: z.number().min(0).max(1).exactOptional(),
    comm: GangPortData.exactOptional(),
  }),
  z.object({ type: z.literal('checkpointed'), leaseId: LeaseId, id: AnswerId, ack: CheckpointAckData }),
  z.object({ type: z.literal('blob'), leaseId: LeaseId, id: AnswerId, bytes: z.custom<Uint8Array>((value) => value instanceof Uint8Array, { message: 'expected a Uint8Array' }) }),
  z.object({ type: z.literal('blob-failed'), leaseId: LeaseId, id: AnswerId, error: TaskFailureData }),
]);
export type TaskWorkerRequest = z.infer<typeof TaskWorkerRequest>;

/**
 * Isolated task runtime → executor: a log line, progress of the whole task, a checkpoint to send,
 * a blob it needs (`ctx.wasm`, `ctx.blob`), the bytes of its own shard (a blob task's input: the
 * executor knows which, from the lease), time it idled for the CPU limit, or how the task ended.
 */
export const TaskWorkerReply = z.discriminatedUnion('type', [
  z.object({ type: z.literal('log'), leaseId: LeaseId, level: LogLevel, message: z.string() }),
  z.object({ type: z.literal('progress'), leaseId: LeaseId, fraction: z.number().min(0).max(1) }),
  z.object({ type: z.literal('checkpoint'), leaseId: LeaseId, id: AnswerId, envelope: CheckpointEnvelopeData }),
  z.object({ type: z.literal('blob'), leaseId: LeaseId, id: AnswerId, sha256: Sha256 }),
  z.object({ type: z.literal('shard'), leaseId: LeaseId, id: AnswerId }),
  z.object({ type: z.literal('idle'), leaseId: LeaseId, ms: z.number().nonnegative() }),
  z.object({ type: z.literal('done'), leaseId: LeaseId, outcome: TaskOutcomeData }),
]);
export type TaskWorkerReply = z.infer<typeof TaskWorkerReply>;

/**
 * A message read against its schema, or why it is not one, with its `type` and `leaseId` when
 * they could be read (so the receiver can tell whom it concerned).
 */
export type ReadMessage<T> = { ok: true; message: T } | { ok: false; reason: string; type?: string; leaseId?: string };

/**
 * Checks data that arrived by `postMessage` against `schema`.
 * @example
 * const read = readMessage(TaskWorkerRequest, event.data);
 * if (!read.ok) console.warn(`ignored a ${read.type ?? 'message'}: ${read.reason}`);
 */
export function readMessage<T>(schema: z.ZodType<T>, data: unknown): ReadMessage<T> {
  const parsed = schema.safeParse(data);
  if (parsed.success) return { ok: true, message: parsed.data };
  const { type, leaseId } = peekMessage(data);
  const failure: ReadMessage<T> = { ok: false, reason: summarizeIssues(parsed.error) };
  if (type !== undefined) failure.type = type;
  if (leaseId !== undefined) failure.leaseId = leaseId;
  return failure;
}

/**
 * The `type` and `leaseId` (a `run`'s `lease.leaseId`) of a message, where they are strings, read
 * before (or without) its schema: how a receiver routes it, or tells whom a malformed one concerned.
 * @example peekMessage({ type: 'log', leaseId: 'l-1', level: 'loud' }) // { type: 'log', leaseId: 'l-1' }
 */
export function peekMessage(data: unknown): { type?: string; leaseId?: string } {
  if (typeof data !== 'object' || data === null) return {};
  const { type, lease } = data as { type?: unknown; lease?: unknown };
  const leaseId = type === 'run' && typeof lease === 'object' && lease !== null ? (lease as { leaseId?: unknown }).leaseId : (data as { leaseId?: unknown }).leaseId;
  const peeked: { type?: string; leaseId?: string } = {};
  if (typeof type === 'string') peeked.type = type;
  if (typeof leaseId === 'string') peeked.leaseId = leaseId;
  return peeked;
}

/**
 * The `run` request for a lease, with the CPU share and the gang's port when there are any, and
 * what must be transferred with it (the port).
 * @example
 * const { request, transfer } = runRequest(lease, source, { cpuShare: 0.5 });
 * worker.postMessage(request, transfer);
 */
export function runRequest(lease: TaskLease, source: string, settings: RunSettings, comm?: GangPort): { request: TaskWorkerRequest; transfer: Transferable[] } {
  const request: Extract<TaskWorkerRequest, { type: 'run' }> = { type: 'run', lease, source };
  if (settings.cpuShare !== undefined && settings.cpuShare < 1) request.cpuShare = settings.cpuShare;
  if (comm) request.comm = comm;
  return { request, transfer: comm ? [comm.port] : [] };
}
