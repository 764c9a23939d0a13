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

/** Where the build puts Scalar's API reference script (its standalone browser bundle), under the web root. */
export const API_REFERENCE_SCRIPT = 'api-docs/scalar.js';

/**
 * The API reference page's policy. Its scripts are the coordinator's own (no CDN, no inline
 * script); the reference adds `<style>` elements as it renders, hence inline styles; it asks only
 * this origin (for the document, and the requests a reader tries out).
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
  </head>
  <body>
    <div id="app"></div>
    <script src="${DOCS_PATH}/start.js"></script>
    <script src="${DOCS_PATH}/scalar.js"></script>
  </body>
</html>
`;

// Runs before the reference's script, which starts the page once the document is parsed. The zod
// inside that script probes for `eval` as it loads, which the policy refuses (and reports): it is
// told not to. Its telemetry, fonts from its CDN and its AI agent would reach other origins: off.
const START = `globalThis.__zod_globalConfig = { ...globalThis.__zod_globalConfig, jitless: true };
document.addEventListener('DOMContentLoaded', () => {
  Scalar.createApiReference('#app', ${JSON.stringify({ url: OPENAPI_PATH, telemetry: false, withDefaultFonts: false, agent: { disabled: true } })});
});
`;

/**
 * The API description: `GET /api/v1/openapi.json` (OpenAPI 3.1, made from the schemas in
 * `shared/` that validate the API), and `/api/docs`, an interactive reference to it (Scalar),
 * served whole from this origin. Neither needs credentials: they describe, they hold nothing.
 */
export function docsRoutes(webRoot: string, apiDocument: () => object): Hono {
  const app = new Hono();
  app.get(OPENAPI_PATH, (c) => c.json(apiDocument()));
  app.get(DOCS_PATH, async (c) => {
    await access(join(webRoot, API_REFERENCE_SCRIPT)).catch(() => {
      throw new ApiError(503, 'not_built', `the API reference is not built (no ${API_REFERENCE_SCRIPT} in ${webRoot}): run npm run build`);
    });
    return c.html(PAGE, 200, { 'cache-control': 'no-cache', ...pageHeaders(API_DOCS_CSP) });
  });
  // Its name stays the same from one build to the next: cached for a while, not for good.
  app.get(`${DOCS_PATH}/scalar.js`, () => serveFile(webRoot, API_REFERENCE_SCRIPT, 'public, max-age=3600'));
  app.get(`${DOCS_PATH}/start.js`, (c) => c.body(START, 200, { 'content-type': 'text/javascript; charset=utf-8', 'cache-control': 'no-cache' }));
  return app;
}
