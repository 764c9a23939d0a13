import type { Context, MiddlewareHandler } from 'hono';
import { requestId } from 'hono/request-id';
import { routePath } from 'hono/route';
import { SILENT_LOG, type Logger } from '../log.js';

declare module 'hono' {
  interface ContextVariableMap {
    /** The coordinator's log with this request's id bound (see `logRequests`). */
    log?: Logger;
  }
}

/**
 * Gives each request an id (the client's `X-Request-Id` when it is a plain one, else a new UUID),
 * answered in `X-Request-Id` and bound to every line logged while it is answered; and logs the
 * request once answered: at debug, or at info when it was refused or failed (status 400 and up).
 */
export function logRequests(log: Logger): MiddlewareHandler[] {
  const logRequest: MiddlewareHandler = async (c, next) => {
    // Nothing a request would log is kept: no child log, no timing (the id is still answered).
    if (!log.isLevelEnabled('info')) return next();
    const started = performance.now();
    const requestLog = log.child({ requestId: c.get('requestId') });
    c.set('log', requestLog);
    await next();
    const { status } = c.res;
    const line = { method: c.req.method, route: routePath(c, -1), path: c.req.path, status, ms: Math.round(performance.now() - started) };
    if (status >= 400) requestLog.info(line, 'request answered');
    else requestLog.debug(line, 'request answered');
  };
  return [requestId(), logRequest];
}

/** The log of the request `c` is answering (the silent log outside `logRequests`). */
export function requestLog(c: Context): Logger {
  return c.get('log') ?? SILENT_LOG;
}
