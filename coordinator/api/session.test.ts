import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { JobStatus, type JobSpecInput } from '../../shared/index.js';
import { ADMIN_TOKEN, DOUBLE_CODE, JOIN_TOKEN, appCaller, expectError, openParts, readBody, testApp, useTempDirs, type Caller, type Parts } from '../test-helpers.js';
import { AdminSessions, SESSION_COOKIE } from './sessions.js';

const newTempDir = useTempDirs();
let parts: Parts;
let call: Caller;

beforeEach(async () => {
  parts = await openParts();
  call = appCaller(testApp(parts, await newTempDir()));
});

afterEach(async () => {
  await parts.close();
});

const SPEC: JobSpecInput = { name: 'doubles', code: DOUBLE_CODE, input: { items: [1, 2] } };
const Session = z.object({ expiresAt: z.iso.datetime() });

/** Logs in with `token`; returns the response and the `Cookie` header its Set-Cookie makes. */
async function logIn(token: string, headers: Record<string, string> = {}): Promise<{ response: Response; cookie: string | undefined }> {
  const response = await call('POST', '/api/v1/session', { token, headers });
  const setCookie = response.headers.get('set-cookie');
  return { response, cookie: setCookie?.split(';')[0] };
}

/** A call that carries only the cookie (and whatever `headers` add), no bearer token. */
const withCookie = (cookie: string, headers: Record<string, string> = {}, json?: unknown) => ({ token: null, headers: { cookie, ...headers }, json });

describe('the admin session', () => {
  it('logs in with the admin token, sets an HttpOnly SameSite=Strict cookie, works without the token, and logs out', async () => {
    const { response, cookie } = await logIn(ADMIN_TOKEN);
    expect(response.status).toBe(201);
    const setCookie = response.headers.get('set-cookie') ?? '';
    expect(setCookie).toMatch(new RegExp(`^${SESSION_COOKIE}=[A-Za-z0-9_-]{40,};`));
    expect(setCookie).toContain('HttpOnly');
    expect(setCookie).toContain('SameSite=Strict');
    expect(setCookie).toContain('Path=/api/v1');
    expect(setCookie).toContain('Max-Age=43200');
    expect(setCookie).not.toContain('Secure');
    const { expiresAt } = await readBody(response, Session);
    expect(Date.parse(expiresAt) - Date.now()).toBeGreaterThan(11 * 60 * 60 * 1000);

    expect((await call('GET', '/api/v1/session', withCookie(cookie!))).status).toBe(200);
    expect((await call('GET', '/api/v1/jobs', withCookie(cookie!))).status).toBe(200);
    const created = await call('POST', '/api/v1/jobs', withCookie(cookie!, { origin: 'http://localhost' }, SPEC));
    expect(created.status).toBe(201);
    const { id } = await readBody(created, JobStatus);
    expect((await call('POST', `/api/v1/jobs/${id}/cancel`, withCookie(cookie!))).status).toBe(200);

    const loggedOut = await call('DELETE', '/api/v1/session', withCookie(cookie!, { origin: 'http://localhost' }));
    expect(loggedOut.status).toBe(204);
    expect(loggedOut.headers.get('set-cookie')).toMatch(new RegExp(`^${SESSION_COOKIE}=;.*Max-Age=0`));
    await expectError(await call('GET', '/api/v1/jobs', withCookie(cookie!)), 401, 'unauthorized');
    await expectError(await call('GET', '/api/v1/session', withCookie(cookie!)), 401, 'unauthorized');
  });

  it('refuses a wrong token, the join token and no token, setting no cookie', async () => {
    for (const token of ['wrong-token', JOIN_TOKEN, `${ADMIN_TOKEN}x`]) {
      const { response, cookie } = await logIn(token);
      await expectError(response, 401, 'unauthorized');
      expect(cookie, token).toBeUndefined();
    }
    const bare = await call('POST', '/api/v1/session', { token: null });
    await expectError(bare, 401, 'unauthorized');
    expect(bare.headers.get('set-cookie')).toBeNull();
    await expectError(await call('POST', '/api/v1/session', { token: null, headers: { authorization: ADMIN_TOKEN } }), 401, 'unauthorized');
  });

  it('refuses a session id it did not open, and a wrong bearer token beside a good cookie', async () => {
    await expectError(await call('GET', '/api/v1/jobs', withCookie(`${SESSION_COOKIE}=made-up`)), 401, 'unauthorized');
    const { cookie } = await logIn(ADMIN_TOKEN);
    await expectError(await call('GET', '/api/v1/jobs', { token: JOIN_TOKEN, headers: { cookie: cookie! } }), 401, 'unauthorized');
  });

  it('refuses a state-changing request with the cookie from another origin (CSRF), recording nothing', async () => {
    const { cookie } = await logIn(ADMIN_TOKEN);
    for (const origin of ['http://evil.example', 'http://localhost:8081', 'null']) {
      await expectError(await call('POST', '/api/v1/jobs', withCookie(cookie!, { origin }, SPEC)), 403, 'forbidden');
      await expectError(await call('DELETE', '/api/v1/session', withCookie(cookie!, { origin })), 403, 'forbidden');
    }
    expect(await parts.store.listJobs()).toEqual([]);
    expect((await call('GET', '/api/v1/session', withCookie(cookie!))).status).toBe(200);

    // The coordinator's own origins: the one asked, and its public URL.
    expect((await call('POST', '/api/v1/jobs', withCookie(cookie!, { origin: 'http://tabgrid.test:8080' }, SPEC))).status).toBe(201);
    // The bearer token is not a cookie a browser sends by itself: no origin rule for it.
    expect((await call('POST', '/api/v1/jobs', { json: SPEC, headers: { origin: 'http://evil.example' } })).status).toBe(201);
  });

  it('marks the cookie Secure when the request is https', async () => {
    const response = await call('POST', 'https://localhost/api/v1/session', { token: ADMIN_TOKEN });
    expect(response.status).toBe(201);
    expect(response.headers.get('set-cookie')).toContain('Secure');
  });
});

describe('AdminSessions', () => {
  it('ends a session after its lifetime, and forgets a closed one', () => {
    let now = 1_000;
    const sessions = new AdminSessions(() => now, 60_000);
    const first = sessions.open();
    const second = sessions.open();
    expect(first.id).not.toBe(second.id);
    expect(sessions.expiryOf(first.id)).toBe(61_000);
    sessions.close(second.id);
    expect(sessions.expiryOf(second.id)).toBeUndefined();
    now += 59_999;
    expect(sessions.expiryOf(first.id)).toBe(61_000);
    now += 1;
    expect(sessions.expiryOf(first.id)).toBeUndefined();
  });
});
