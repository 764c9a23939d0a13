import { describe, expect, test } from 'vitest';
import { EVENTUALLY } from '../test-support.js';
import { cli, lastFrames, startCli, useCliSetting } from './test-support.js';

// `tabgrid submit --wait` and `status --watch` showing a job's progress, driven by a real
// coordinator's feed and a real Node worker: plain lines into a pipe, a live bar on a terminal.

const setting = useCliSetting();
const { idle } = setting;

const PROGRESS_LINE = /^(PENDING|RUNNING) \d+\/6 done, \d+ failed(, \d+ running)?(, [\d.]+ tasks\/s)?(, ~.+ left)?$/;

describe('progress while a job runs', () => {
  test('into a pipe: plain progress lines, ending with the final state and counts', async () => {
    const run = await cli(['submit', 'six.yaml', '--wait'], { cwd: setting.dir, grid: setting.working });
    expect(run).toMatchObject({ code: 0, stderr: [], terminal: '' });
    const [id, ...lines] = run.stdout;
    expect(id).toMatch(/^job_\w+$/);
    expect(lines.slice(-2)).toEqual(['state: COMPLETED', 'progress: 6/6 done, 0 failed']);
    const progress = lines.slice(0, -2);
    expect(progress.length).toBeGreaterThan(0);
    for (const line of progress) expect(line).toMatch(PROGRESS_LINE);
  });

  test('on a terminal: a live bar whose last frame has the final counts', async () => {
    const run = await cli(['submit', 'six.yaml', '--wait'], { cwd: setting.dir, grid: setting.working, terminal: true });
    expect(run).toMatchObject({ code: 0, stderr: [] });
    expect(run.stdout.slice(-2)).toEqual(['state: COMPLETED', 'progress: 6/6 done, 0 failed']);
    const frames = lastFrames(run.terminal);
    expect(frames).toHaveLength(1);
    expect(frames[0]).toMatch(/^█{24} COMPLETED 6\/6 done, 0 failed/);
  });

  test('status --watch follows a job from paused to completed, and exits as submit --wait', async () => {
    const grid = await idle.start();
    const id = (await cli(['submit', 'paused.yaml'], { cwd: setting.dir, grid })).stdout[0]!;
    const watch = startCli(['status', id, '--watch'], { cwd: setting.dir, grid });
    await expect.poll(() => watch.run.stdout.some((line) => line.startsWith('PAUSED 0/1 done')), EVENTUALLY).toBe(true);
    await idle.addWorker(grid);
    await grid.grid.job(id).resume();
    const run = await watch.done;
    expect(run).toMatchObject({ code: 0, stderr: [] });
    expect(run.stdout[0]).toBe(`job: ${id}`);
    expect(run.stdout.slice(-2)).toEqual(['state: COMPLETED', 'progress: 1/1 done, 0 failed']);
  });

  test('status --watch of a failed job says where it failed and exits 1', async () => {
    const id = (await cli(['submit', 'fails.yaml', '--wait'], { cwd: setting.dir, grid: setting.working })).stdout[0]!;
    const run = await cli(['status', id, '--watch'], { cwd: setting.dir, grid: setting.working });
    expect(run).toMatchObject({ code: 1, stderr: ['error: bad 2'] });
    expect(run.stdout).toContain('progress: 1/2 done, 1 failed');
    expect(run.stdout).toContainEqual(expect.stringMatching(/^failed task: 1 \(item 1\), 1 attempt/));
  });
});

describe('the reduce step is not counted as a task', () => {
  test('status counts the map tasks, and shows the reduce step apart', async () => {
    const run = await cli(['submit', 'summed.yaml', '--wait'], { cwd: setting.dir, grid: setting.working });
    expect(run.stdout.slice(-2)).toEqual(['state: COMPLETED', 'progress: 2/2 done, 0 failed, reduce step done']);
    const id = run.stdout[0]!;
    const status = JSON.parse((await cli(['status', id, '--json'], { cwd: setting.dir, grid: setting.working })).stdout.join('\n')) as unknown;
    expect(status).toMatchObject({ reduce: true, progress: { total: 2, done: 2, failed: 0, running: 0, reduce: 'done' } });
    const events = (await cli(['events', id], { cwd: setting.dir, grid: setting.working })).stdout;
    expect(events[1]).toMatch(/SUBMITTED -> PENDING: accepted: 2 tasks and a reduce step$/);
    expect((await cli(['list', '--name', 'summed'], { cwd: setting.dir, grid: setting.working })).stdout[1]).toMatch(/COMPLETED {2}2\/2 /);
  });
});

describe('--json on every read command', () => {
  test('prints JSON (or NDJSON) that parses', async () => {
    const id = (await cli(['submit', 'summed.yaml', '--wait'], { cwd: setting.dir, grid: setting.working })).stdout[0]!;
    const document = async (...args: string[]): Promise<unknown> => {
      const run = await cli([...args, '--json'], { cwd: setting.dir, grid: setting.working });
      expect(run).toMatchObject({ code: 0, stderr: [] });
      return JSON.parse(run.stdout.join('\n'));
    };
    const lines = async (...args: string[]): Promise<unknown[]> => {
      const run = await cli([...args, '--json'], { cwd: setting.dir, grid: setting.working });
      expect(run).toMatchObject({ code: 0, stderr: [] });
      return run.stdout.map((line) => JSON.parse(line) as unknown);
    };
    expect(await document('status', id)).toMatchObject({ id, state: 'COMPLETED' });
    expect(await document('list')).toContainEqual(expect.objectContaining({ id }));
    expect(await document('result', id)).toBe(30);
    expect(await document('workers')).toEqual([expect.objectContaining({ id: expect.stringMatching(/^w_/) as string, capabilities: expect.any(Object) as object })]);
    expect(await document('quarantined')).toEqual([]);
    expect(await document('stats')).toMatchObject({ workers: 1, jobs: expect.any(Object) as object });
    expect(await lines('results', id)).toEqual([1, 4, 9, 16].map((output, index) => ({ index, output })));
    expect(await lines('logs', id)).toEqual([]);
    expect(await lines('events', id)).toContainEqual(expect.objectContaining({ to: 'COMPLETED' }));
    expect((await lines('status', id, '--watch')).at(-1)).toMatchObject({ id, state: 'COMPLETED' });
  });
});

describe('tabgrid workers and stats', () => {
  test('print a table and a summary, not JSON', async () => {
    const [worker] = await setting.working.grid.workers();
    const table = (await cli(['workers'], { cwd: setting.dir, grid: setting.working })).stdout;
    expect(table).toHaveLength(2);
    expect(table[0]).toMatch(/^ID +ADAPTER +BACKENDS \(GFLOPS\) +AT ONCE +RUNNING +DONE +TASKS\/MIN +REPUTATION$/);
    expect(table[1]).toMatch(new RegExp(`^${worker?.id} +node · no WebGPU +.+ +1 +idle +\\d+ +[\\d.]+ +`));
    const stats = (await cli(['stats'], { cwd: setting.dir, grid: setting.working })).stdout;
    expect(stats[0]).toBe('workers: 1 connected');
    expect(stats.find((line) => line.startsWith('jobs: '))).toMatch(/\d+ COMPLETED/);
    expect(stats.length).toBeLessThan(10);
  });
});
