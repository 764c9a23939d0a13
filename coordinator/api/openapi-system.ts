import { z } from 'zod';
import type { ZodOpenApiPathsObject, ZodOpenApiResponseObject } from 'zod-openapi';
import {
  AdminSession,
  FeedQuery,
  Health,
  JoinUrl,
  PROBLEM_CONTENT_TYPE,
  ProblemDetails,
  QuarantineBody,
  Readiness,
  Sha256,
  Stats,
  StatsHistory,
  StoredBlob,
  WorkerList,
  WorkerReputation,
} from '../../shared/index.js';
import { DOCS_PATH, OPENAPI_PATH } from './docs.js';
import { adminRead, adminWrite, JOIN_SECURITY, jsonAnswer, problem, publicRoute } from './openapi-answers.js';
import { WorkerId } from './system.js';

// The rest of the API description: workers, statistics, blobs, the feed, the session, health,
// metrics, the worker socket, the API description itself and the web pages.

const BlobPath = z.object({ sha: Sha256.meta({ description: "The blob's name: the lowercase hex SHA-256 of its bytes." }) });
const WorkerPath = z.object({ id: WorkerId.meta({ description: 'The worker identity.' }) });
const JoinQuery = z.object({ token: z.string().optional().meta({ description: 'The join token, where no `Authorization` header can be sent.' }) });

const BAD_BLOB_NAME = problem(['invalid_blob_name'], 'the name is not a lowercase hex SHA-256.');
const NO_BLOB = problem(['not_found'], 'no blob of that name.');
const BYTES = { 'application/octet-stream': { schema: { type: 'string', contentMediaType: 'application/octet-stream' } } } as const;
const NOT_BUILT = problem(['not_built'], 'the web apps were not built (`npm run build`).');

const page = (description: string): ZodOpenApiResponseObject => ({ description, content: { 'text/html': { schema: z.string() } } });
const script = (description: string): ZodOpenApiResponseObject => ({ description, content: { 'text/javascript': { schema: z.string() } } });
const stylesheet = (description: string): ZodOpenApiResponseObject => ({ description, content: { 'text/css': { schema: z.string() } } });

const quarantine = (action: 'quarantine' | 'release', summary: string) => ({
  [`/api/v1/workers/{id}/${action}`]: {
    post: adminWrite({
      tags: ['Workers'],
      summary,
      requestParams: { path: WorkerPath },
      requestBody: { required: false, content: { 'application/json': { schema: QuarantineBody } } },
      responses: {
        200: jsonAnswer("The worker's record after it.", WorkerReputation),
        400: problem(['invalid_spec', 'invalid_json'], 'the id is not 1 to 100 characters, or the body is not `{ reason }`.'),
        415: problem(['unsupported_media_type'], 'a body was sent without `Content-Type: application/json`.'),
      },
    }),
  },
});

