import type { z } from 'zod';
import type { ZodOpenApiOperationObject, ZodOpenApiResponseObject, ZodOpenApiResponsesObject } from 'zod-openapi';
import { PROBLEM_CONTENT_TYPE, ProblemDetails, type ErrorCode } from '../../shared/index.js';

// The pieces every operation of the API description is made of: answers, error answers, auth.

/** The admin: its bearer token (the SDK, the CLI) or the admin panel's session cookie. */
export const ADMIN_SECURITY = [{ adminToken: [] }, { adminSession: [] }];
/** A volunteer: the join token, as a bearer token or as `?token=` (sockets and pages cannot set headers). */
export const JOIN_SECURITY = [{ joinToken: [] }, { joinTokenQuery: [] }];
/** No credentials at all. */
export const PUBLIC: [] = [];

/** A JSON answer of `schema`. */
export function jsonAnswer(description: string, schema: z.ZodType): ZodOpenApiResponseObject {
  return { description, content: { 'application/json': { schema } } };
}

/** An error answer: problem details whose `code` is one of `codes`. */
export function problem(codes: readonly ErrorCode[], description: string): ZodOpenApiResponseObject {
  return { description: `${codes.map((code) => `\`${code}\``).join(', ')}: ${description}`, content: { [PROBLEM_CONTENT_TYPE]: { schema: ProblemDetails } } };
}

/** What any route may answer: a standby's 503 (with `Retry-After`) and the 500 of a bug. */
const ANY_ROUTE: ZodOpenApiResponsesObject = {
  default: problem(['standby', 'internal'], 'a standby answers 503 with `Retry-After` (ask again, or ask the active coordinator); 500 when the coordinator failed (its log says why).'),
};

const UNAUTHORIZED = problem(['unauthorized'], 'no admin token or session, or a wrong or ended one.');
const FOREIGN_ORIGIN = problem(['forbidden'], 'the admin session cookie came with a request from another origin.');
const NO_JOB = problem(['not_found'], 'no such job.');
const NOT_JSON = problem(['invalid_json', 'invalid_spec'], 'the body is not JSON, or not what the route takes (`details` lists `{ path, message }`).');
const NOT_JSON_TYPE = problem(['unsupported_media_type'], 'the body was sent without `Content-Type: application/json`.');

/** An operation of the admin API that reads: `responses` plus the refusals every admin route may give. */
export function adminRead(operation: ZodOpenApiOperationObject): ZodOpenApiOperationObject {
  return { security: ADMIN_SECURITY, ...operation, responses: { ...operation.responses, 401: UNAUTHORIZED, ...ANY_ROUTE } };
}

/** An operation of the admin API that changes something: with the session cookie, only from the coordinator's own origin. */
export function adminWrite(operation: ZodOpenApiOperationObject): ZodOpenApiOperationObject {
  const read = adminRead(operation);
  return { ...read, responses: { ...read.responses, 403: FOREIGN_ORIGIN } };
}

/** An admin read of one job: 404 when there is no such job. */
export function jobRead(operation: ZodOpenApiOperationObject): ZodOpenApiOperationObject {
  return adminRead({ ...operation, responses: { 404: NO_JOB, ...operation.responses } });
}

/** An admin control of one job: 404 when there is no such job. */
export function jobWrite(operation: ZodOpenApiOperationObject): ZodOpenApiOperationObject {
  return adminWrite({ ...operation, responses: { 404: NO_JOB, ...operation.responses } });
}

/** The refusals of a JSON body: not JSON (400), not `Content-Type: application/json` (415), over the body limit (413). */
export function jsonBodyRefusals(limit: string): ZodOpenApiResponsesObject {
  return { 400: NOT_JSON, 413: problem(['too_large'], `the body is over ${limit}.`), 415: NOT_JSON_TYPE };
}

/** An operation anyone may call. */
export function publicRoute(operation: ZodOpenApiOperationObject): ZodOpenApiOperationObject {
  return { security: PUBLIC, ...operation, responses: { ...operation.responses, ...ANY_ROUTE } };
}
