import { PROBLEM_CONTENT_TYPE, problemDetails, type Health, type Readiness } from '../shared/index.js';
import type { HttpHandlers } from './http-server.js';

/** Seconds a client is told to wait before asking a standby again (by then it may be the active one). */
export const STANDBY_RETRY_SECONDS = 1;

/**
 * A standby's answers: `GET /readyz` 503 (load balancers send nothing here), `GET /api/v1/health`
 * 200 with its role, and 503 `standby` with `Retry-After` to everything else, sockets included.
 * Each 503 is problem details; `/readyz`'s carries `ready` and `role` too.
 */
export function standbyHandlers(): HttpHandlers {
  const refusal = problemDetails(503, 'standby', 'this coordinator is a standby: another one sharing its store is active; ask again, or ask that one');
  const json = (status: number, body: unknown, type = 'application/json'): { status: number; headers: Record<string, string>; text: string } => ({
    status,
    headers: { 'content-type': type, 'retry-after': String(STANDBY_RETRY_SECONDS), 'cache-control': 'no-store' },
    text: JSON.stringify(body),
  });
  return {
    request(request, response) {
      const path = (request.url ?? '/').split('?')[0];
      const health: Health = { ok: true, role: 'standby' };
      const answer =
        request.method === 'GET' && path === '/readyz' ? json(503, { ...refusal, ready: false, role: 'standby' } satisfies Readiness, PROBLEM_CONTENT_TYPE)
        : request.method === 'GET' && path === '/api/v1/health' ? json(200, health)
        : json(503, refusal, PROBLEM_CONTENT_TYPE);
      response.writeHead(answer.status, answer.headers).end(answer.text);
    },
    upgrade(_request, socket) {
      const body = JSON.stringify(refusal);
      socket.end(
        `HTTP/1.1 503 Service Unavailable\r\nRetry-After: ${STANDBY_RETRY_SECONDS}\r\nContent-Type: ${PROBLEM_CONTENT_TYPE}\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
      );
    },
  };
}
