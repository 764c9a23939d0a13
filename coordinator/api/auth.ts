import { timingSafeEqual } from 'node:crypto';
import type { Context, MiddlewareHandler } from 'hono';
import { getCookie } from 'hono/cookie';
import { ApiError } from './errors.js';
import { SESSION_COOKIE, type AdminSessions } from './sessions.js';

/** Compares secrets in constant time. */
export function sameSecret(given: string, expected: string): boolean {
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

/** The token of an `Authorization: Bearer <token>` header. */
export function bearer(header: string | undefined): string | undefined {
  const match = /^Bearer\s+(\S+)$/i.exec(header ?? '');
  return match?.[1];
}

/** What admin routes check a request against. */
export interface AdminAuth {
  adminToken: string;
  sessions: AdminSessions;
  /** The coordinator's public base URL (may be empty): its origin is the coordinator's own too. */
  publicUrl: () => string;
}

/** Checks `Authorization: Bearer <admin token>`; throws 401 when it is missing or wrong. */
export function checkAdminBearer(c: Context, adminToken: string): void {
  const token = bearer(c.req.header('authorization'));
  if (token === undefined) throw new ApiError(401, 'unauthorized', 'missing admin token: send Authorization: Bearer <admin token>, or log in to the admin panel');
  if (!sameSecret(token, adminToken)) throw new ApiError(401, 'unauthorized', 'wrong admin token');
}

/**
 * Requires the admin: `Authorization: Bearer <admin token>` (the SDK, the CLI), or else the admin
 * panel's session cookie. A browser sends that cookie by itself, so a state-changing request
 * carrying it from another origin (another port on the same host is same-site, so SameSite
 * does not stop it) is refused.
 */
export function requireAdmin(auth: AdminAuth): MiddlewareHandler {
  return async (c, next) => {
    const session = getCookie(c, SESSION_COOKIE);
    if (c.req.header('authorization') !== undefined || session === undefined) {
      checkAdminBearer(c, auth.adminToken);
    } else {
      if (auth.sessions.expiryOf(session) === undefined) throw new ApiError(401, 'unauthorized', 'the admin session is over or unknown: log in again');
      refuseForeignOrigin(c, auth.publicUrl);
    }
    await next();
  };
}

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/** Refuses (403) a state-changing request whose `Origin` is present and not the coordinator's own. */
export function refuseForeignOrigin(c: Context, publicUrl: () => string): void {
  if (SAFE_METHODS.has(c.req.method)) return;
  const origin = c.req.header('origin');
  if (origin === undefined) return;
  const own = [new URL(c.req.url).origin];
  if (publicUrl()) own.push(new URL(publicUrl()).origin);
  if (!own.includes(origin)) throw new ApiError(403, 'forbidden', `a request from ${origin} may not use the admin session`);
}

/** Requires the join token, as `?token=` (sockets and the join page cannot set headers) or as a bearer token. */
export function requireJoinToken(joinToken: string): MiddlewareHandler {
  return async (c, next) => {
    const token = c.req.query('token') ?? bearer(c.req.header('authorization'));
    if (token === undefined || !sameSecret(token, joinToken)) {
      throw new ApiError(401, 'unauthorized', 'missing or wrong join token');
    }
    await next();
  };
}
