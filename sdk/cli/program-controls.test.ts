import { describe, expect, test } from 'vitest';
import { cli, useCliSetting } from './test-support.js';

// `tabgrid retry`, `resubmit`, `priority` and `run-mode` on the real coordinator.

// Item 1 throws on its first attempt only: the job fails, and a retry completes it.
const lucky = 'export default (x, ctx) => { if (x === 1 && ctx.task.attempt === 1) throw new Error(`first try of ${x}`); return x * x; }';
const setting = useCliSetting({ 'lucky.yaml': `name: lucky\ncode: "${lucky}"\ninput: { items: [1, 2, 3] }\nretry: { maxAttempts: 1, distinctWorkers: 1 }\n` });
const { idle } = setting;

const NO_WORKERS = 'waiting: no workers connected: open the join URL in a browser tab';

describe('tabgrid retry and resubmit', () => {
  test('retry runs a failed job again and prints its state; a job that did not fail is an error line', async () => {
    const failed = await cli(['submit', 'lucky.yaml', '--wait'], { cwd: setting.dir, grid: setting.working });
    expect(failed).toMatchObject({ code: 1, stderr: [expect.stringContaining('first try of 1') as string] });
    const id = failed.stdout[0]!;
    const retried = await cli(['retry', id], { cwd: setting.dir, grid: setting.working });
    expect(retried).toMatchObject({ code: 0, stderr: [] });
    expect(retried.stdout[0]).toMatch(/^state: (PENDING|RUNNING)$/);
    expect((await setting.working.grid.job(id).wait()).state).toBe('COMPLETED');
    const again = await cli(['retry', id], { cwd: setting.dir, grid: setting.working });
    expect(again).toMatchObject({ code: 1, stderr: [`error: job ${id} is COMPLETED: only a FAILED job can be retried (HTTP 409 conflict)`] });
  });

  test('resubmit prints the id of a new job made of the same spec', async () => {
    const grid = await idle.start();
    const id = (await cli(['submit', 'squares.yaml'], { cwd: setting.dir, grid })).stdout[0]!;
    const run = await cli(['resubmit', id], { cwd: setting.dir, grid });
    expect(run).toMatchObject({ code: 0, stdout: [expect.stringMatching(/^job_/) as string], stderr: [] });
    expect(run.stdout[0]).not.toBe(id);
    expect((await grid.grid.job(run.stdout[0]!).status()).name).toBe('squares');
  });
});

describe('tabgrid priority and run-mode', () => {
  test('priority sets a job priority (negative too) and prints it with the state; out of bounds is a usage error', async () => {
    const grid = await idle.start();
    const id = (await cli(['submit', 'squares.yaml'], { cwd: setting.dir, grid })).stdout[0]!;
    expect((await cli(['priority', id, '7'], { cwd: setting.dir, grid })).stdout).toEqual(['priority: 7', 'state: PENDING', NO_WORKERS]);
    expect((await cli(['priority', id, '-3'], { cwd: setting.dir, grid })).stdout).toEqual(['priority: -3', 'state: PENDING', NO_WORKERS]);
    expect((await grid.grid.job(id).status()).priority).toBe(-3);
    const over = await cli(['priority', id, '5000'], { cwd: setting.dir, grid });
    expect(over.code).toBe(1);
    expect(over.stderr.join('\n')).toMatch(/value '5000' is invalid for argument 'priority'\. expected a whole number from -1000 to 1000/);
  });

  test('run-mode switches a job to debug and back; another mode is a usage error, an ended job an error line', async () => {
    const grid = await idle.start();
    const id = (await cli(['submit', 'squares.yaml'], { cwd: setting.dir, grid })).stdout[0]!;
    expect((await cli(['run-mode', id, 'debug'], { cwd: setting.dir, grid })).stdout).toEqual(['run mode: debug', 'state: PENDING', NO_WORKERS]);
    expect((await cli(['status', id], { cwd: setting.dir, grid })).stdout).toContain('run mode: debug');
    expect((await cli(['run-mode', id, 'immediate'], { cwd: setting.dir, grid })).stdout[0]).toBe('run mode: immediate');
    const paused = await cli(['run-mode', id, 'paused'], { cwd: setting.dir, grid });
    expect(paused.code).toBe(1);
    expect(paused.stderr.join('\n')).toMatch(/value 'paused' is invalid for argument 'mode'\. expected immediate or debug/);
    await cli(['cancel', id], { cwd: setting.dir, grid });
    const ended = await cli(['run-mode', id, 'debug'], { cwd: setting.dir, grid });
    expect(ended).toMatchObject({ code: 1, stderr: [`error: job ${id} is CANCELLED: only a job that has not ended changes its run mode (HTTP 409 conflict)`] });
  });
});
