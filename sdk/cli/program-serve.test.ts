import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, test } from 'vitest';
import type { RunningCoordinator, StartCoordinator } from './commands/serve.js';
import { cli } from './test-support.js';

const folders: string[] = [];
afterEach(() => Promise.all(folders.splice(0).map((dir) => rm(dir, { recursive: true, force: true }))));

async function tempDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'tabgrid-serve-'));
  folders.push(dir);
  return dir;
}

describe('tabgrid serve', () => {
  test('starts the real coordinator, prints where to join and the admin token, and stops it on shutdown', async () => {
    const dir = await tempDir();
    // Its log would go to this process's stdout (e2e/logging.spec.ts reads it from a real process).
    const run = await cli(['serve', '--port', '0', '--data', 'grid'], { cwd: dir, env: { TABGRID_LOG_LEVEL: 'silent' } });
    try {
      expect(run.code).toBe(0);
      const [join, admin, token] = run.stderr;
      expect(join).toMatch(/^join URL: http:\/\/127\.0\.0\.1:\d+\/join\?token=[\w-]+$/);
      expect(admin).toMatch(/^admin URL: http:\/\/127\.0\.0\.1:\d+\/admin$/);
      const url = admin!.slice('admin URL: '.length, -'/admin'.length);
      const jobs = await fetch(`${url}/api/v1/jobs`, { headers: { authorization: `Bearer ${token!.slice('admin token: '.length)}` } });
      expect(await jobs.json()).toEqual({ jobs: [] });
    } finally {
      await Promise.all(run.stops.map((stop) => stop()));
    }
    expect(run.stops).toHaveLength(1);
  });

  // How flags become options, with startCoordinator replaced; the test above runs the real one.
  function recordingStart(): { start: StartCoordinator; calls: Parameters<StartCoordinator>[0][]; closed: () => boolean } {
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
        role: () => 'active',
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
    const dir = await tempDir();
    const coordinator = recordingStart();
    const run = await cli(['serve'], { cwd: dir, overrides: { loadCoordinator: () => Promise.resolve(coordinator.start) } });
    expect(run.code).toBe(0);
    expect(coordinator.calls).toEqual([{ port: 8080, host: '127.0.0.1', dataDir: join(dir, '.tabgrid'), logLevel: 'info' }]);
    expect(run.stdout).toEqual([]);
    expect(run.stderr).toEqual(['join URL: http://127.0.0.1:9999/join?token=j', 'admin URL: http://127.0.0.1:9999/admin', 'admin token: admin-secret', 'role: active']);
    expect(run.stops).toHaveLength(1);
    await run.stops[0]?.();
    expect(coordinator.closed()).toBe(true);
  });

  test('passes --port, --host, --data, --lease-ms, --heartbeat-ms and the spec limits', async () => {
    const coordinator = recordingStart();
    const args = ['serve', '--port', '0', '--host', '0.0.0.0', '--data', '/srv/grid', '--lease-ms', '5000', '--heartbeat-ms', '1000'];
    args.push('--max-tasks', '500000', '--max-items', '2000000', '--max-depth', '32');
    await cli(args, { cwd: await tempDir(), overrides: { loadCoordinator: () => Promise.resolve(coordinator.start) } });
    expect(coordinator.calls).toEqual([
      { port: 0, host: '0.0.0.0', dataDir: '/srv/grid', logLevel: 'info', leaseMs: 5000, heartbeatMs: 1000, maxTasks: 500_000, maxItems: 2_000_000, maxDepth: 32 },
    ]);
  });

  test.each([
    { args: ['--log-level', 'warn'], env: {}, level: 'warn' },
    { args: [], env: { TABGRID_LOG_LEVEL: 'debug' }, level: 'debug' },
    { args: ['--log-level', 'silent'], env: { TABGRID_LOG_LEVEL: 'trace' }, level: 'silent' },
    { args: [], env: { TABGRID_LOG_LEVEL: '' }, level: 'info' },
  ])('log level $level from $args and $env', async ({ args, env, level }) => {
    const coordinator = recordingStart();
    const run = await cli(['serve', ...args], { cwd: await tempDir(), env, overrides: { loadCoordinator: () => Promise.resolve(coordinator.start) } });
    expect(run.code).toBe(0);
    expect(coordinator.calls.map((options) => options.logLevel)).toEqual([level]);
  });

  test('a log level that is not one is refused, from the flag or the environment, before the coordinator starts', async () => {
    const coordinator = recordingStart();
    const overrides = { loadCoordinator: () => Promise.resolve(coordinator.start) };
    const flag = await cli(['serve', '--log-level', 'verbose'], { cwd: await tempDir(), overrides });
    expect(flag.code).toBe(1);
    expect(flag.stderr.join('\n')).toMatch(/--log-level <level>' argument 'verbose' is invalid\. expected one of trace, debug, info, warn, error, silent/);
    const env = await cli(['serve'], { cwd: await tempDir(), env: { TABGRID_LOG_LEVEL: 'loud' }, overrides });
    expect(env.code).toBe(1);
    expect(env.stderr).toEqual(['error: TABGRID_LOG_LEVEL is "loud": expected one of trace, debug, info, warn, error, silent']);
    expect(coordinator.calls).toEqual([]);
  });

  test('a port that is not a number is refused', async () => {
    const run = await cli(['serve', '--port', '80x'], { cwd: await tempDir() });
    expect(run.code).toBe(1);
    expect(run.stderr.join('\n')).toMatch(/--port <n>' argument '80x' is invalid/);
  });
});
