import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { sha256Hex } from '../../shared/index.js';
import { JOIN_TOKEN, appCaller, openParts, testApp, useTempDirs, type Caller, type Parts } from '../test-helpers.js';
import { VOLUNTEER_CSP } from './web.js';

const newTempDir = useTempDirs();
let parts: Parts;
let call: Caller;

beforeEach(async () => {
  parts = await openParts();
  const webRoot = join(await newTempDir(), 'web');
  for (const folder of ['web-worker', 'admin', 'assets']) await mkdir(join(webRoot, folder), { recursive: true });
  await writeFile(join(webRoot, 'web-worker', 'join.html'), '<!doctype html><title>join</title>');
  await writeFile(join(webRoot, 'admin', 'index.html'), '<!doctype html><title>admin</title>');
  await writeFile(join(webRoot, 'assets', 'app-1234.js'), 'console.log(1)');
  call = appCaller(testApp(parts, webRoot));
});

afterEach(async () => {
  await parts.close();
});

function directives(policy: string | null): Map<string, string> {
  const entries = (policy ?? '').split(';').map((part) => part.trim().split(/\s+(.*)/s) as [string, string]);
  return new Map(entries.map(([name, value]) => [name, value ?? '']));
}

describe('nosniff', () => {
  it('is on every kind of response: JSON, blobs, errors, 404s, redirects, assets and pages', async () => {
    const bytes = new TextEncoder().encode('<script>alert(1)</script>');
    const sha = await sha256Hex(bytes);
    expect((await call('PUT', `/api/v1/blobs/${sha}`, { body: bytes })).status).toBe(201);
    const responses: [string, Response][] = [
      ['health', await call('GET', '/api/v1/health', { token: null })],
      ['admin JSON', await call('GET', '/api/v1/jobs')],
      ['blob', await call('GET', `/api/v1/worker/blobs/${sha}`, { token: JOIN_TOKEN })],
      ['blob range', await call('GET', `/api/v1/worker/blobs/${sha}`, { token: JOIN_TOKEN, headers: { range: 'bytes=0-3' } })],
      ['401', await call('GET', '/api/v1/jobs', { token: 'wrong' })],
      ['400', await call('POST', '/api/v1/jobs', { body: 'not json', headers: { 'content-type': 'application/json' } })],
      ['404 route', await call('GET', '/no/such/page', { token: null })],
      ['404 asset', await call('GET', '/assets/missing.js', { token: null })],
      ['redirect', await call('GET', '/', { token: null })],
      ['asset', await call('GET', '/assets/app-1234.js', { token: null })],
      ['join page', await call('GET', '/join', { token: null })],
      ['admin page', await call('GET', '/admin', { token: null })],
    ];
    const statuses = responses.map(([what, response]) => [what, response.status]);
    expect(statuses).toEqual([
      ['health', 200],
      ['admin JSON', 200],
      ['blob', 200],
      ['blob range', 206],
      ['401', 401],
      ['400', 400],
      ['404 route', 404],
      ['404 asset', 404],
      ['redirect', 302],
      ['asset', 200],
      ['join page', 200],
      ['admin page', 200],
    ]);
    for (const [what, response] of responses) expect(response.headers.get('x-content-type-options'), what).toBe('nosniff');
  });
});

describe('page headers', () => {
  it('gives the join page the volunteer policy, unframeable, with no referrer', async () => {
    const page = await call('GET', '/join?token=anything', { token: null });
    const policy = page.headers.get('content-security-policy') ?? '';
    expect(policy.startsWith(VOLUNTEER_CSP)).toBe(true);
    expect(directives(policy).get('frame-ancestors')).toBe("'none'");
    expect(page.headers.get('referrer-policy')).toBe('no-referrer');
    expect(page.headers.get('x-frame-options')).toBe('DENY');
  });

  it('isolates the join page and the scripts it and its workers load (COOP/COEP), not the admin panel', async () => {
    for (const path of ['/join', '/assets/app-1234.js']) {
      const response = await call('GET', path, { token: null });
      expect(response.headers.get('cross-origin-opener-policy'), path).toBe('same-origin');
      expect(response.headers.get('cross-origin-embedder-policy'), path).toBe('require-corp');
    }
    const admin = await call('GET', '/admin', { token: null });
    expect(admin.headers.get('cross-origin-embedder-policy')).toBeNull();
    const asset = await call('GET', '/assets/app-1234.js', { token: null });
    // Kernel threads are our own scripts; task code has no `Worker` to start one with.
    expect(directives(asset.headers.get('content-security-policy')).get('worker-src')).toBe("'self'");
  });

  it('gives the admin panel a strict policy of its own: no blob:, no WebAssembly, no inline script', async () => {
    const page = await call('GET', '/admin', { token: null });
    const policy = directives(page.headers.get('content-security-policy'));
    expect(policy.get('default-src')).toBe("'self'");
    expect(policy.get('script-src')).toBe("'self'");
    expect(policy.get('connect-src')).toBe("'self'");
    expect(policy.get('object-src')).toBe("'none'");
    expect(policy.get('base-uri')).toBe("'none'");
    expect(policy.get('form-action')).toBe("'none'");
    expect(policy.get('frame-ancestors')).toBe("'none'");
    expect(page.headers.get('referrer-policy')).toBe('no-referrer');
    expect(page.headers.get('x-frame-options')).toBe('DENY');
  });
});
