import { beforeAll, describe, expect, test } from 'vitest';
import { ADMIN_TOKEN, sentSpecs } from '../test-support.js';
import { cli, useCliSetting } from './test-support.js';

// `tabgrid` against the real coordinator: submit, read and cancel jobs, and its errors. Steering,
// events and results are in program-steer.test.ts, `serve` in program-serve.test.ts.

const setting = useCliSetting();
const { idle } = setting;

describe('tabgrid submit', () => {
  test('reads the YAML with its code file, submits it and prints the job id', async () => {
    const grid = await idle.start();
    const run = await cli(['submit', 'squares.yaml'], { cwd: setting.dir, grid });
    expect(run).toMatchObject({ code: 0, stdout: [expect.stringMatching(/^job_\w+$/)], stderr: [] });
    expect(sentSpecs(grid.sent)).toEqual([expect.objectContaining({ code: 'export default (x) => x * x;\n', input: expect.objectContaining({ chunkSize: 2 }) as unknown })]);
    expect(await grid.grid.job(run.stdout[0]!).status()).toMatchObject({ name: 'squares', state: 'PENDING' });
  });

  test('--wait ends with the final state and counts of a completed job', async () => {
    const run = await cli(['submit', 'squares.yaml', '--wait'], { cwd: setting.dir, grid: setting.working });
    expect(run).toMatchObject({ code: 0, stderr: [] });
    expect(run.stdout[0]).toMatch(/^job_/);
    expect(run.stdout.slice(-2)).toEqual(['state: COMPLETED', 'progress: 2/2 done, 0 failed']);
  });

  test('--wait on a failing job says where and how it failed, the error on stderr, and exits 1', async () => {
    const run = await cli(['submit', 'fails.yaml', '--wait'], { cwd: setting.dir, grid: setting.working });
    expect(run).toMatchObject({ code: 1, stderr: ['error: bad 2'] });
    const end = run.stdout.indexOf('state: FAILED');
    expect(run.stdout.slice(end, end + 6)).toEqual([
      'state: FAILED',
      'progress: 1/2 done, 1 failed',
      'error: bad 2',
      expect.stringMatching(/^failed task: 1 \(item 1\), 1 attempt \(1 failed, 0 lost\), on worker w_\w+$/),
      'stack:',
      '  Error: bad 2',
    ]);
  });

  test('invalid YAML is one error line with line and column, and nothing is sent', async () => {
    const grid = await idle.start();
    const run = await cli(['submit', 'broken.yaml'], { cwd: setting.dir, grid });
    expect(run.code).toBe(1);
    expect(run.stderr).toHaveLength(1);
    expect(run.stderr[0]).toMatch(/^error: invalid YAML in broken\.yaml at line 2, column 1: /);
    expect(grid.sent).toEqual([]);
  });

  test('a missing file is one error line', async () => {
    const run = await cli(['submit', 'nope.yaml'], { cwd: setting.dir, grid: await idle.start() });
    expect(run).toMatchObject({ code: 1, stderr: ['error: cannot read nope.yaml: no such file'] });
  });
});

describe('tabgrid status, results, logs of a failed job', () => {
  let jobId: string;
  beforeAll(async () => {
    const run = await cli(['submit', 'fails.yaml', '--wait'], { cwd: setting.dir, grid: setting.working });
    jobId = run.stdout[0]!;
  });

  test('status says where and how a failed job failed: task, items, attempts, worker, error and stack', async () => {
    const [worker] = await setting.working.grid.workers();
    const run = await cli(['status', jobId], { cwd: setting.dir, grid: setting.working });
    expect(run.code).toBe(0);
    expect(run.stdout.slice(0, 7)).toEqual([
      `job: ${jobId} (fails)`,
      'state: FAILED',
      'progress: 1/2 done, 1 failed',
      'run mode: immediate',
      'error: bad 2',
      `failed task: 1 (item 1), 1 attempt (1 failed, 0 lost), on worker ${worker?.id}`,
      'stack:',
    ]);
    // The stack is the task code's: it starts with the error and names the code's frame.
    expect(run.stdout[7]).toBe('  Error: bad 2');
    expect(run.stdout[8]).toMatch(/^ {6}at /);
  });

  test('status --json prints the JobStatus', async () => {
    const run = await cli(['status', jobId, '--json'], { cwd: setting.dir, grid: setting.working });
    expect(JSON.parse(run.stdout.join('\n'))).toMatchObject({ id: jobId, state: 'FAILED', error: { message: 'bad 2', taskIndex: 1 } });
  });

  test('results prints NDJSON lines', async () => {
    const run = await cli(['results', jobId], { cwd: setting.dir, grid: setting.working });
    expect(run.stdout).toEqual(['{"index":0,"output":1}']);
  });

  test('logs prints one line per entry, the failed attempt with its stack, or NDJSON with --json', async () => {
    const [worker] = await setting.working.grid.workers();
    const lines = (await cli(['logs', jobId], { cwd: setting.dir, grid: setting.working })).stdout;
    expect(lines.map((line) => line.replace(/^\S+ /, ''))).toEqual([
      `info  task 0 worker ${worker?.id}: item 1`,
      `info  task 1 worker ${worker?.id}: item 2`,
      expect.stringMatching(new RegExp(`^error task 1 worker ${worker?.id}: attempt 1 failed; the job fails: Error: bad 2\n {8}at `)),
    ]);
    const json = (await cli(['logs', jobId, '--json'], { cwd: setting.dir, grid: setting.working })).stdout.map((line) => JSON.parse(line) as unknown);
    expect(json).toEqual([
      expect.objectContaining({ taskIndex: 0, message: 'item 1' }),
      expect.objectContaining({ taskIndex: 1, message: 'item 2' }),
      expect.objectContaining({ level: 'error', taskIndex: 1, workerId: worker?.id, message: expect.stringContaining('Error: bad 2\n    at ') as string }),
    ]);
  });
});

