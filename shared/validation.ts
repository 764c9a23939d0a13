import { z } from 'zod';

// Validation by replication and quorum (as BOINC does it): a task runs on several workers with
// distinct identities, and a result is accepted when enough of them agree. This file holds the
// spec's part and the pure rule of agreement; the coordinator's scheduler does the rest.

/** How far two numbers may differ and still agree: `|a - b| <= absolute + relative * max(|a|, |b|)`. */
export const Tolerance = z.strictObject({
  relative: z.number().min(0).max(1).default(0),
  absolute: z.number().min(0).default(0),
});
export type Tolerance = z.output<typeof Tolerance>;

/**
 * Run each task on `replicas` workers; accept a result when `quorum` of them agree (JSON
 * deep-equal, numbers within `tolerance`). Disagreement asks for more replicas, up to
 * `maxReplicas`; past that the task fails ("no quorum"). With `adaptive` (the default) a worker
 * with a long streak of valid results runs tasks alone, spot-checked at a rate that falls as its
 * streak grows.
 * @example { replicas: 3, quorum: 2, tolerance: { relative: 1e-6 } }
 */
export const Validation = z
  .strictObject({
    replicas: z.number().int().min(2).max(16),
    /** Agreeing results that make a result valid. @default a majority of `replicas` */
    quorum: z.number().int().min(2).max(16).optional(),
    tolerance: Tolerance.optional(),
    /** Trusted workers run tasks alone, spot-checked. @default true */
    adaptive: z.boolean().default(true),
    /** Replicas one task may use in all before it fails for want of a quorum. @default 2 × replicas */
    maxReplicas: z.number().int().min(2).max(32).optional(),
  })
  .transform(({ replicas, quorum, tolerance, adaptive, maxReplicas }) => ({
    replicas,
    quorum: quorum ?? Math.floor(replicas / 2) + 1,
    tolerance: tolerance ?? { relative: 0, absolute: 0 },
    adaptive,
    maxReplicas: maxReplicas ?? Math.min(32, replicas * 2),
  }))
  .refine((validation) => validation.quorum <= validation.replicas, { message: 'quorum must not be over replicas', path: ['quorum'] })
  .refine((validation) => validation.maxReplicas >= validation.replicas, { message: 'maxReplicas must not be under replicas', path: ['maxReplicas'] });
export type Validation = z.output<typeof Validation>;
export type ValidationInput = z.input<typeof Validation>;

/**
 * True when two outputs agree: the same JSON shape, numbers within the tolerance, everything else
 * equal. Walks with a stack, so a deep output cannot overflow it.
 * @example agree([1, { x: 2.0000001 }], [1, { x: 2 }], { relative: 1e-6, absolute: 0 }) // true
 */
export function agree(a: unknown, b: unknown, tolerance: Tolerance): boolean {
  const pending: [unknown, unknown][] = [[a, b]];
  while (pending.length > 0) {
    const [left, right] = pending.pop()!;
    if (typeof left === 'number' && typeof right === 'number') {
      if (!closeEnough(left, right, tolerance)) return false;
      continue;
    }
    if (left === null || right === null || typeof left !== 'object' || typeof right !== 'object') {
      if (left !== right) return false;
      continue;
    }
    if (Array.isArray(left) !== Array.isArray(right)) return false;
    const leftKeys = Object.keys(left);
    const rightKeys = Object.keys(right);
    if (leftKeys.length !== rightKeys.length) return false;
    for (const key of leftKeys) {
      if (!Object.hasOwn(right, key)) return false;
      pending.push([(left as Record<string, unknown>)[key], (right as Record<string, unknown>)[key]]);
    }
  }
  return true;
}

function closeEnough(a: number, b: number, { relative, absolute }: Tolerance): boolean {
  if (a === b) return true;
  if (!Number.isFinite(a) || !Number.isFinite(b)) return false;
  return Math.abs(a - b) <= absolute + relative * Math.max(Math.abs(a), Math.abs(b));
}

/** One worker's result for a replicated task. */
export interface ReplicaResult {
  workerId: string;
  outputs: unknown[];
}

/** What a set of results says: a quorum (the canonical result, who agreed, who did not) or none yet. */
export type QuorumOutcome =
  | { type: 'quorum'; canonical: ReplicaResult; agreeing: string[]; disagreeing: string[] }
  | { type: 'none' };

/**
 * Looks for `quorum` results that agree with one of them. The canonical result is the one the
 * most others agree with (the earliest on a tie); the workers whose results do not agree with it
 * are named.
 * @example
 * findQuorum([{ workerId: 'a', outputs: [1] }, { workerId: 'b', outputs: [2] }, { workerId: 'c', outputs: [1] }], 2, exact)
 * // { type: 'quorum', canonical: { workerId: 'a', outputs: [1] }, agreeing: ['a', 'c'], disagreeing: ['b'] }
 */
export function findQuorum(results: readonly ReplicaResult[], quorum: number, tolerance: Tolerance): QuorumOutcome {
  let best: { result: ReplicaResult; agreeing: string[] } | undefined;
  for (const candidate of results) {
    const agreeing = results.filter((other) => other === candidate || agree(candidate.outputs, other.outputs, tolerance)).map((other) => other.workerId);
    if (!best || agreeing.length > best.agreeing.length) best = { result: candidate, agreeing };
  }
  if (!best || best.agreeing.length < quorum) return { type: 'none' };
  const agreeing = new Set(best.agreeing);
  return {
    type: 'quorum',
    canonical: best.result,
    agreeing: best.agreeing,
    disagreeing: results.filter((result) => !agreeing.has(result.workerId)).map((result) => result.workerId),
  };
}
