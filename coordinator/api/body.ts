import type { Context } from 'hono';
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
