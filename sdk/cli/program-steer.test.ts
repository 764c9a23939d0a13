import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, test } from 'vitest';
import { EVENTUALLY } from '../test-support.js';
import { cli, startCli, useCliSetting } from './test-support.js';

// `tabgrid` steering and following jobs on the real coordinator, and reading their results.

const setting = useCliSetting();
const { idle } = setting;

/** The lines without their leading timestamp. */
const untimed = (lines: readonly string[]): string[] => lines.map((line) => line.replace(/^\d{4}-\d\d-\d\dT[\d:.]+Z /, ''));

describe('tabgrid submit: idempotency and limits', () => {
  test('a resubmit with a known idempotencyKey prints the existing id, and says so on stderr', async () => {
    const grid = await idle.start();
    const first = await cli(['submit', 'keyed.yaml'], { cwd: setting.dir, grid });
    const id = first.stdout[0]!;
    expect(first).toMatchObject({ code: 0, stdout: [expect.stringMatching(/^job_/)], stderr: [] });
    expect(await cli(['submit', 'keyed.yaml'], { cwd: setting.dir, grid })).toMatchObject({ code: 0, stdout: [id], stderr: [`existing job ${id} (same idempotencyKey)`] });
    expect((await grid.grid.jobs()).map((job) => job.id)).toEqual([id]);
  });

  test('a job the coordinator rejects by policy is one error line naming the job and the reason', async () => {
    const grid = await idle.start({ maxQueuedJobs: 0 });
    const run = await cli(['submit', 'squares.yaml'], { cwd: setting.dir, grid });
    const [rejected] = await grid.grid.jobs();
    expect(rejected?.state).toBe('REJECTED');
    expect(run).toMatchObject({ code: 1, stdout: [], stderr: [`error: job ${rejected?.id} was rejected: 0 jobs are queued or running, the limit is 0`] });
  });
});

describe('tabgrid and validation', () => {
  test('a YAML job with validation runs on two workers; status shows the policy and what it did', async () => {
    const grid = await idle.start();
    await idle.addWorker(grid);
    await idle.addWorker(grid);
    const run = await cli(['submit', 'validated.yaml', '--wait'], { cwd: setting.dir, grid });
    const id = run.stdout[0]!;
    expect(run.stdout.at(-2)).toBe('state: COMPLETED');
    expect((await cli(['status', id], { cwd: setting.dir, grid })).stdout).toContain(
      'validation: 2 replicas, quorum 2; 3 accepted (3 checked), 6 leases (2.00 per task), 0 disagreements',
    );
    const outputs: unknown[] = [];
    for await (const { output } of grid.grid.job(id).results()) outputs.push(output);
    expect(outputs).toEqual([1, 4, 9]);
  });

  test('quarantine and release a worker by id; quarantined lists it meanwhile', async () => {
    const grid = await idle.start();
    await idle.addWorker(grid);
    const [worker] = await grid.grid.workers();
    expect((await cli(['quarantine', worker!.id, '--reason', 'wrong sums'], { cwd: setting.dir, grid })).stdout).toEqual([
      `${worker!.id}: quarantined (valid 0, invalid 0, streak 0)`,
    ]);
    const table = (await cli(['quarantined'], { cwd: setting.dir, grid })).stdout;
    expect(table).toEqual([expect.stringMatching(/^ID +REPUTATION +NOTE$/), `${worker!.id}  QUARANTINED; 0 valid, 0 invalid, 0 errors, 0 in a row  wrong sums`]);
    const listed = JSON.parse((await cli(['quarantined', '--json'], { cwd: setting.dir, grid })).stdout.join('\n')) as { id: string; note: string }[];
    expect(listed).toMatchObject([{ id: worker!.id, note: 'wrong sums' }]);
    expect((await cli(['release', worker!.id], { cwd: setting.dir, grid })).stdout).toEqual([`${worker!.id}: not quarantined (valid 0, invalid 0, streak 0)`]);
    expect(await grid.grid.quarantined()).toEqual([]);
  });
});

