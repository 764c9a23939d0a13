import { Writable } from 'node:stream';
import { Hono } from 'hono';
import { describe, expect, test } from 'vitest';
import { createLogger } from '../log.js';
import { ApiError, answerError } from './errors.js';
import { logRequests } from './request-log.js';

/** An app with the coordinator's request log and error boundary, logging into `lines` at `level`. */
function loggedApp(level: 'debug' | 'info'): { app: Hono; lines: Record<string, unknown>[] } {
  const lines: Record<string, unknown>[] = [];
  const output = new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(JSON.parse(chunk.toString('utf8')) as Record<string, unknown>);
      done();
    },
  });
  const app = new Hono();
  app.use('*', ...logRequests(createLogger(level, output)));
  app.onError(answerError);
  app.get('/jobs/:id', (c) => (c.req.param('id') === 'job_1' ? c.json({ id: 'job_1' }) : Promise.reject(new ApiError(404, 'not_found', 'no such job'))));
  app.get('/broken', () => {
    throw new Error('a bug');
  });
  return { app, lines };
}

describe('logRequests', () => {
  test('answers a new request id in X-Request-Id, and logs a refused request at info with it', async () => {
    const { app, lines } = loggedApp('info');
    const ok = await app.request('/jobs/job_1');
    const missing = await app.request('/jobs/job_2');
    const id = missing.headers.get('x-request-id');
    expect(id).toMatch(/^[0-9a-f-]{36}$/);
    expect(ok.headers.get('x-request-id')).not.toBe(id);
    expect(lines).toEqual([expect.objectContaining({ level: 'info', requestId: id, method: 'GET', route: '/jobs/:id', path: '/jobs/job_2', status: 404, msg: 'request answered' })]);
  });

  test('logs every request at debug, with the id the client sent', async () => {
    const { app, lines } = loggedApp('debug');
    const answer = await app.request('/jobs/job_1', { headers: { 'x-request-id': 'client-7' } });
    expect(answer.headers.get('x-request-id')).toBe('client-7');
    expect(lines).toEqual([expect.objectContaining({ level: 'debug', requestId: 'client-7', status: 200 })]);
  });

  test('an unexpected error is logged at error with its stack and the request id, and answered without them', async () => {
    const { app, lines } = loggedApp('info');
    const answer = await app.request('/broken');
    expect(answer.status).toBe(500);
    expect(await answer.text()).not.toContain('a bug');
    const id = answer.headers.get('x-request-id');
    const [error, request] = lines;
    expect(error).toMatchObject({ level: 'error', requestId: id, msg: 'unexpected error answering a request', err: { message: 'a bug' } });
    expect((error?.err as { stack: string }).stack).toContain('request-log.test.ts');
    expect(request).toMatchObject({ level: 'info', requestId: id, status: 500 });
  });
});
