import type { z } from 'zod';
import { describeIssues } from '../../shared/index.js';
import { ApiError } from './errors.js';

/** A query string checked by its schema: 400 `invalid_query`, naming the first mistake, when it does not fit. */
export function parseQuery<T extends z.ZodType>(schema: T, query: Record<string, string>): z.output<T> {
  const parsed = schema.safeParse(query);
  if (!parsed.success) {
    const details = describeIssues(parsed.error);
    throw new ApiError(400, 'invalid_query', `invalid query: ${details[0]!.path}: ${details[0]!.message}`, details);
  }
  return parsed.data;
}
