import { access } from 'node:fs/promises';
import { join } from 'node:path';
import { Hono } from 'hono';
import { ApiError } from './errors.js';
import { pageHeaders } from './headers.js';
import { serveFile } from './web.js';

/** Where the API description is served. */
export const OPENAPI_PATH = '/api/v1/openapi.json';
/** Where its interactive reference is. */
export const DOCS_PATH = '/api/docs';

/** Where the build puts Swagger UI's files (its browser bundle and stylesheet), under the web root. */
const API_REFERENCE_FOLDER = 'api-docs';
const API_REFERENCE_FILES = ['swagger-ui-bundle.js', 'swagger-ui.css'] as const;

/**
 * The API reference page's policy. Its scripts and stylesheet are the coordinator's own (no CDN,
 * no inline script); the reference sets style attributes as it renders, hence inline styles; it
 * asks only this origin (for the document, and the requests a reader tries out).
 */
export const API_DOCS_CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "connect-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data:",
  "font-src 'self' data:",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'none'",
].join('; ');

const PAGE = `<!doctype html>
<html lang="en">
  <head>
    <meta charset="utf-8" />
    <meta name="viewport" content="width=device-width, initial-scale=1" />
    <title>tabgrid API reference</title>
    <link rel="stylesheet" href="${DOCS_PATH}/swagger-ui.css" />
  </head>
  <body>
    <div id="app"></div>
    <script src="${DOCS_PATH}/swagger-ui-bundle.js"></script>
    <script src="${DOCS_PATH}/start.js"></script>
  </body>
</html>
`;

// Runs after the reference's script. No validator badge: it would send the document to another origin.
const START = `SwaggerUIBundle(${JSON.stringify({ url: OPENAPI_PATH, dom_id: '#app', deepLinking: true, validatorUrl: null })});
`;

/**
 * The API description: `GET /api/v1/openapi.json` (OpenAPI 3.1, made from the schemas in
 * `shared/` that validate the API), and `/api/docs`, an interactive reference to it (Swagger UI),
 * served whole from this origin. Neither needs credentials: they describe, they hold nothing.
 */
export function docsRoutes(webRoot: string, apiDocument: () => object): Hono {
  const app = new Hono();
  app.get(OPENAPI_PATH, (c) => c.json(apiDocument()));
  app.get(DOCS_PATH, async (c) => {
    const script = join(API_REFERENCE_FOLDER, API_REFERENCE_FILES[0]);
    await access(join(webRoot, script)).catch(() => {
      throw new ApiError(503, 'not_built', `the API reference is not built (no ${script} in ${webRoot}): run npm run build`);
    });
    return c.html(PAGE, 200, { 'cache-control': 'no-cache', ...pageHeaders(API_DOCS_CSP) });
  });
  // Its name stays the same from one build to the next: cached for a while, not for good.
  for (const file of API_REFERENCE_FILES) {
    app.get(`${DOCS_PATH}/${file}`, () => serveFile(webRoot, `${API_REFERENCE_FOLDER}/${file}`, 'public, max-age=3600'));
  }
  app.get(`${DOCS_PATH}/start.js`, (c) => c.body(START, 200, { 'content-type': 'text/javascript; charset=utf-8', 'cache-control': 'no-cache' }));
  return app;
}
