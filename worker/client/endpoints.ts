/**
 * The worker socket's URL on the coordinator at `origin`.
 * @example workerSocketUrl('https://grid.example', 'abc') // 'wss://grid.example/api/v1/worker?token=abc'
 */
export function workerSocketUrl(origin: string, token: string): string {
  const url = new URL('/api/v1/worker', origin);
  url.protocol = url.protocol === 'https:' ? 'wss:' : 'ws:';
  url.searchParams.set('token', token);
  return url.href;
}

/**
 * Where a worker downloads a blob (task code) by its SHA-256.
 * @example blobUrl('http://127.0.0.1:8080', 'ab12…', 'abc') // 'http://127.0.0.1:8080/api/v1/worker/blobs/ab12…?token=abc'
 */
export function blobUrl(origin: string, sha256: string, token: string): string {
  const url = new URL(`/api/v1/worker/blobs/${encodeURIComponent(sha256)}`, origin);
  url.searchParams.set('token', token);
  return url.href;
}