describe('tabgrid pause, resume, status, events', () => {
  test('a paused job: status shows the run mode and why it waits; resume lets it go on', async () => {
    const grid = await idle.start();
    const id = (await cli(['submit', 'paused.yaml'], { cwd: setting.dir, grid })).stdout[0]!;
    expect((await cli(['status', id], { cwd: setting.dir, grid })).stdout).toEqual([
      `job: ${id} (later)`,
      'state: PAUSED',
      'progress: 0/1 done, 0 failed',
      'run mode: paused',
      `waiting: paused: tabgrid resume ${id} to go on`,
    ]);
    expect((await cli(['resume', id], { cwd: setting.dir, grid })).stdout).toEqual(['state: PENDING', 'waiting: no workers connected: open the join URL in a browser tab']);
    expect((await cli(['pause', id], { cwd: setting.dir, grid })).stdout).toEqual(['state: PAUSED', `waiting: paused: tabgrid resume ${id} to go on`]);
    await cli(['cancel', id], { cwd: setting.dir, grid });
    const again = await cli(['resume', id], { cwd: setting.dir, grid });
    expect(again).toMatchObject({ code: 1, stderr: [`error: job ${id} is CANCELLED, not PAUSED (HTTP 409 conflict)`] });
  });

  test('events prints each state change with its reason, or NDJSON with --json', async () => {
    const grid = await idle.start();
    const id = (await cli(['submit', 'squares.yaml'], { cwd: setting.dir, grid })).stdout[0]!;
    const run = await cli(['events', id], { cwd: setting.dir, grid });
    expect(untimed(run.stdout)).toEqual(['SUBMITTED: submitted', 'SUBMITTED -> PENDING: accepted: 2 tasks']);
    const json = (await cli(['events', id, '--json'], { cwd: setting.dir, grid })).stdout.map((line) => JSON.parse(line) as unknown);
    expect(json[1]).toMatchObject({ from: 'SUBMITTED', to: 'PENDING', reason: 'accepted: 2 tasks' });
  });

  test('events --follow prints changes as they happen and exits 0 when the job ends', async () => {
    const id = (await cli(['submit', 'paused.yaml'], { cwd: setting.dir, grid: setting.working })).stdout[0]!;
    const following = startCli(['events', id, '--follow'], { cwd: setting.dir, grid: setting.working });
    await expect.poll(() => following.run.stdout.length, EVENTUALLY).toBe(3);
    await cli(['resume', id], { cwd: setting.dir, grid: setting.working });
    const run = await following.done;
    expect(run.code).toBe(0);
    expect(untimed(run.stdout)).toEqual([
      'SUBMITTED: submitted',
      'SUBMITTED -> PENDING: accepted: 1 task',
      expect.stringMatching(/^PENDING -> PAUSED: /),
      'PAUSED -> PENDING: resumed',
      expect.stringMatching(/^PENDING -> RUNNING: task 0 leased to w_/),
      expect.stringMatching(/^RUNNING -> COMPLETED: /),
    ]);
  });
});

describe('tabgrid logs --follow and result', () => {
  test('logs --follow prints each line as tasks write it and exits 0 when the job ends', async () => {
    const id = (await cli(['submit', 'chatty.yaml'], { cwd: setting.dir, grid: setting.working })).stdout[0]!;
    const run = await cli(['logs', id, '--follow'], { cwd: setting.dir, grid: setting.working });
    expect(run).toMatchObject({ code: 0, stderr: [] });
    expect(untimed(run.stdout)).toEqual([expect.stringMatching(/^info {2}task 0 worker w_\w+: squaring 1$/), expect.stringMatching(/^info {2}task 1 worker w_\w+: squaring 2$/)]);
    expect((await setting.working.grid.job(id).status()).state).toBe('COMPLETED');
  });

  test('result prints the reduce output of examples/pipeline.yaml and examples/range.yaml', async () => {
    const examples = fileURLToPath(new URL('../../examples/', import.meta.url));
    const pipeline = await cli(['submit', join(examples, 'pipeline.yaml'), '--wait'], { cwd: setting.dir, grid: setting.working });
    expect(pipeline.stdout.slice(-2)).toEqual(['state: COMPLETED', 'progress: 5/5 done, 0 failed, reduce step done']);
    expect(JSON.parse((await cli(['result', pipeline.stdout[0]!], { cwd: setting.dir, grid: setting.working })).stdout.join('\n'))).toEqual({ seed: 12, sum: 1872, digits: 4 });
    const range = await cli(['submit', join(examples, 'range.yaml'), '--wait'], { cwd: setting.dir, grid: setting.working });
    expect((await cli(['result', range.stdout[0]!], { cwd: setting.dir, grid: setting.working })).stdout).toEqual(['17984']);
  });

  test('result of a job without a reduce step is a 404 line', async () => {
    const grid = await idle.start();
    const id = (await cli(['submit', 'squares.yaml'], { cwd: setting.dir, grid })).stdout[0]!;
    expect(await cli(['result', id], { cwd: setting.dir, grid })).toMatchObject({ code: 1, stderr: [`error: job ${id} has no reduce step (HTTP 404 not_found)`] });
  });
});
