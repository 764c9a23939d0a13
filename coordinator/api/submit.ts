import { JobSpec, SpecLimitError, depthError, describeIssues, sha256Hex, type CodeSpec, type JobStatus } from '../../shared/index.js';
import { InvalidSpecError } from '../scheduler/index.js';
import type { ApiDeps } from './deps.js';
import { ApiError } from './errors.js';
import { loadJobStatus } from './job-views.js';

export interface Submitted {
  status: JobStatus;
  /** 201 new, 200 existing (idempotency key). */
  httpStatus: 201 | 200;
}

/**
 * Validates and creates a job. Invalid specs are answered 400 and leave nothing behind;
 * specs refused by policy (too large, queue full) are recorded as REJECTED with the reason, and
 * answered 413 or 429 with the REJECTED job's status as the problem's `job`.
 */
export async function submitJob(deps: ApiDeps, body: unknown, bodyBytes: number): Promise<Submitted> {
  // Before anything walks the spec: a value nested a million deep must not reach a recursion.
  const tooDeep = depthError(body, deps.limits.maxDepth);
  if (tooDeep) throw overLimit(tooDeep);
  const parsed = JobSpec.safeParse(body);
  if (!parsed.success) {
    const details = describeIssues(parsed.error);
    throw new ApiError(400, 'invalid_spec', `invalid job spec: ${details[0]!.path}: ${details[0]!.message}`, details);
  }
  const spec = parsed.data;
  if (spec.runMode === 'local') {
    throw new ApiError(400, 'invalid_spec', 'invalid job spec: runMode: local jobs run in the SDK, not on a coordinator', [
      { path: 'runMode', message: 'local runs in the SDK' },
    ]);
  }
  const existing = await existingJob(deps, spec.idempotencyKey);
  if (existing) return existing;
  const refusal = policyRefusal(deps, bodyBytes);
  if (refusal) {
    const record = await deps.scheduler.reject(spec.name, { name: spec.name }, refusal.reason);
    const job = await loadJobStatus(deps, record.id);
    throw new ApiError(refusal.httpStatus, refusal.code, `job ${job.id} was rejected: ${refusal.reason}`, undefined, { job });
  }
  const code = await storeModule(deps, spec.code, 'code');
  const reduce = spec.reduce === undefined ? undefined : await storeModule(deps, spec.reduce, 'reduce');
  const stored: JobSpec = { ...spec, code: { blob: code }, ...(reduce === undefined ? {} : { reduce: { blob: reduce } }) };
  try {
    const record = await deps.scheduler.submit(stored, code);
    return { status: await loadJobStatus(deps, record.id), httpStatus: 201 };
  } catch (error) {
    if (error instanceof SpecLimitError) throw overLimit(error);
    if (error instanceof InvalidSpecError) {
      throw new ApiError(400, 'invalid_spec', error.message, [{ path: error.path, message: error.reason }]);
    }
    // The same key sent twice at once: this insert lost to the unique index, so answer the winner's job.
    const winner = await existingJob(deps, spec.idempotencyKey);
    if (winner) return winner;
    throw error;
  }
}

/** A spec over one of the spec limits: 413, naming the limit, and nothing recorded. */
function overLimit(error: SpecLimitError): ApiError {
  return new ApiError(413, 'too_large', error.message, [{ path: error.path, message: error.reason }]);
}

async function existingJob(deps: ApiDeps, idempotencyKey: string | undefined): Promise<Submitted | undefined> {
  if (idempotencyKey === undefined) return undefined;
  const existing = await deps.store.findJobByIdempotencyKey(idempotencyKey);
  if (!existing) return undefined;
  return { status: { ...(await loadJobStatus(deps, existing.id)), existing: true }, httpStatus: 200 };
}

interface PolicyRefusal {
  reason: string;
  httpStatus: 413 | 429;
  code: 'too_large' | 'over_capacity';
}

function policyRefusal(deps: ApiDeps, bodyBytes: number): PolicyRefusal | undefined {
  const { maxSpecBytes, maxQueuedJobs } = deps.limits;
  if (bodyBytes > maxSpecBytes) {
    return { reason: `spec of ${bodyBytes} bytes is over the limit of ${maxSpecBytes}`, httpStatus: 413, code: 'too_large' };
  }
  const queued = [...deps.scheduler.liveJobs()].length;
  if (queued >= maxQueuedJobs) {
    return { reason: `${queued} jobs are queued or running, the limit is ${maxQueuedJobs}`, httpStatus: 429, code: 'over_capacity' };
  }
  return undefined;
}

async function storeModule(deps: ApiDeps, code: CodeSpec, field: string): Promise<string> {
  if (typeof code === 'string') {
    const bytes = new TextEncoder().encode(code);
    const sha = await sha256Hex(bytes);
    await deps.store.putBlob(sha, bytes);
    return sha;
  }
  if (!(await deps.store.hasBlob(code.blob))) {
    throw new ApiError(400, 'invalid_spec', `invalid job spec: ${field}.blob: no blob ${code.blob} (PUT it to /api/v1/blobs first)`, [
      { path: `${field}.blob`, message: 'unknown blob' },
    ]);
  }
  return code.blob;
}
