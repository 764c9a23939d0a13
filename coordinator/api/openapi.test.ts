import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Validator } from '@seriousme/openapi-schema-validator';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { appCaller, openParts, testApp, useTempDirs, type Caller, type Parts } from '../test-helpers.js';
import { API_DOCS_CSP } from './docs.js';
import { apiDocument } from './openapi.js';
import { documentedOperation, expectDocumentedAnswer } from './test-support.js';

const newTempDir = useTempDirs();
let parts: Parts;
let webRoot: string;
let call: Caller;

beforeEach(async () => {
  parts = await openParts();
  webRoot = join(await newTempDir(), 'web');
  // A stand-in for the socket handler: the route is what is listed here, not what it does.
  const app = testApp(parts, webRoot, { workerSocket: (c) => Promise.resolve(c.text('socket')) });
  call = appCaller(app);
  routes = app.routes;
});

afterEach(async () => {
  await parts.close();
});

let routes: { method: string; path: string }[] = [];

/** Hono's `/jobs/:id` as OpenAPI's `/jobs/{id}`; its `/assets/*` as `/assets/{file}`. */
function openApiPath(honoPath: string): string {
  return honoPath.replace(/:(\w+)/g, '{$1}').replace(/\/\*$/, '/{file}');
}

describe('the API description', () => {
  it('is a valid OpenAPI 3.1 document', async () => {
    const validator = new Validator();
    const result = await validator.validate(structuredClone(apiDocument()) as unknown as Parameters<Validator['validate']>[0]);
    expect(result.errors).toBeUndefined();
    expect(result.valid).toBe(true);
    expect(apiDocument().openapi).toBe('3.1.0');
  });

  it('names every route the app serves, and no other', () => {
    // `use()` middleware is listed as ALL, and a route's own middleware (auth, body limits) once more under its path.
    const served = new Set(routes.filter((route) => route.method !== 'ALL').map((route) => `${route.method} ${openApiPath(route.path)}`));
    const documented = new Set(Object.entries(apiDocument().paths ?? {}).flatMap(([path, item]) => Object.keys(item).filter((key) => key !== 'parameters').map((method) => `${method.toUpperCase()} ${path}`)));
    expect([...served].sort()).toEqual([...documented].sort());
    expect(served.size).toBeGreaterThan(40);
  });

  it('documents the auth and the error answers of each route', () => {
    const { paths = {}, components } = apiDocument();
    expect(Object.keys(components?.securitySchemes ?? {}).sort()).toEqual(['adminSession', 'adminToken', 'joinToken', 'joinTokenQuery']);
    const cancel = paths['/api/v1/jobs/{id}/cancel']?.post;
    expect(cancel?.security).toEqual([{ adminToken: [] }, { adminSession: [] }]);
    expect(Object.keys(cancel?.responses ?? {})).toEqual(expect.arrayContaining(['200', '401', '403', '404', '409', 'default']));
    expect(paths['/api/v1/worker/blobs/{sha}']?.get?.security).toEqual([{ joinToken: [] }, { joinTokenQuery: [] }]);
    expect(paths['/api/v1/health']?.get?.security).toEqual([]);
    for (const [path, item] of Object.entries(paths)) {
      for (const [method, operation] of Object.entries(item as Record<string, { responses: Record<string, { content?: Record<string, unknown> }> }>)) {
        for (const [status, answer] of Object.entries(operation.responses)) {
          if (status === 'default' || Number(status) >= 400) {
            expect(Object.keys(answer.content ?? {}), `${method} ${path} ${status}`).toEqual(['application/problem+json']);
          }
        }
      }
    }
  });

  it('is served at /api/v1/openapi.json without credentials', async () => {
    const response = await call('GET', '/api/v1/openapi.json', { token: null });
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual(JSON.parse(JSON.stringify(apiDocument())));
  });
});

describe('the check of answers against it', () => {
  it('refuses an answer that does not fit its schema, an undocumented status, and an error that is not problem details', async () => {
    const job = Response.json({ id: 'job_1' });
    await expect(expectDocumentedAnswer('GET', '/api/v1/jobs/job_1', job)).rejects.toThrow(/does not fit/);
    await expect(expectDocumentedAnswer('GET', '/api/v1/stats', Response.json({}, { status: 418 }))).rejects.toThrow();
    await expect(expectDocumentedAnswer('GET', '/api/v1/stats', Response.json({ error: { code: 'not_found', message: 'x' } }, { status: 404 }))).rejects.toThrow(/problem details/);
    expect(documentedOperation('GET', '/api/v1/stats/history?x=1')?.template).toBe('/api/v1/stats/history');
    expect(documentedOperation('GET', '/api/v1/jobs/job_1/tasks/3')?.template).toBe('/api/v1/jobs/{id}/tasks/{index}');
  });
});

describe('the API reference page', () => {
  it('is served under its own CSP when its files are built, and answers 503 not_built before', async () => {
    const before = await call('GET', '/api/docs', { token: null });
    expect(before.status).toBe(503);
    await mkdir(join(webRoot, 'api-docs'), { recursive: true });
    await writeFile(join(webRoot, 'api-docs/swagger-ui-bundle.js'), 'window.SwaggerUIBundle = () => {};');
    await writeFile(join(webRoot, 'api-docs/swagger-ui.css'), 'body {}');
    const page = await call('GET', '/api/docs', { token: null });
    expect(page.status).toBe(200);
    expect(page.headers.get('content-security-policy')).toBe(`${API_DOCS_CSP}; frame-ancestors 'none'`);
    expect(API_DOCS_CSP).toMatch(/script-src 'self'(;|$)/);
    const html = await page.text();
    // Every script is a file of this origin: no inline script, no CDN.
    expect(html.match(/<script[^>]*>/g)).toEqual(['<script src="/api/docs/swagger-ui-bundle.js">', '<script src="/api/docs/start.js">']);
    expect(html.match(/<link[^>]*>/g)).toEqual(['<link rel="stylesheet" href="/api/docs/swagger-ui.css" />']);
    expect(await (await call('GET', '/api/docs/swagger-ui-bundle.js', { token: null })).text()).toBe('window.SwaggerUIBundle = () => {};');
    expect((await call('GET', '/api/docs/swagger-ui.css', { token: null })).headers.get('content-type')).toBe('text/css; charset=utf-8');
    const start = await (await call('GET', '/api/docs/start.js', { token: null })).text();
    expect(z.string().parse(start)).toContain('"/api/v1/openapi.json"');
  });
});
