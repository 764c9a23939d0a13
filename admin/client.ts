import type { z } from 'zod';
import {
  ItemResult,
  JobEventList,
  JobPage,
  jobPagePath,
  JobStatus,
  LogEntry,
  ReduceResult,
  Stats,
  StatsHistory,
  summarizeIssues,
  TaskDetail,
  TaskGraph,
  TaskMap,
  TaskPage,
  taskPagePath,
  WorkerList,
  WorkerReputation,
  readErrorBody,
  type JobEvent,
  type JobOrder,
  type JobState,
  type LogLevel,
  type TaskState,
} from '../shared/index.js';

/** A REST call that did not succeed; `status` 401 means the admin token or session was refused. */
export class AdminApiError extends Error {
  override readonly name = 'AdminApiError';

  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details?: unknown,
    options?: ErrorOptions,
  ) {
    super(message, options);
  }
}

/** True for the error a refused admin token gives. Compares `name`, so it holds across realms. */
export function isUnauthorized(error: unknown): boolean {
  return error instanceof Error && error.name === 'AdminApiError' && (error as AdminApiError).status === 401;
}

/** What `GET /api/v1/jobs` is asked for: one page, filtered. */
export interface JobFilter {
  order?: JobOrder;
  state?: JobState[];
  name?: string;
  cursor?: string;
  limit?: number;
}

/** The log lines to show: one task's, at a level and above, holding a text; the newest `limit`. */
export interface LogFilter {
  task?: number;
  level?: LogLevel;
  text?: string;
  limit?: number;
}

/**
 * The coordinator's REST API as the admin panel uses it, on the page's own origin. The admin
 * token is sent once, to open a session; the coordinator keeps the session in an HttpOnly
 * cookie, which the browser sends along and no script on this origin can read (the join page
 * and its task code share the origin, and could read `localStorage`). Every answer is checked
 * with the schema the coordinator answers by.
 */
export class AdminClient {
  /** Opens a session with the admin token; throws `AdminApiError` 401 when it is refused. */
  async logIn(token: string): Promise<void> {
    await this.request('POST', '/api/v1/session', { headers: { authorization: `Bearer ${token}` } });
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

  jobs(filter: JobFilter): Promise<JobPage> {
    return this.get(JobPage, jobPagePath({ limit: 50, ...filter }));
  }

  job(id: string): Promise<JobStatus> {
    return this.get(JobStatus, jobPath(id));
  }

  tasks(id: string, query: { cursor?: string; state?: TaskState[]; limit?: number }): Promise<TaskPage> {
    return this.get(TaskPage, taskPagePath(id, query));
  }

  task(id: string, index: number): Promise<TaskDetail> {
    return this.get(TaskDetail, jobPath(id, `/tasks/${index}`));
  }

  taskMap(id: string, cells: number): Promise<TaskMap> {
    return this.get(TaskMap, jobPath(id, `/task-map?cells=${cells}`));
  }

  graph(id: string): Promise<TaskGraph> {
    return this.get(TaskGraph, jobPath(id, '/graph'));
  }

  async events(id: string): Promise<JobEvent[]> {
    return (await this.get(JobEventList, jobPath(id, '/events'))).events;
  }

  async logs(id: string, filter: LogFilter): Promise<LogEntry[]> {
    const text = await this.requestText('GET', jobPath(id, `/logs?${logParams(filter).toString()}`));
    return parseLines(LogEntry, text, 'GET logs');
  }

  /** The path that follows a job's logs (`EventSource`): the newest `limit` lines that pass, then each new one. */
  logFollowPath(id: string, filter: LogFilter): string {
    const params = logParams(filter);
    params.set('follow', '1');
    return jobPath(id, `/logs?${params.toString()}`);
  }

  /** The first `count` item results, reading no more of the stream than that. */
  async firstResults(id: string, count: number): Promise<ItemResult[]> {
    const response = await this.fetch('GET', jobPath(id, '/results'));
    if (!response.ok) throw await errorFromResponse(response);
    const reader = response.body?.pipeThrough(new TextDecoderStream()).getReader();
    if (!reader) return [];
    let text = '';
    try {
      while (text.split('\n').length <= count) {
        const { done, value } = await reader.read();
        if (done) break;
        text += value;
      }
    } finally {
      void reader.cancel();
    }
    const complete = text.slice(0, text.lastIndexOf('\n') + 1);
    return parseLines(ItemResult, complete, 'GET results').slice(0, count);
  }

  /** Where a job's results download as NDJSON. */
  resultsPath(id: string): string {
    return jobPath(id, '/results');
  }

  async reduceResult(id: string): Promise<unknown> {
    return (await this.get(ReduceResult, jobPath(id, '/result'))).result;
  }

  /** A control of a job (`pause`, `resume`, `cancel`, `retry`, `priority`, `run-mode`): the job's status after it. */
  control(id: string, action: 'pause' | 'resume' | 'cancel' | 'retry' | 'priority' | 'run-mode', body?: unknown): Promise<JobStatus> {
    return this.send(JobStatus, 'POST', jobPath(id, `/${action}`), body);
  }

  /** The same spec again, as a new job: its status. */
  resubmit(id: string): Promise<JobStatus> {
    return this.send(JobStatus, 'POST', jobPath(id, '/resubmit'));
  }

  submit(spec: unknown): Promise<JobStatus> {
    return this.send(JobStatus, 'POST', '/api/v1/jobs', spec);
  }

  workers(): Promise<WorkerList> {
    return this.get(WorkerList, '/api/v1/workers');
  }

  setQuarantined(workerId: string, quarantined: boolean): Promise<WorkerReputation> {
    return this.send(WorkerReputation, 'POST', `/api/v1/workers/${encodeURIComponent(workerId)}/${quarantined ? 'quarantine' : 'release'}`);
  }

  stats(): Promise<Stats> {
    return this.get(Stats, '/api/v1/stats');
  }

  history(): Promise<StatsHistory> {
    return this.get(StatsHistory, '/api/v1/stats/history');
  }

  private async get<T>(schema: z.ZodType<T>, path: string): Promise<T> {
    return parseAnswer(schema, await this.request('GET', path), `GET ${path}`);
  }

  private async send<T>(schema: z.ZodType<T>, method: 'POST', path: string, body?: unknown): Promise<T> {
    const init = body === undefined ? {} : { headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) };
    return parseAnswer(schema, await this.request(method, path, init), `${method} ${path}`);
  }

