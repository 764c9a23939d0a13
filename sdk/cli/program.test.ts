import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, test } from 'vitest';
import { createFakeCoordinator } from '../testing/fake-coordinator.js';
import type { FakeCoordinator } from '../testing/fake-coordinator.js';
import type { RunningCoordinator, StartCoordinator } from './commands/serve.js';
import type { CliIO } from './io.js';
import { runCli } from './program.js';
import type { CliOverrides } from './program.js';

interface Run {
  code: number;
  stdout: string[];
  stderr: string[];
  stops: (() => Promise<void>)[];
}

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'tabgrid-cli-'));
  await writeFile(join(dir, 'square.js'), 'export default (x) => x * x;\n');
  await writeFile(join(dir, 'squares.yaml'), 'name: squares\ncodeFile: square.js\ninput:\n  items: [1, 2, 3]\n  chunkSize: 2\n');
  await writeFile(
    join(dir, 'fails.yaml'),
    'name: fails\ncode: "export default (x) => { if (x > 1) throw new Error(`bad ${x}`); return x; }"\ninput: { items: [1, 2] }\n',
  );
  await writeFile(join(dir, 'broken.yaml'), 'name: [oops\n');
  await writeFile(join(dir, 'keyed.yaml'), 'name: keyed\ncodeFile: square.js\ninput: { items: [1] }\nidempotencyKey: once\n');
  await writeFile(join(dir, 'paused.yaml'), 'name: later\ncodeFile: square.js\ninput: { items: [1] }\nrunMode: paused\n');
  await writeFile(
    join(dir, 'chatty.yaml'),
    'name: chatty\ncode: "export default (x, ctx) => { ctx.log(`squaring ${x}`); return x * x; }"\ninput: { items: [1, 2] }\n',
  );
});

async function cli(args: string[], options: { fake?: FakeCoordinator; env?: Record<string, string>; overrides?: CliOverrides } = {}): Promise<Run> {
  const run: Run = { code: -1, stdout: [], stderr: [], stops: [] };
  const io: CliIO = {
    out: (line) => run.stdout.push(line),
    err: (line) => run.stderr.push(line),
    writeRaw: (stream, text) => (stream === 'out' ? run.stdout : run.stderr).push(text.trimEnd()),
    env: options.env ?? { TABGRID_TOKEN: 'secret', TABGRID_URL: 'http://fake' },
    cwd: dir,
    onShutdown: (stop) => run.stops.push(stop),
  };
  if (options.fake) io.fetch = options.fake.fetch;
  run.code = await runCli(args, io, options.overrides);
  return run;
}

describe('tabgrid submit', () => {
  test('reads the YAML with its code file, submits it and prints the job id', async () => {
    const fake = createFakeCoordinator();
    const run = await cli(['submit', 'squares.yaml'], { fake });
    expect(run).toMatchObject({ code: 0, stdout: ['job-1'], stderr: [] });
    expect(fake.jobs.get('job-1')?.spec).toMatchObject({ code: 'export default (x) => x * x;\n', input: { chunkSize: 2 } });
  });

  test('--wait prints the final state of a completed job', async () => {
    const fake = createFakeCoordinator({ runJobs: true });
    const run = await cli(['submit', 'squares.yaml', '--wait'], { fake });
    expect(run).toMatchObject({ code: 0, stdout: ['job-1', 'state: COMPLETED', 'progress: 2/2'], stderr: [] });
  });

  test('--wait on a failing job prints the task error to stderr and exits 1', async () => {
    const fake = createFakeCoordinator({ runJobs: true });
    const run = await cli(['submit', 'fails.yaml', '--wait'], { fake });
    expect(run).toMatchObject({ code: 1, stdout: ['job-1', 'state: FAILED'], stderr: ['error: bad 2'] });
  });

  test('invalid YAML is one error line with line and column, and nothing is sent', async () => {
    const fake = createFakeCoordinator();
    const run = await cli(['submit', 'broken.yaml'], { fake });
    expect(run.code).toBe(1);
    expect(run.stderr).toHaveLength(1);
    expect(run.stderr[0]).toMatch(/^error: invalid YAML in broken\.yaml at line 2, column 1: /);
    expect(fake.requests).toEqual([]);
  });

  test('a missing file is one error line', async () => {
    const run = await cli(['submit', 'nope.yaml'], { fake: createFakeCoordinator() });
    expect(run).toMatchObject({ code: 1, stderr: ['error: cannot read nope.yaml: no such file'] });
  });
});

