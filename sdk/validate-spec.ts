import { DEFAULT_SPEC_LIMITS, JobSpec, depthError, describeIssues } from '../shared/index.js';
import { SpecError } from './errors.js';

/**
 * Checks a job spec as the coordinator will, filling in defaults; throws `SpecError`
 * naming each bad field, so a mistake is caught before anything is sent.
 * @example
 * validateSpec({ name: 'squares', code: 'export default (x) => x * x', input: { items: [1, 2] } })
 * // { name: 'squares', ..., input: { items: [1, 2], chunkSize: 1 }, retry: {...}, priority: 0 }
 */
export function validateSpec(input: unknown, maxDepth = DEFAULT_SPEC_LIMITS.maxDepth): JobSpec {
  const tooDeep = depthError(input, maxDepth);
  if (tooDeep) throw new SpecError(tooDeep.message, [{ path: tooDeep.path, message: tooDeep.reason }]);
  const parsed = JobSpec.safeParse(input);
  if (parsed.success) return parsed.data;
  const issues = describeIssues(parsed.error);
  const summary = issues.map((issue) => `${issue.path}: ${issue.message}`).join('; ');
  throw new SpecError(`invalid job spec: ${summary}`, issues);
}
