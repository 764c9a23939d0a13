import { startNodeWorker } from '../node-worker/index.js';
import { Tabgrid } from '../sdk/index.js';
import type { CoordinatorProcess, LogLine } from './coordinator.js';
import { expect, test } from './fixtures.js';

// The coordinator's log, as `tabgrid serve` writes it when its stdout is no terminal (a pipe
// here): one JSON line per event. No browser: REST calls and a Node worker make the events.

/** The first line `match` accepts, once the coordinator has logged it. */
async function lineWhere(coordinator: CoordinatorProcess, match: (line: LogLine) => boolean): Promise<LogLine> {
  await expect.poll(() => coordinator.logLines().some(match)).toBe(true);
  return coordinator.logLines().find(match)!;
}

/** Runs a job whose task throws on a Node worker until its attempt's failure is logged; answers the job's id. */
async function failAnAttempt(coordinator: CoordinatorProcess): Promise<string> {
  const client = new Tabgrid({ url: coordinator.url, token: coordinator.adminToken });
  const job = await client.submit({ name: 'cursed', code: 'export default () => { throw new Error("item three is cursed"); }', input: { items: [3] }, retry: { maxAttempts: 1, distinctWorkers: 1 } });
  const worker = startNodeWorker({ joinUrl: coordinator.joinUrl, concurrency: 1 });
  try {
    await lineWhere(coordinator, (line) => line.jobId === job.id && line.level === 'warn');
  } finally {
    await worker.stop();
  }
  return job.id;
}

test('every line on stdout is JSON with a level and a time; the started line names the URLs printed for the operator', async ({ coordinator }) => {
  const started = await lineWhere(coordinator, (line) => line.msg === 'coordinator started');
  expect(started).toMatchObject({ level: 'info', role: 'active', url: coordinator.url, joinUrl: coordinator.joinUrl, adminUrl: coordinator.adminUrl });
  for (const line of coordinator.logLines()) {
    expect(['trace', 'debug', 'info', 'warn', 'error', 'fatal']).toContain(line.level);
    expect(new Date(line.time).toISOString()).toBe(line.time);
  }
  // The banner is on stderr; the admin token is never logged.
  expect(coordinator.output()).toContain(`admin token: ${coordinator.adminToken}`);
  expect(JSON.stringify(coordinator.logLines())).not.toContain(coordinator.adminToken);
});

test('a request carries its id in X-Request-Id and in its log line, the client’s own id too', async ({ coordinator }) => {
  const headers = { authorization: `Bearer ${coordinator.adminToken}` };
  const missing = await fetch(`${coordinator.url}/api/v1/jobs/job_none`, { headers });
  expect(missing.status).toBe(404);
  const id = missing.headers.get('x-request-id');
  expect(id).toMatch(/^[\w-]{8,}$/);
  const line = await lineWhere(coordinator, (each) => each.requestId === id);
  expect(line).toMatchObject({ level: 'info', method: 'GET', route: '/api/v1/jobs/:id', path: '/api/v1/jobs/job_none', status: 404 });

  const traced = await fetch(`${coordinator.url}/api/v1/jobs/job_other`, { headers: { ...headers, 'x-request-id': 'trace-e2e-1' } });
  expect(traced.headers.get('x-request-id')).toBe('trace-e2e-1');
  await lineWhere(coordinator, (each) => each.requestId === 'trace-e2e-1' && each.status === 404);
});

test('a submitted job’s lines carry its id and name: its submission and each state it moves to', async ({ coordinator }) => {
  const client = new Tabgrid({ url: coordinator.url, token: coordinator.adminToken });
  const job = await client.submit({ name: 'squares', code: 'export default (x) => x * x', input: { items: [1, 2] }, runMode: 'paused' });
  const submitted = await lineWhere(coordinator, (line) => line.jobId === job.id && line.msg === 'job submitted');
  expect(submitted).toMatchObject({ level: 'info', name: 'squares', from: null, to: 'SUBMITTED' });
  const paused = await lineWhere(coordinator, (line) => line.jobId === job.id && line.to === 'PAUSED');
  expect(paused).toMatchObject({ msg: 'job state changed', name: 'squares', from: 'PENDING', reason: 'submitted with runMode paused' });
});

test('a worker’s coming and going and a failed attempt are logged with the job, task and worker', async ({ coordinator }) => {
  const jobId = await failAnAttempt(coordinator);
  const failed = await lineWhere(coordinator, (line) => line.jobId === jobId && line.level === 'warn');
  expect(failed).toMatchObject({ taskIndex: 0, end: 'threw' });
  expect(failed.msg).toContain('item three is cursed');
  const connected = await lineWhere(coordinator, (line) => line.msg === 'worker connected');
  expect(connected).toMatchObject({ workerId: failed.workerId, runtime: 'node' });
  await lineWhere(coordinator, (line) => line.msg === 'worker disconnected' && line.workerId === failed.workerId);
  await lineWhere(coordinator, (line) => line.jobId === jobId && line.to === 'FAILED');
});

test.describe('at --log-level warn', () => {
  test.use({ coordinatorOptions: { args: ['--log-level', 'warn'] } });

  test('the warnings are logged and the info lines left out', async ({ coordinator }) => {
    // Info lines would come before it: the start, a refused request, the job's submission, the worker's hello.
    expect((await fetch(`${coordinator.url}/api/v1/jobs`)).status).toBe(401);
    await failAnAttempt(coordinator);
    expect(coordinator.logLines().filter((line) => line.level === 'info' || line.level === 'debug')).toEqual([]);
  });
});
