import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import httpProxy from 'http-proxy';

/** A load balancer in front of several coordinators, for the tests. */
export interface Balancer {
  /** Its origin, e.g. `http://127.0.0.1:41234`: the coordinators' `--public-url`. */
  readonly url: string;
  /** The backend it sends to now, if any answers ready. */
  active(): string | undefined;
  close(): Promise<void>;
}

/**
 * What `deploy/haproxy.cfg` does, in a few lines of the tests' own: every `checkEveryMs` it asks
 * each backend `GET /readyz` and sends requests and socket upgrades to the one answering 200 (the
 * active coordinator); with none ready it answers 503 with `Retry-After`. A backend that fails a
 * request is taken out until its next check.
 */
export async function startBalancer(backends: readonly string[], checkEveryMs = 250): Promise<Balancer> {
  let ready: string | undefined;
  const proxy = httpProxy.createProxyServer({ xfwd: false });
  proxy.on('error', (error, request, response, target) => {
    // The backend that failed is out until its next check (not another that became ready since:
    // the sockets of a killed coordinator reset after the standby took over).
    const failed = typeof target === 'string' ? target : target?.href;
    if (failed !== undefined && ready !== undefined && new URL(failed).origin === new URL(ready).origin) ready = undefined;
    if ('writeHead' in response && !response.headersSent) {
      // Said on the test's output: a request the balancer could not pass on is answered 502.
      console.error(`balancer: ${request.method ?? ''} ${request.url ?? ''} to ${failed ?? 'a backend'} failed: ${error.message}`);
      response.writeHead(502, { 'retry-after': '1' }).end();
    } else response.destroy();
  });

  const check = async (): Promise<void> => {
    const answers = await Promise.all(
      backends.map(async (backend) => {
        try {
          const response = await fetch(`${backend}/readyz`, { signal: AbortSignal.timeout(checkEveryMs * 2) });
          await response.body?.cancel();
          return response.status === 200;
        } catch {
          return false;
        }
      }),
    );
    ready = backends[answers.indexOf(true)];
  };
  await check();
  let checking = false;
  const timer = setInterval(() => {
    if (checking) return;
    checking = true;
    void check().finally(() => (checking = false));
  }, checkEveryMs);

  const server: Server = createServer((request, response) => {
    if (ready === undefined) response.writeHead(503, { 'retry-after': '1', 'content-type': 'text/plain' }).end('no coordinator is ready');
    else proxy.web(request, response, { target: ready });
  });
  // Proxied sockets are the server's no more: end them on close.
  const upgraded = new Set<Duplex>();
  server.on('upgrade', (request, socket: Duplex, head: Buffer) => {
    upgraded.add(socket);
    socket.once('close', () => upgraded.delete(socket));
    if (ready === undefined) socket.end('HTTP/1.1 503 Service Unavailable\r\nRetry-After: 1\r\nContent-Length: 0\r\nConnection: close\r\n\r\n');
    else proxy.ws(request, socket, head, { target: ready });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    active: () => ready,
    async close() {
      clearInterval(timer);
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeAllConnections();
      for (const socket of upgraded) socket.destroy();
      proxy.close();
      await closed;
    },
  };
}
