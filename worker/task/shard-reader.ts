import type { TaskInput } from '../../shared/index.js';
import { fetchRetrying, type DownloadRetry } from '../client/download.js';
import { blobUrl } from '../client/endpoints.js';
import { BlobFetchError } from '../errors.js';

/** The input of a blob task: which bytes of which blob. */
export type BlobShard = Extract<TaskInput, { kind: 'blob' }>;

/** Answers the bytes of a blob task's shard. */
export type ShardReader = (shard: BlobShard) => Promise<Uint8Array>;

/** Where a worker downloads blobs: the coordinator's origin and the join token. */
export interface BlobAccess {
  /** e.g. `http://127.0.0.1:8080` */
  origin: string;
  token: string;
}

/**
 * A {@link ShardReader} that downloads each shard with an HTTP Range request from
 * `GET /api/v1/worker/blobs/:sha256`, through an outage of the coordinator (`fetchRetrying`). An
 * empty shard is not fetched.
 * @example
 * const readShard = httpShardReader({ origin: location.origin, token });
 * const bytes = await readShard({ kind: 'blob', blob, offset: 0, length: 1024, records: false, separator: '\n' });
 */
export function httpShardReader(
  access: BlobAccess,
  fetchBlob: (url: string, init: RequestInit) => Promise<Response> = (url, init) => globalThis.fetch(url, init),
  retry: DownloadRetry = {},
): ShardReader {
  return async (shard) => {
    if (shard.length === 0) return new Uint8Array(0);
    const last = shard.offset + shard.length - 1;
    const url = blobUrl(access.origin, shard.blob, access.token);
    const response = await fetchRetrying(() => fetchBlob(url, { headers: { range: `bytes=${shard.offset}-${last}` } }), `bytes ${shard.offset}-${last} of blob ${shard.blob}`, retry);
    const bytes = new Uint8Array(await response.arrayBuffer());
    // A server that ignores Range answers 200 with the whole blob.
    const shardBytes = response.status === 206 ? bytes : bytes.subarray(shard.offset, shard.offset + shard.length);
    if (shardBytes.length !== shard.length) {
      throw new BlobFetchError(`blob ${shard.blob}: expected ${shard.length} bytes at ${shard.offset}, got ${shardBytes.length}`);
    }
    return shardBytes;
  };
}

/**
 * A shard's text split into records: one trailing empty record (the text ended with the
 * separator) is dropped.
 * @example shardRecords(new TextEncoder().encode('a\nb\n'), '\n') // ['a', 'b']
 */
export function shardRecords(bytes: Uint8Array, separator: string): string[] {
  const records = new TextDecoder().decode(bytes).split(separator);
  if (records.at(-1) === '') records.pop();
  return records;
}
