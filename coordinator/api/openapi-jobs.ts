import { z } from 'zod';
import type { ZodOpenApiPathsObject } from 'zod-openapi';
import {
  ItemResult,
  JobEventList,
  JobPage,
  JobQuery,
  JobSpec,
  JobStatus,
  LogEntry,
  LogQuery,
  PriorityBody,
  ProblemDetails,
  ReduceResult,
  RejectedJobProblem,
  RunModeBody,
  TaskDetail,
  TaskGraph,
  TaskMap,
  TaskMapQuery,
  TaskPage,
  TaskQuery,
  PROBLEM_CONTENT_TYPE,
} from '../../shared/index.js';
import { MAX_CONTROL_BODY_BYTES } from './job-controls.js';
import { adminRead, adminWrite, jobRead, jobWrite, jsonAnswer, jsonBodyRefusals, problem } from './openapi-answers.js';
import { TaskIndex } from './task-views.js';

// The jobs part of the API description: `/api/v1/jobs` and what lies under it (jobs.ts, job-controls.ts, task-views.ts).

const JobPath = z.object({ id: z.string().meta({ description: 'The job id, as `POST /api/v1/jobs` answered it.' }) });
const TaskPath = JobPath.extend({ index: TaskIndex.meta({ description: 'The task index, from 0.' }) });
const FollowQuery = z.object({ follow: z.string().optional().meta({ description: '`1` (or `true`, or a bare `?follow`) streams Server-Sent Events until the job ends.' }) });

const BAD_QUERY = problem(['invalid_query'], 'a query parameter is not what the route takes (`details` lists `{ path, message }`).');
const WRONG_STATE = problem(['conflict'], "the job's state does not allow this.");

/** 413 or 429 with the REJECTED job as `job`, or (413 only) a body or spec over a limit with nothing recorded. */
const REFUSED_BY_POLICY = {
  413: {
    description: '`too_large`: the body or the spec is over a limit, and nothing was recorded; or the spec is over `maxSpecBytes`, and the job was recorded as REJECTED (`job`).',
    content: { [PROBLEM_CONTENT_TYPE]: { schema: z.union([RejectedJobProblem, ProblemDetails]) } },
  },
  429: { description: '`over_capacity`: `maxQueuedJobs` jobs are waiting or running; the job was recorded as REJECTED (`job`).', content: { [PROBLEM_CONTENT_TYPE]: { schema: RejectedJobProblem } } },
};

const SUBMITTED = {
  201: jsonAnswer('The new job.', JobStatus),
  200: jsonAnswer('The job made before with the same `idempotencyKey` (`existing: true`).', JobStatus),
};

const ndjson = (description: string, line: z.ZodType) => ({ description: `${description} NDJSON: one JSON value a line, each of the schema shown.`, content: { 'application/x-ndjson': { schema: line } } });

const controls = (action: string, summary: string, conflict: string) => ({
  [`/api/v1/jobs/{id}/${action}`]: {
    post: jobWrite({ tags: ['Job controls'], summary, requestParams: { path: JobPath }, responses: { 200: jsonAnswer("The job's status after it.", JobStatus), 409: problem(['conflict'], conflict) } }),
  },
});

