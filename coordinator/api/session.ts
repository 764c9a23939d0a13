import { Hono, type Context } from 'hono';
import { deleteCookie, getCookie, setCookie } from 'hono/cookie';
import { checkAdminBearer, refuseForeignOrigin, type AdminAuth } from './auth.js';
import { ApiError } from './errors.js';
import { SESSION_COOKIE } from './sessions.js';

/** The cookie's reach: the REST API only, not the pages or their assets. */
const COOKIE_PATH = '/api/v1';

/**
 * `/api/v1/session`: the admin panel's login. `POST` with `Authorization: Bearer <admin token>`
 * opens a session and sets it as an HttpOnly, SameSite=Strict cookie, so the panel keeps no
 * token where script on this origin could read it; `GET` says whether the cookie's session is
 * open; `DELETE` logs out.
 */
export function sessionRoutes(auth: AdminAuth): Hono {
  const app = new Hono();

  app.post('/', (c) => {
    refuseForeignOrigin(c, auth.publicUrl);
    checkAdminBearer(c, auth.adminToken);
    const { id, expiresAt } = auth.sessions.open();
    setCookie(c, SESSION_COOKIE, id, {
      path: COOKIE_PATH,
      httpOnly: true,
      sameSite: 'Strict',
      secure: isHttps(c, auth.publicUrl),
      maxAge: Math.floor(auth.sessions.lifetimeMs / 1000),
    });
    return c.json({ expiresAt: new Date(expiresAt).toISOString() }, 201);
  });

  app.get('/', (c) => {
    const id = getCookie(c, SESSION_COOKIE);
    const expiresAt = id === undefined ? undefined : auth.sessions.expiryOf(id);
    if (expiresAt === undefined) throw new ApiError(401, 'unauthorized', 'not logged in');
    return c.json({ expiresAt: new Date(expiresAt).toISOString() });
  });

  app.delete('/', (c) => {
    refuseForeignOrigin(c, auth.publicUrl);
    const id = getCookie(c, SESSION_COOKIE);
    if (id !== undefined) auth.sessions.close(id);
    deleteCookie(c, SESSION_COOKIE, { path: COOKIE_PATH, secure: isHttps(c, auth.publicUrl) });
    return c.body(null, 204);
  });

  return app;
}

/** Behind a TLS proxy the request itself is plain http: a public https URL counts too. */
function isHttps(c: Context, publicUrl: () => string): boolean {
  return new URL(c.req.url).protocol === 'https:' || publicUrl().startsWith('https:');
}
