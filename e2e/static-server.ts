import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { type Server, type ServerResponse, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { extname, join, normalize, resolve } from 'node:path';

const CONTENT_TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.wasm': 'application/wasm',
  '.map': 'application/json',
  '.svg': 'image/svg+xml',
};

/** A running static file server. */
export interface StaticServer {
  /** `http://127.0.0.1:<port>`, a secure context, so `navigator.gpu` exists in pages it serves. */
  readonly url: string;
  close(): Promise<void>;
}

/** Options of {@link startStaticServer}. */
export interface StaticServerOptions {
  /**
   * Serve everything with COOP `same-origin` and COEP `require-corp`, as the coordinator serves
   * the join page, so pages are cross-origin isolated (`SharedArrayBuffer`, threaded WASM).
   * @default false
   */
  readonly crossOriginIsolated?: boolean;
}

/**
 * Serves the files under `root` (by default the built browser apps, `dist/web`) on 127.0.0.1
 * at a free port, for browser tests and benchmarks that need no coordinator.
 * @example
 * const server = await startStaticServer();
 * await page.goto(`${server.url}/web-worker/tensor/lab.html`);
 * await server.close();
 */
export async function startStaticServer(root = resolve(import.meta.dirname, '../dist/web'), options: StaticServerOptions = {}): Promise<StaticServer> {
  const extraHeaders: Record<string, string> = options.crossOriginIsolated === true
    ? { 'cross-origin-opener-policy': 'same-origin', 'cross-origin-embedder-policy': 'require-corp' }
    : {};
  const base = resolve(root);
  const server = createServer((request, response) => {
    const path = decodePath(request.url);
    if (path === undefined) {
      response.writeHead(400).end('bad path');
      return;
    }
    const file = normalize(join(base, path.endsWith('/') ? `${path}index.html` : path));
    if (!file.startsWith(base)) {
      response.writeHead(403).end('forbidden');
      return;
    }
    void sendFile(file, path, response, extraHeaders);
  });
  await listen(server);
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise((done, fail) => {
        server.close((error) => (error ? fail(error) : done()));
        // Browsers keep connections alive; without this, close waits for them to time out.
        server.closeAllConnections();
      }),
  };
}

function decodePath(url: string | undefined): string | undefined {
  try {
    return decodeURIComponent(new URL(url ?? '/', 'http://127.0.0.1').pathname);
  } catch {
    return undefined;
  }
}

async function sendFile(file: string, path: string, response: ServerResponse, headers: Record<string, string>): Promise<void> {
  const info = await stat(file).catch(() => undefined);
  if (info === undefined || !info.isFile()) {
    response.writeHead(404, { 'content-type': 'text/plain' }).end(`not found: ${path}`);
    return;
  }
  response.writeHead(200, {
    'content-type': CONTENT_TYPES[extname(file)] ?? 'application/octet-stream',
    'content-length': info.size,
    'cache-control': 'no-store',
    ...headers,
  });
  createReadStream(file).pipe(response);
}

function listen(server: Server): Promise<void> {
  return new Promise((done, fail) => {
    server.once('error', fail);
    server.listen(0, '127.0.0.1', () => done());
  });
}