export const jobPaths: ZodOpenApiPathsObject = {
  '/api/v1/jobs': {
    post: adminWrite({
      tags: ['Jobs'],
      summary: 'Submit a job',
      description: 'Validates the spec and creates the job. An invalid spec is answered 400 and leaves nothing behind.',
      requestBody: { required: true, content: { 'application/json': { schema: JobSpec } } },
      responses: { ...SUBMITTED, ...jsonBodyRefusals('`maxBodyBytes`'), ...REFUSED_BY_POLICY },
    }),
    get: adminRead({
      tags: ['Jobs'],
      summary: 'List jobs, a page at a time',
      requestParams: { query: JobQuery },
      responses: { 200: jsonAnswer('One page of jobs; pass `nextCursor` as `cursor` for the next.', JobPage), 400: BAD_QUERY },
    }),
  },
  '/api/v1/jobs/{id}': { get: jobRead({ tags: ['Jobs'], summary: "A job's status", requestParams: { path: JobPath }, responses: { 200: jsonAnswer("The job's status.", JobStatus) } }) },
  '/api/v1/jobs/{id}/tasks': {
    get: jobRead({
      tags: ['Tasks'],
      summary: "A job's tasks, a page at a time",
      requestParams: { path: JobPath, query: TaskQuery },
      responses: { 200: jsonAnswer('One page of tasks by index; pass `nextCursor` as `cursor` for the next.', TaskPage), 400: BAD_QUERY },
    }),
  },
  '/api/v1/jobs/{id}/tasks/{index}': {
    get: jobRead({
      tags: ['Tasks'],
      summary: 'One task in full',
      requestParams: { path: TaskPath },
      responses: { 200: jsonAnswer('The task.', TaskDetail), 400: problem(['invalid_query'], 'the index is not a whole number.'), 404: problem(['not_found'], 'no such job, or no such task in it.') },
    }),
  },
  '/api/v1/jobs/{id}/task-map': {
    get: jobRead({ tags: ['Tasks'], summary: "A job's tasks at a glance", requestParams: { path: JobPath, query: TaskMapQuery }, responses: { 200: jsonAnswer('The task map.', TaskMap), 400: BAD_QUERY } }),
  },
  '/api/v1/jobs/{id}/graph': {
    get: jobRead({ tags: ['Tasks'], summary: "A job's task graph", requestParams: { path: JobPath }, responses: { 200: jsonAnswer('Its tasks and the edges between them (`tooLarge` for a job too big to draw).', TaskGraph) } }),
  },
  '/api/v1/jobs/{id}/results': {
    get: jobRead({ tags: ['Jobs'], summary: "A job's item results", requestParams: { path: JobPath }, responses: { 200: ndjson('The outputs of every done task, by item (the reduce step left out).', ItemResult) } }),
  },
  '/api/v1/jobs/{id}/result': {
    get: jobRead({
      tags: ['Jobs'],
      summary: "The result of a job's reduce step",
      requestParams: { path: JobPath },
      responses: { 200: jsonAnswer('The reduce output.', ReduceResult), 404: problem(['not_found'], 'no such job, or it has no reduce step.'), 409: problem(['conflict'], 'the job has not COMPLETED yet.') },
    }),
  },
  '/api/v1/jobs/{id}/logs': {
    get: jobRead({
      tags: ['Jobs'],
      summary: "A job's task logs",
      requestParams: { path: JobPath, query: LogQuery },
      responses: {
        200: {
          description: 'The log lines that pass the filters, as NDJSON (one `LogEntry` a line); with `follow`, Server-Sent Events: a `log` event (data: `LogEntry`) per line, then `end` when the job ends.',
          content: { 'application/x-ndjson': { schema: LogEntry }, 'text/event-stream': { schema: z.string() } },
        },
        400: BAD_QUERY,
      },
    }),
  },
  '/api/v1/jobs/{id}/events': {
    get: jobRead({
      tags: ['Jobs'],
      summary: "A job's state changes",
      requestParams: { path: JobPath, query: FollowQuery },
      responses: {
        200: {
          description: 'Its events; with `follow`, Server-Sent Events: a `state` event (data: `JobEvent`) per change, then `end` when the job ends.',
          content: { 'application/json': { schema: JobEventList }, 'text/event-stream': { schema: z.string() } },
        },
      },
    }),
  },
  ...controls('cancel', 'Cancel a job', 'the job has already ended.'),
  ...controls('pause', 'Pause a job', 'only a PENDING or RUNNING job can be paused.'),
  ...controls('resume', 'Resume a paused job', 'the job is not PAUSED.'),
  ...controls('retry', "Run a FAILED job's failed tasks again", 'the job is not FAILED, or is being retried already.'),
  '/api/v1/jobs/{id}/resubmit': {
    post: jobWrite({
      tags: ['Job controls'],
      summary: "Submit a job's spec again, as a new job",
      description: 'Goes through every policy of `POST /api/v1/jobs`; the new job runs at this one\'s priority.',
      requestParams: { path: JobPath },
      responses: { ...SUBMITTED, 409: problem(['conflict'], 'the job is REJECTED: its spec was not kept.'), ...REFUSED_BY_POLICY },
    }),
  },
  '/api/v1/jobs/{id}/priority': {
    post: jobWrite({
      tags: ['Job controls'],
      summary: "Change a live job's priority",
      requestParams: { path: JobPath },
      requestBody: { required: true, content: { 'application/json': { schema: PriorityBody } } },
      responses: { 200: jsonAnswer("The job's status after it.", JobStatus), ...jsonBodyRefusals(`${MAX_CONTROL_BODY_BYTES} bytes`), 409: WRONG_STATE },
    }),
  },
  '/api/v1/jobs/{id}/run-mode': {
    post: jobWrite({
      tags: ['Job controls'],
      summary: 'Switch a live job to or from debug mode',
      requestParams: { path: JobPath },
      requestBody: { required: true, content: { 'application/json': { schema: RunModeBody } } },
      responses: { 200: jsonAnswer("The job's status after it.", JobStatus), ...jsonBodyRefusals(`${MAX_CONTROL_BODY_BYTES} bytes`), 409: WRONG_STATE },
    }),
  },
};