describe('tabgrid status, list, results, logs, cancel', () => {
  async function fakeWithFailedJob(): Promise<FakeCoordinator> {
    const fake = createFakeCoordinator({ runJobs: true });
    await cli(['submit', 'fails.yaml'], { fake });
    await fake.settled();
    const job = fake.jobs.get('job-1')!;
    job.logs = [{ time: '2025-01-01T00:00:00.000Z', level: 'error', taskIndex: 1, workerId: 'w1', message: 'bad 2' }];
    return fake;
  }

  test('status prints state, progress and the error of a failed job', async () => {
    const run = await cli(['status', 'job-1'], { fake: await fakeWithFailedJob() });
    expect(run).toMatchObject({ code: 0, stdout: ['job: job-1 (fails)', 'state: FAILED', 'progress: 0/2', 'error: bad 2', 'run mode: immediate'] });
  });

  test('status --json prints the JobStatus', async () => {
    const run = await cli(['status', 'job-1', '--json'], { fake: await fakeWithFailedJob() });
    expect(JSON.parse(run.stdout.join('\n'))).toMatchObject({ id: 'job-1', state: 'FAILED', error: { message: 'bad 2' } });
  });

  test('list prints one aligned row per job', async () => {
    const run = await cli(['list'], { fake: await fakeWithFailedJob() });
    expect(run.stdout).toEqual(['ID     STATE   PROGRESS  PRIORITY  NAME', 'job-1  FAILED  0/2       0         fails']);
  });

  test('results prints NDJSON lines', async () => {
    const run = await cli(['results', 'job-1'], { fake: await fakeWithFailedJob() });
    expect(run.stdout).toEqual(['{"index":0,"output":1}']);
  });

  test('logs prints one line per entry, or NDJSON with --json', async () => {
    const fake = await fakeWithFailedJob();
    expect((await cli(['logs', 'job-1'], { fake })).stdout).toEqual(['2025-01-01T00:00:00.000Z error task 1 worker w1: bad 2']);
    expect(JSON.parse((await cli(['logs', 'job-1', '--json'], { fake })).stdout[0] ?? '')).toMatchObject({ message: 'bad 2' });
  });

  test('cancel prints the new state, and a job that has ended is an HTTP error', async () => {
    const fake = createFakeCoordinator();
    await cli(['submit', 'squares.yaml'], { fake });
    expect((await cli(['cancel', 'job-1'], { fake })).stdout).toEqual(['state: CANCELLED']);
    const again = await cli(['cancel', 'job-1'], { fake });
    expect(again).toMatchObject({ code: 1, stderr: ['error: job job-1 has already ended (HTTP 409 CONFLICT)'] });
  });
});

describe('tabgrid submit: idempotency and limits', () => {
  test('a resubmit with a known idempotencyKey prints the existing id, and says so on stderr', async () => {
    const fake = createFakeCoordinator();
    expect((await cli(['submit', 'keyed.yaml'], { fake })).stdout).toEqual(['job-1']);
    expect(await cli(['submit', 'keyed.yaml'], { fake })).toMatchObject({
      code: 0,
      stdout: ['job-1'],
      stderr: ['existing job job-1 (same idempotencyKey)'],
    });
    expect(fake.jobs.size).toBe(1);
  });

  test('a job the coordinator rejects by policy is one error line naming the job and the reason', async () => {
    const fake = createFakeCoordinator({ maxQueuedJobs: 0 });
    const run = await cli(['submit', 'squares.yaml'], { fake });
    expect(run).toMatchObject({ code: 1, stdout: [], stderr: ['error: job job-1 was rejected: 0 jobs are queued or running, the limit is 0'] });
    expect(fake.jobs.get('job-1')?.status.state).toBe('REJECTED');
  });
});

