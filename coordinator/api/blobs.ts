import { Hono } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { Sha256, sha256Hex } from '../../shared/index.js';
import type { ApiDeps } from './deps.js';
import { ApiError, notFound, tooLarge } from './errors.js';

function blobName(raw: string): string {
  const parsed = Sha256.safeParse(raw);
  if (!parsed.success) throw new ApiError(400, 'invalid_blob_name', `blob name ${raw}: ${parsed.error.issues[0]!.message}`);
  return parsed.data;
}

/** Serves a stored blob's bytes, or one range of them (`Range: bytes=a-b`, how tasks fetch their shard). */
export async function blobResponse(deps: ApiDeps, raw: string, range?: string): Promise<Response> {
  const sha = blobName(raw);
  const bytes = await deps.store.getBlob(sha);
  if (!bytes) throw notFound(`blob ${sha}`);
  const headers = {
    'content-type': 'application/octet-stream',
    'accept-ranges': 'bytes',
    // Content-addressed: the bytes behind a name never change.
    'cache-control': 'public, max-age=31536000, immutable',
  };
  if (range === undefined) return new Response(bytes as Uint8Array<ArrayBuffer>, { headers });
  const [start, end] = byteRange(range, bytes.length);
  return new Response(bytes.slice(start, end + 1), {
    status: 206,
    headers: { ...headers, 'content-range': `bytes ${start}-${end}/${bytes.length}` },
  });
}

/** `bytes=a-b` (inclusive) → [a, b]; anything else we cannot serve is a 416. */
function byteRange(header: string, size: number): [number, number] {
  const match = /^bytes=(\d+)-(\d*)$/.exec(header.trim());
  const start = match ? Number(match[1]) : NaN;
  const end = match?.[2] ? Math.min(Number(match[2]), size - 1) : size - 1;
  if (!(start <= end)) throw new ApiError(416, 'range_not_satisfiable', `cannot serve ${header} of a ${size}-byte blob`);
  return [start, end];
}

/** `/api/v1/blobs/:sha256`: content-addressed bytes (task code, inputs). */
export function blobRoutes(deps: ApiDeps): Hono {
  const app = new Hono();

  app.put('/:sha', bodyLimit({ maxSize: deps.limits.maxBlobBytes, onError: tooLarge(deps.limits.maxBlobBytes) }), async (c) => {
    const sha = blobName(c.req.param('sha'));
    const bytes = new Uint8Array(await c.req.arrayBuffer());
    const actual = await sha256Hex(bytes);
    if (actual !== sha) {
      throw new ApiError(400, 'hash_mismatch', `the bytes hash to ${actual}, not to the name ${sha}`);
    }
    await deps.store.putBlob(sha, bytes);
    return c.json({ sha256: sha, size: bytes.byteLength }, 201);
  });

  app.get('/:sha', async (c) => blobResponse(deps, c.req.param('sha')));

  return app;
}
