import { createDocument, type ZodOpenApiObject } from 'zod-openapi';
import { CoordinatorMessage, FeedStats, FeedWorkers, WorkerMessage } from '../../shared/index.js';
import { ADMIN_SECURITY } from './openapi-answers.js';
import { jobPaths } from './openapi-jobs.js';
import { systemPaths } from './openapi-system.js';
import { SESSION_COOKIE } from './sessions.js';

const DESCRIPTION = `The REST API of a tabgrid coordinator: submit, watch and steer jobs, and see the workers.

**Auth.** Admin routes take \`Authorization: Bearer <admin token>\` (the token \`tabgrid serve\` prints), or the admin panel's session cookie. Volunteers' routes take the join token.

**Errors.** Every error answer is RFC 9457 problem details (\`application/problem+json\`): \`type\`, \`title\`, \`status\`, \`detail\`, plus \`code\`, one of a closed list (switch on it), and \`details\` where there are more facts. \`type\` is \`/api/docs#problem-<code>\`. A standby coordinator answers every route but \`/api/v1/health\` and \`/readyz\` with 503 \`standby\` and \`Retry-After\`.

**Streams.** NDJSON answers hold one JSON value a line, each of the schema shown. Server-Sent Events carry JSON in each event's data.`;

const SECURITY_SCHEMES = {
  adminToken: { type: 'http', scheme: 'bearer', description: 'The admin token `tabgrid serve` printed (or `TABGRID_ADMIN_TOKEN`).' },
  adminSession: { type: 'apiKey', in: 'cookie', name: SESSION_COOKIE, description: 'The admin panel\'s session, opened by `POST /api/v1/session`. State-changing requests with it must come from the coordinator\'s own origin.' },
  joinToken: { type: 'http', scheme: 'bearer', description: 'The join token of the join URL.' },
  joinTokenQuery: { type: 'apiKey', in: 'query', name: 'token', description: 'The join token as `?token=` (sockets and pages cannot set headers).' },
} as const;

function describeApi(): ZodOpenApiObject {
  return {
    openapi: '3.1.0',
    info: { title: 'tabgrid coordinator', version: '1', description: DESCRIPTION },
    security: ADMIN_SECURITY,
    tags: [
      { name: 'Jobs' },
      { name: 'Job controls' },
      { name: 'Tasks' },
      { name: 'Blobs' },
      { name: 'Workers' },
      { name: 'System' },
      { name: 'Session' },
      { name: 'Worker socket' },
      { name: 'API description' },
      { name: 'Web pages' },
    ],
    paths: { ...jobPaths, ...systemPaths },
    components: {
      securitySchemes: SECURITY_SCHEMES,
      // Named by the routes' descriptions, not by a route's schema: the feed's events, the socket's messages.
      schemas: { FeedStats, FeedWorkers, WorkerMessage, CoordinatorMessage },
    },
  };
}

let document: ReturnType<typeof createDocument> | undefined;

/**
 * The API description (OpenAPI 3.1), made once from the zod schemas in `shared/` that validate
 * requests and answers, so it cannot describe another API than the one that runs.
 */
export function apiDocument(): ReturnType<typeof createDocument> {
  document ??= createDocument(describeApi());
  return document;
}