  private async request(method: string, path: string, init: RequestInit = {}): Promise<unknown> {
    const response = await this.fetch(method, path, init);
    if (!response.ok) throw await errorFromResponse(response);
    return (await response.json().catch(() => undefined)) as unknown;
  }

  private async requestText(method: string, path: string): Promise<string> {
    const response = await this.fetch(method, path);
    if (!response.ok) throw await errorFromResponse(response);
    return response.text();
  }

  private async fetch(method: string, path: string, init: RequestInit = {}): Promise<Response> {
    try {
      return await fetch(path, { ...init, method, credentials: 'same-origin' });
    } catch (cause) {
      throw new AdminApiError(0, 'NETWORK', 'the coordinator cannot be reached', undefined, { cause });
    }
  }
}

function jobPath(id: string, rest = ''): string {
  return `/api/v1/jobs/${encodeURIComponent(id)}${rest}`;
}

function logParams(filter: LogFilter): URLSearchParams {
  const params = new URLSearchParams();
  if (filter.task !== undefined) params.set('task', String(filter.task));
  if (filter.level !== undefined) params.set('level', filter.level);
  if (filter.text) params.set('text', filter.text);
  if (filter.limit !== undefined) params.set('limit', String(filter.limit));
  return params;
}

async function errorFromResponse(response: Response): Promise<AdminApiError> {
  const received = readErrorBody(await response.json().catch(() => undefined));
  if (received) return new AdminApiError(response.status, received.rawCode ?? 'HTTP', received.message, received.details);
  return new AdminApiError(response.status, 'HTTP', `the coordinator answered ${response.status}`);
}

function parseAnswer<T>(schema: z.ZodType<T>, body: unknown, request: string): T {
  const parsed = schema.safeParse(body);
  if (parsed.success) return parsed.data;
  throw new AdminApiError(200, 'BAD_RESPONSE', `unexpected answer to ${request}: ${summarizeIssues(parsed.error)}`, undefined, { cause: parsed.error });
}

function parseLines<T>(schema: z.ZodType<T>, text: string, request: string): T[] {
  return text
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => parseAnswer(schema, JSON.parse(line), request));
}