describe('tabgrid pause, resume, status, events', () => {
  test('a paused job: status shows the run mode and why it waits; resume lets it go on', async () => {
    const fake = createFakeCoordinator();
    await cli(['submit', 'paused.yaml'], { fake });
    expect((await cli(['status', 'job-1'], { fake })).stdout).toEqual([
      'job: job-1 (later)',
      'state: PAUSED',
      'progress: 0/1',
      'run mode: paused',
      'waiting: paused: POST /api/v1/jobs/:id/resume to go on',
    ]);
    expect((await cli(['resume', 'job-1'], { fake })).stdout).toEqual(['state: PENDING']);
    expect((await cli(['pause', 'job-1'], { fake })).stdout).toEqual(['state: PAUSED', 'waiting: paused: POST /api/v1/jobs/:id/resume to go on']);
    await cli(['cancel', 'job-1'], { fake });
    const again = await cli(['resume', 'job-1'], { fake });
    expect(again).toMatchObject({ code: 1, stderr: ['error: job job-1 is CANCELLED, not PAUSED (HTTP 409 conflict)'] });
  });

  test('events prints each state change with its reason, or NDJSON with --json', async () => {
    const fake = createFakeCoordinator();
    await cli(['submit', 'squares.yaml'], { fake });
    expect((await cli(['events', 'job-1'], { fake })).stdout).toEqual([
      '1970-01-01T00:00:00.000Z SUBMITTED: submitted',
      '1970-01-01T00:00:00.000Z SUBMITTED -> PENDING: accepted: 2 tasks',
    ]);
    const json = (await cli(['events', 'job-1', '--json'], { fake })).stdout.map((line) => JSON.parse(line) as unknown);
    expect(json[1]).toMatchObject({ from: 'SUBMITTED', to: 'PENDING', reason: 'accepted: 2 tasks' });
  });

  test('events --follow prints changes as they happen and exits 0 when the job ends', async () => {
    const fake = createFakeCoordinator();
    await cli(['submit', 'squares.yaml'], { fake });
    const following = cli(['events', 'job-1', '--follow'], { fake });
    await new Promise((resolve) => setTimeout(resolve, 20));
    fake.transition('job-1', 'RUNNING', 'a worker took task 0');
    await new Promise((resolve) => setTimeout(resolve, 5));
    fake.transition('job-1', 'COMPLETED', 'all tasks done');
    const run = await following;
    expect(run.code).toBe(0);
    expect(run.stdout.map((line) => line.slice(25))).toEqual([
      'SUBMITTED: submitted',
      'SUBMITTED -> PENDING: accepted: 2 tasks',
      'PENDING -> RUNNING: a worker took task 0',
      'RUNNING -> COMPLETED: all tasks done',
    ]);
  });
});

describe('tabgrid logs --follow and result', () => {
  test('logs --follow prints each line as tasks write it and exits 0 when the job ends', async () => {
    const fake = createFakeCoordinator({ runJobs: true });
    await cli(['submit', 'chatty.yaml'], { fake });
    const run = await cli(['logs', 'job-1', '--follow'], { fake });
    expect(run).toMatchObject({ code: 0, stderr: [] });
    expect(run.stdout).toEqual(['1970-01-01T00:00:00.000Z info : squaring 1', '1970-01-01T00:00:00.000Z info : squaring 2']);
    expect(fake.jobs.get('job-1')?.status.state).toBe('COMPLETED');
  });

  test('result prints the reduce output of examples/pipeline.yaml and examples/range.yaml', async () => {
    const fake = createFakeCoordinator({ runJobs: true });
    const examples = fileURLToPath(new URL('../../examples/', import.meta.url));
    expect((await cli(['submit', join(examples, 'pipeline.yaml'), '--wait'], { fake })).stdout).toEqual(['job-1', 'state: COMPLETED', 'progress: 6/6']);
    expect(JSON.parse((await cli(['result', 'job-1'], { fake })).stdout.join('\n'))).toEqual({ seed: 12, sum: 1872, digits: 4 });
    await cli(['submit', join(examples, 'range.yaml'), '--wait'], { fake });
    expect((await cli(['result', 'job-2'], { fake })).stdout).toEqual(['17984']);
  });

  test('result of a job without a reduce step is a 404 line', async () => {
    const fake = createFakeCoordinator();
    await cli(['submit', 'squares.yaml'], { fake });
    expect(await cli(['result', 'job-1'], { fake })).toMatchObject({ code: 1, stderr: ['error: job job-1 has no reduce step (HTTP 404 not_found)'] });
  });
});

