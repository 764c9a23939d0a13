import type { MiddlewareHandler } from 'hono';

/**
 * Sets `X-Content-Type-Options: nosniff` on every response, errors and 404s included: a blob a
 * job uploaded, or a JSON error echoing a path, must never be sniffed into HTML or script on
 * the coordinator's origin, where the join page and the admin panel live.
 */
export function noSniff(): MiddlewareHandler {
  return async (c, next) => {
    await next();
    c.res.headers.set('x-content-type-options', 'nosniff');
  };
}

/**
 * The admin panel's Content Security Policy: its own scripts, styles and API, nothing else. It
 * runs no task code, so it needs none of the join page's `blob:` or WebAssembly allowances.
 */
export const ADMIN_CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "connect-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'none'",
].join('; ');

/**
 * The headers every page carries: its policy, plus refusing to be framed (a framed admin panel
 * or join page could be clickjacked) and sending no referrer (the join page's URL once held the
 * join token, and no page's address is anyone else's business).
 */
export function pageHeaders(policy: string): Record<string, string> {
  return {
    'content-security-policy': `${policy}; frame-ancestors 'none'`,
    'referrer-policy': 'no-referrer',
    'x-frame-options': 'DENY',
  };
}

/**
 * Cross-origin isolation: the join page, and every script it and its workers load, is served
 * with these, so `crossOriginIsolated` is true there and `SharedArrayBuffer` (threaded WASM
 * kernels over one shared memory) exists. `require-corp` costs nothing here: the join page and
 * its workers load only same-origin resources (WebRTC and WebSockets are not subresources).
 * The admin panel needs no threads and is not isolated.
 */
export const ISOLATION_HEADERS: Readonly<Record<string, string>> = {
  'cross-origin-opener-policy': 'same-origin',
  'cross-origin-embedder-policy': 'require-corp',
};
