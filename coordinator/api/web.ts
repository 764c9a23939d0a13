import { readFile } from 'node:fs/promises';
import { extname, join, normalize, sep } from 'node:path';
import { Hono } from 'hono';
import { ApiError } from './errors.js';
import { ADMIN_CSP, ISOLATION_HEADERS, pageHeaders } from './headers.js';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.wasm': 'application/wasm',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.json': 'application/json',
  '.map': 'application/json',
};

/**
 * The Content Security Policy of the join page. It runs no task code (its task Web Workers do):
 * its own scripts and workers, its socket and downloads on this origin.
 */
export const VOLUNTEER_CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "worker-src 'self'",
  "connect-src 'self'",
  "img-src 'self' data:",
  "style-src 'self' 'unsafe-inline'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'none'",
].join('; ');

/**
 * The policy of a task Web Worker, sent with its script (a worker's policy is its script's own;
 * the `blob:` modules it imports inherit it). Task code may import modules from `blob:` URLs and
 * compile WebAssembly, and reach no network at all (`connect-src 'none'`): its input, `ctx.blob`
 * and `ctx.wasm` come from the page, which holds the token. Assets are served with it; on a
 * script or style a page loads, a policy header is ignored.
 */
export const TASK_WORKER_CSP = [
  "default-src 'none'",
  "script-src 'self' blob: 'wasm-unsafe-eval'",
  "connect-src 'none'",
  // The WASM kernels' helper threads (our own scripts). Task code cannot start a worker: the
  // task worker removes `Worker` from its scope first (web-worker/lock-down.ts).
  "worker-src 'self'",
  "base-uri 'none'",
].join('; ');

export async function serveFile(webRoot: string, relative: string, cache: string, headers: Record<string, string> = {}): Promise<Response> {
  const path = normalize(join(webRoot, relative));
  if (!path.startsWith(webRoot + sep)) throw new ApiError(404, 'not_found', 'not found');
  let bytes: Buffer;
  try {
    bytes = await readFile(path);
  } catch {
    if (relative.endsWith('.html')) {
      throw new ApiError(503, 'not_built', `the web apps are not built (no ${relative} in ${webRoot}): run npm run build`);
    }
    throw new ApiError(404, 'not_found', `${relative} not found`);
  }
  return new Response(new Uint8Array(bytes), {
    headers: { 'content-type': TYPES[extname(path)] ?? 'application/octet-stream', 'cache-control': cache, ...headers },
  });
}

/** The join page, the admin panel and their built assets (dist/web, made by `vite build`). */
export function webRoutes(webRoot: string): Hono {
  const app = new Hono();
  app.get('/', (c) => c.redirect('/admin'));
  app.get('/join', () => serveFile(webRoot, 'web-worker/join.html', 'no-cache', { ...pageHeaders(VOLUNTEER_CSP), ...ISOLATION_HEADERS }));
  app.get('/admin', () => serveFile(webRoot, 'admin/index.html', 'no-cache', pageHeaders(ADMIN_CSP)));
  // Vite names assets by content hash, so they can be cached for good.
  // A worker's script carries its own isolation: without COEP, a task worker (and its kernel
  // threads) would not be cross-origin isolated, even on an isolated page.
  const taskWorkerPolicy = { 'content-security-policy': TASK_WORKER_CSP, ...ISOLATION_HEADERS };
  app.get('/assets/*', (c) => serveFile(webRoot, c.req.path.slice(1), 'public, max-age=31536000, immutable', taskWorkerPolicy));
  return app;
}