describe('tabgrid list and cancel', () => {
  test('list prints one aligned row per job', async () => {
    const grid = await idle.start();
    const id = (await cli(['submit', 'fails.yaml'], { cwd: setting.dir, grid })).stdout[0]!;
    const run = await cli(['list'], { cwd: setting.dir, grid });
    expect(run.stdout).toEqual([`${'ID'.padEnd(id.length)}  STATE    PROGRESS  PRIORITY  NAME`, `${id}  PENDING  0/2       0         fails`]);
    expect((await cli(['list', '--state', 'running,completed'], { cwd: setting.dir, grid })).stdout).toEqual([`${'ID'.padEnd(2)}  STATE  PROGRESS  PRIORITY  NAME`]);
    expect((await cli(['list', '--name', 'FAIL', '--json'], { cwd: setting.dir, grid })).stdout.join('\n')).toContain(id);
    expect((await cli(['list', '--state', 'DONE'], { cwd: setting.dir, grid })).stderr.join('\n')).toMatch(/'DONE' is not a job state/);
  });

  test('cancel prints the new state, and a job that has ended is an HTTP error', async () => {
    const grid = await idle.start();
    const id = (await cli(['submit', 'squares.yaml'], { cwd: setting.dir, grid })).stdout[0]!;
    expect((await cli(['cancel', id], { cwd: setting.dir, grid })).stdout).toEqual(['state: CANCELLED']);
    const again = await cli(['cancel', id], { cwd: setting.dir, grid });
    expect(again).toMatchObject({ code: 1, stderr: [`error: job ${id} is already CANCELLED (HTTP 409 conflict)`] });
  });
});

describe('connection and errors', () => {
  test('--url and --token win over the environment', async () => {
    const grid = await idle.start();
    const env = { TABGRID_URL: 'http://127.0.0.1:1', TABGRID_TOKEN: 'wrong' };
    const run = await cli(['--url', grid.coordinator.url, '--token', ADMIN_TOKEN, 'list'], { cwd: setting.dir, grid, env });
    expect(run.code).toBe(0);
    expect(grid.sent[0]?.authorization).toBe(`Bearer ${ADMIN_TOKEN}`);
  });

  test('no token at all is one clear line', async () => {
    const run = await cli(['list'], { cwd: setting.dir, env: {} });
    expect(run).toMatchObject({ code: 1, stderr: ['error: no admin token: pass --token or set TABGRID_TOKEN (`tabgrid serve` prints it)'] });
  });

  test('a wrong token is one line that says what to pass', async () => {
    const grid = await idle.start();
    const run = await cli(['list'], { cwd: setting.dir, grid, env: { TABGRID_URL: grid.coordinator.url, TABGRID_TOKEN: 'wrong' } });
    expect(run).toMatchObject({
      code: 1,
      stderr: ['error: wrong admin token (HTTP 401 unauthorized); pass the admin token `tabgrid serve` printed as --token or TABGRID_TOKEN'],
    });
  });

  test('an unknown job is one line without a stack trace', async () => {
    const run = await cli(['status', 'nope'], { cwd: setting.dir, grid: await idle.start() });
    expect(run).toMatchObject({ code: 1, stderr: ['error: job nope not found (HTTP 404 not_found)'] });
  });

  test('an unreachable coordinator is one line', async () => {
    const run = await cli(['list'], { cwd: setting.dir, env: { TABGRID_TOKEN: 't', TABGRID_URL: 'http://127.0.0.1:1' } });
    expect(run.code).toBe(1);
    expect(run.stderr).toHaveLength(1);
    expect(run.stderr[0]).toMatch(/^error: cannot reach http:\/\/127\.0\.0\.1:1\/api\/v1\/jobs\?limit=1000: fetch failed/);
  });

  test('an unknown command exits 1 with commander’s message', async () => {
    const run = await cli(['bogus'], { cwd: setting.dir });
    expect(run.code).toBe(1);
    expect(run.stderr[0]).toMatch(/unknown command 'bogus'/);
  });
});
