import { timingSafeEqual } from 'node:crypto';
import type { MiddlewareHandler } from 'hono';
import { ApiError } from './errors.js';

/** Compares secrets in constant time. */
export function sameSecret(given: string, expected: string): boolean {
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

function bearer(header: string | undefined): string | undefined {
  const match = /^Bearer\s+(\S+)$/i.exec(header ?? '');
  return match?.[1];
}

/** Requires `Authorization: Bearer <admin token>`. */
export function requireAdmin(adminToken: string): MiddlewareHandler {
  return async (c, next) => {
    const token = bearer(c.req.header('authorization'));
    if (token === undefined) throw new ApiError(401, 'unauthorized', 'missing admin token: send Authorization: Bearer <admin token>');
    if (!sameSecret(token, adminToken)) throw new ApiError(401, 'unauthorized', 'wrong admin token');
    await next();
  };
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