describe('connection and errors', () => {
  test('--url and --token win over the environment', async () => {
    const fake = createFakeCoordinator({ token: 'flag-token' });
    const run = await cli(['--url', 'http://other', '--token', 'flag-token', 'list'], { fake });
    expect(run.code).toBe(0);
    expect(fake.requests[0]?.authorization).toBe('Bearer flag-token');
  });

  test('no token at all is one clear line', async () => {
    const run = await cli(['list'], { fake: createFakeCoordinator(), env: {} });
    expect(run).toMatchObject({ code: 1, stderr: ['error: no admin token: pass --token or set TABGRID_TOKEN (`tabgrid serve` prints it)'] });
  });

  test('an unknown job is one line without a stack trace', async () => {
    const run = await cli(['status', 'nope'], { fake: createFakeCoordinator() });
    expect(run).toMatchObject({ code: 1, stderr: ['error: no job nope (HTTP 404 NOT_FOUND)'] });
  });

  test('an unreachable coordinator is one line', async () => {
    const run = await cli(['list'], { env: { TABGRID_TOKEN: 't', TABGRID_URL: 'http://127.0.0.1:1' } });
    expect(run.code).toBe(1);
    expect(run.stderr).toHaveLength(1);
    expect(run.stderr[0]).toMatch(/^error: cannot reach http:\/\/127\.0\.0\.1:1\/api\/v1\/jobs: fetch failed/);
  });

  test('an unknown command exits 1 with commander’s message', async () => {
    const run = await cli(['bogus']);
    expect(run.code).toBe(1);
    expect(run.stderr[0]).toMatch(/unknown command 'bogus'/);
  });
});

describe('tabgrid serve', () => {
  function fakeStart(): { start: StartCoordinator; calls: Parameters<StartCoordinator>[0][]; closed: () => boolean } {
    const calls: Parameters<StartCoordinator>[0][] = [];
    let closed = false;
    const start: StartCoordinator = (options) => {
      calls.push(options);
      const running: RunningCoordinator = {
        url: 'http://127.0.0.1:9999',
        joinUrl: 'http://127.0.0.1:9999/join?token=j',
        adminUrl: 'http://127.0.0.1:9999/admin',
        adminToken: 'admin-secret',
        adminTokenCreated: false,
        close: () => {
          closed = true;
          return Promise.resolve();
        },
      };
      return Promise.resolve(running);
    };
    return { start, calls, closed: () => closed };
  }

  test('starts the coordinator with the defaults and prints the join URL, admin URL and token', async () => {
    const coordinator = fakeStart();
    const run = await cli(['serve'], { overrides: { loadCoordinator: () => Promise.resolve(coordinator.start) } });
    expect(run.code).toBe(0);
    expect(coordinator.calls).toEqual([{ port: 8080, host: '127.0.0.1', dataDir: join(dir, '.tabgrid') }]);
    expect(run.stdout).toEqual([
      'join URL: http://127.0.0.1:9999/join?token=j',
      'admin URL: http://127.0.0.1:9999/admin',
      'admin token: admin-secret',
    ]);
    expect(run.stops).toHaveLength(1);
    await run.stops[0]?.();
    expect(coordinator.closed()).toBe(true);
  });

  test('passes --port, --host, --data, --lease-ms and --heartbeat-ms', async () => {
    const coordinator = fakeStart();
    const args = ['serve', '--port', '0', '--host', '0.0.0.0', '--data', '/srv/grid', '--lease-ms', '5000', '--heartbeat-ms', '1000'];
    await cli(args, { overrides: { loadCoordinator: () => Promise.resolve(coordinator.start) } });
    expect(coordinator.calls).toEqual([{ port: 0, host: '0.0.0.0', dataDir: '/srv/grid', leaseMs: 5000, heartbeatMs: 1000 }]);
  });

  test('a port that is not a number is refused', async () => {
    const run = await cli(['serve', '--port', '80x']);
    expect(run.code).toBe(1);
    expect(run.stderr.join('\n')).toMatch(/--port <n>' argument '80x' is invalid/);
  });
});
