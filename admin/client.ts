import { z } from 'zod';
import { ErrorBody, JobPage, jobPagePath, summarizeIssues, WorkerStatus } from '../shared/index.js';
import type { JobStatus } from '../shared/index.js';

const WorkerList = z.object({ workers: z.array(WorkerStatus) });

/** A REST call that did not succeed; `status` 401 means the admin token or session was refused. */
export class AdminApiError extends Error {
  override readonly name = 'AdminApiError';

  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    options?: ErrorOptions,
  ) {
    super(message, options);
  }
}

/** True for the error a refused admin token gives. Compares `name`, so it holds across realms. */
export function isUnauthorized(error: unknown): boolean {
  return error instanceof Error && error.name === 'AdminApiError' && (error as AdminApiError).status === 401;
}

/**
 * The coordinator's REST API as the admin panel uses it, on the page's own origin. The admin
 * token is sent once, to open a session; the coordinator keeps the session in an HttpOnly
 * cookie, which the browser sends along and no script on this origin can read (the join page
 * and its task code share the origin, and could read `localStorage`).
 */
export class AdminClient {
  /** Opens a session with the admin token; throws `AdminApiError` 401 when it is refused. */
  async logIn(token: string): Promise<void> {
    await this.request('POST', '/api/v1/session', { authorization: `Bearer ${token}` });
  }

  /** Whether this browser holds an open session. */
  async isLoggedIn(): Promise<boolean> {
    try {
      await this.request('GET', '/api/v1/session');
      return true;
    } catch (error) {
      if (isUnauthorized(error)) return false;
      throw error;
    }
  }

  async logOut(): Promise<void> {
    await this.request('DELETE', '/api/v1/session');
  }

  /** Every job, a page at a time. */
  async listJobs(): Promise<JobStatus[]> {
    const all: JobStatus[] = [];
    let cursor: string | undefined;
    do {
      const page = parseAnswer(JobPage, await this.request('GET', jobPagePath({ cursor })), 'GET /api/v1/jobs');
      all.push(...page.jobs);
      cursor = page.nextCursor;
    } while (cursor !== undefined);
    return all;
  }

  async listWorkers(): Promise<WorkerStatus[]> {
    const body = await this.request('GET', '/api/v1/workers');
    return parseAnswer(WorkerList, body, 'GET /api/v1/workers').workers;
  }

  async cancelJob(jobId: string): Promise<void> {
    await this.request('POST', `/api/v1/jobs/${encodeURIComponent(jobId)}/cancel`);
  }

  private async request(method: 'GET' | 'POST' | 'DELETE', path: string, headers: Record<string, string> = {}): Promise<unknown> {
    let response: Response;
    try {
      response = await fetch(path, { method, headers, credentials: 'same-origin' });
    } catch (cause) {
      throw new AdminApiError(0, 'NETWORK', 'the coordinator cannot be reached', { cause });
    }
    const body: unknown = await response.json().catch(() => undefined);
    if (!response.ok) throw errorFromResponse(response.status, body);
    return body;
  }
}

function errorFromResponse(status: number, body: unknown): AdminApiError {
  const parsed = ErrorBody.safeParse(body);
  if (parsed.success) return new AdminApiError(status, parsed.data.error.code, parsed.data.error.message);
  return new AdminApiError(status, 'HTTP', `the coordinator answered ${status}`);
}

function parseAnswer<T>(schema: z.ZodType<T>, body: unknown, request: string): T {
  const parsed = schema.safeParse(body);
  if (parsed.success) return parsed.data;
  throw new AdminApiError(200, 'BAD_RESPONSE', `unexpected answer to ${request}: ${summarizeIssues(parsed.error)}`, {
    cause: parsed.error,
  });
}