export const systemPaths: ZodOpenApiPathsObject = {
  '/api/v1/health': { get: publicRoute({ tags: ['System'], summary: 'Whether the coordinator answers, and its role', responses: { 200: jsonAnswer('It answers (a standby too).', Health) } }) },
  '/readyz': {
    get: publicRoute({
      tags: ['System'],
      summary: 'Whether to send it traffic (for load balancers)',
      responses: {
        200: jsonAnswer('The active coordinator.', Readiness),
        503: { description: '`standby`: send it nothing. The problem carries `ready` and `role` too.', content: { [PROBLEM_CONTENT_TYPE]: { schema: ProblemDetails.extend(Readiness.shape) } } },
      },
    }),
  },
  [OPENAPI_PATH]: { get: publicRoute({ tags: ['API description'], summary: 'This document (OpenAPI 3.1)', responses: { 200: jsonAnswer('The API description.', z.looseObject({ openapi: z.string() })) } }) },
  [DOCS_PATH]: { get: publicRoute({ tags: ['API description'], summary: 'An interactive reference to this document', responses: { 200: page('The reference page.'), 503: NOT_BUILT } }) },
  [`${DOCS_PATH}/swagger-ui-bundle.js`]: { get: publicRoute({ tags: ['API description'], summary: "The reference page's renderer (Swagger UI)", responses: { 200: script('The script.'), 404: problem(['not_found'], 'not built.') } }) },
  [`${DOCS_PATH}/swagger-ui.css`]: { get: publicRoute({ tags: ['API description'], summary: "The reference page's stylesheet (Swagger UI)", responses: { 200: stylesheet('The stylesheet.'), 404: problem(['not_found'], 'not built.') } }) },
  [`${DOCS_PATH}/start.js`]: { get: publicRoute({ tags: ['API description'], summary: 'What starts the reference page', responses: { 200: script('The script.') } }) },

  '/api/v1/session': {
    post: {
      ...adminWrite({ tags: ['Session'], summary: "Log in to the admin panel: opens a session in an HttpOnly cookie", responses: { 201: jsonAnswer('The session is open; `Set-Cookie` holds it.', AdminSession) } }),
      security: [{ adminToken: [] }],
    },
    get: {
      ...adminRead({ tags: ['Session'], summary: "Whether this browser's session is open", responses: { 200: jsonAnswer('It is open.', AdminSession) } }),
      security: [{ adminSession: [] }],
    },
    delete: publicRoute({
      tags: ['Session'],
      summary: 'Log out',
      responses: { 204: { description: 'The session (if any) is closed and its cookie cleared.' }, 403: problem(['forbidden'], 'the request came from another origin.') },
    }),
  },

  '/api/v1/blobs/{sha}': {
    put: adminWrite({
      tags: ['Blobs'],
      summary: 'Store a blob (task code, inputs) under the SHA-256 of its bytes',
      requestParams: { path: BlobPath },
      requestBody: { required: true, content: BYTES },
      responses: {
        201: jsonAnswer('Stored.', StoredBlob),
        400: problem(['invalid_blob_name', 'hash_mismatch'], 'the name is not a SHA-256, or the bytes do not hash to it.'),
        413: problem(['too_large'], 'the blob is over `maxBlobBytes`.'),
      },
    }),
    get: adminRead({ tags: ['Blobs'], summary: "A blob's bytes", requestParams: { path: BlobPath }, responses: { 200: { description: 'Its bytes.', content: BYTES }, 400: BAD_BLOB_NAME, 404: NO_BLOB } }),
  },

  '/api/v1/workers': { get: adminRead({ tags: ['Workers'], summary: 'The connected workers, and every quarantined identity', responses: { 200: jsonAnswer('The workers.', WorkerList) } }) },
  ...quarantine('quarantine', 'Quarantine a worker: no more work; its unchecked results checked again'),
  ...quarantine('release', 'Release a quarantined worker: it starts over, checked until trusted'),
  '/api/v1/join-url': { get: adminRead({ tags: ['System'], summary: 'The URL volunteers open to join', responses: { 200: jsonAnswer('The join URL, join token included.', JoinUrl) } }) },
  '/api/v1/stats': { get: adminRead({ tags: ['System'], summary: "The coordinator's statistics", responses: { 200: jsonAnswer('The statistics now.', Stats) } }) },
  '/api/v1/stats/history': { get: adminRead({ tags: ['System'], summary: 'Throughput over the last hour', responses: { 200: jsonAnswer('A sample every 10 s, oldest first.', StatsHistory) } }) },
  '/api/v1/feed': {
    get: adminRead({
      tags: ['System'],
      summary: "The admin panel's live feed (Server-Sent Events)",
      description:
        'Events: `stats` (data: `FeedStats`) every 2 s; `job` (data: `JobStatus`) when a job changes (at most once a second); `workers` (data: `FeedWorkers`) when the workers do; `ping` (no data) after 15 s without another. With `?job=<id>`, only that job\'s `job` events (and `ping`s): what a client following one job reads.',
      requestParams: { query: FeedQuery },
      responses: {
        200: { description: 'The event stream.', content: { 'text/event-stream': { schema: z.string() } } },
        400: problem(['invalid_query'], 'an unknown or malformed query parameter.'),
        404: problem(['not_found'], 'no job with the `job` id given.'),
        503: problem(['over_capacity'], 'the feed has all the connections it takes (100 whole feeds, 1,000 following a job).'),
      },
    }),
  },
  '/metrics': {
    get: adminRead({ tags: ['System'], summary: 'Prometheus metrics', responses: { 200: { description: 'The Prometheus text exposition format.', content: { 'text/plain': { schema: z.string() } } } } }),
  },

  '/api/v1/worker': {
    get: publicRoute({
      tags: ['Worker socket'],
      summary: "A volunteer's WebSocket",
      description: 'Upgrades to a WebSocket: the worker sends `WorkerMessage`s (JSON text frames, `hello` first) and the coordinator answers with `CoordinatorMessage`s.',
      security: JOIN_SECURITY,
      requestParams: { query: JoinQuery },
      responses: { 101: { description: 'Switching to the WebSocket protocol.' }, 401: problem(['unauthorized'], 'no join token, or a wrong one.'), 404: problem(['not_found'], 'not a WebSocket upgrade request.') },
    }),
  },
  '/api/v1/worker/blobs/{sha}': {
    get: publicRoute({
      tags: ['Worker socket'],
      summary: "A blob's bytes, or a range of them, for a task",
      security: JOIN_SECURITY,
      requestParams: { path: BlobPath, query: JoinQuery, header: z.object({ range: z.string().optional().meta({ description: '`bytes=a-b` (inclusive; `b` may be left out).' }) }) },
      responses: {
        200: { description: 'Its bytes.', content: BYTES },
        206: { description: 'The range asked for.', content: BYTES },
        400: BAD_BLOB_NAME,
        401: problem(['unauthorized'], 'no join token, or a wrong one.'),
        404: NO_BLOB,
        416: problem(['range_not_satisfiable'], 'the range lies outside the blob.'),
      },
    }),
  },

  '/': { get: publicRoute({ tags: ['Web pages'], summary: 'To the admin panel', responses: { 302: { description: 'Redirects to `/admin`.' } } }) },
  '/join': { get: publicRoute({ tags: ['Web pages'], summary: 'The join page, for volunteers', responses: { 200: page('The page.'), 503: NOT_BUILT } }) },
  '/admin': { get: publicRoute({ tags: ['Web pages'], summary: 'The admin panel', responses: { 200: page('The page.'), 503: NOT_BUILT } }) },
  '/assets/{file}': {
    get: publicRoute({
      tags: ['Web pages'],
      summary: "The web apps' built assets",
      requestParams: { path: z.object({ file: z.string().meta({ description: 'The asset file, as the pages name it.' }) }) },
      responses: { 200: { description: 'The file (script, style, WebAssembly, image).', content: { '*/*': { schema: z.string() } } }, 404: problem(['not_found'], 'no such asset.') },
    }),
  },
};
