import type { Context } from 'hono';
import type { z } from 'zod';
import { describeIssues } from '../../shared/index.js';
import { ApiError } from './errors.js';

/** Reads a JSON body, insisting on `Content-Type: application/json` so nothing slips through as `{}`. */
export async function readJson(c: Context): Promise<{ body: unknown; bytes: number }> {
  const type = c.req.header('content-type') ?? '';
  if (!/^application\/json\b/i.test(type)) {
    throw new ApiError(415, 'unsupported_media_type', `expected Content-Type: application/json, got '${type || 'none'}'`);
  }
  const text = await c.req.text();
  try {
    return { body: JSON.parse(text) as unknown, bytes: Buffer.byteLength(text) };
  } catch (error) {
    throw new ApiError(400, 'invalid_json', `body is not valid JSON: ${(error as Error).message}`);
  }
}

/** Reads a JSON body checked by its schema (one in `shared/`): 400 `invalid_spec`, naming the first mistake, when it does not fit. */
export async function readJsonAs<T extends z.ZodType>(c: Context, schema: T): Promise<z.output<T>> {
  const parsed = schema.safeParse((await readJson(c)).body);
  if (!parsed.success) {
    const details = describeIssues(parsed.error);
    throw new ApiError(400, 'invalid_spec', `invalid body: ${details[0]!.path}: ${details[0]!.message}`, details);
  }
  return parsed.data;
}
