import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, inject, it } from 'vitest';
import { startCoordinator, type Coordinator } from '../coordinator/index.js';
import { startNodeWorker, type NodeWorker } from '../node-worker/index.js';
import { newDatabaseOn } from '../coordinator/testing.js';
import { Tabgrid } from './client.js';
import { cli } from './cli/test-support.js';
import { ADMIN_TOKEN } from './test-support.js';

// The SDK and the CLI given several coordinators on one real PostgreSQL database: they ask the
// active one, and follow it when another takes over.

const running: Coordinator[] = [];
const workers: NodeWorker[] = [];
const dirs: string[] = [];

afterEach(async () => {
  await Promise.all(workers.splice(0).map((worker) => worker.stop()));
  await Promise.all(running.splice(0).map((coordinator) => coordinator.close()));
  await Promise.all(dirs.splice(0).map((dir) => rm(dir, { recursive: true, force: true })));
});

const newDatabase = (): Promise<string> => newDatabaseOn(inject('postgresUrl'));

async function coordinatorOn(database: string): Promise<Coordinator> {
  const dataDir = await mkdtemp(join(tmpdir(), 'tabgrid-sdk-failover-'));
  dirs.push(dataDir);
  const coordinator = await startCoordinator({ port: 0, dataDir, database, failoverMs: 600, adminToken: ADMIN_TOKEN, webRoot: join(dataDir, 'no-web') });
  running.push(coordinator);
  return coordinator;
}

describe('clients of several coordinators', () => {
  it('the SDK asks the active one whichever comes first, and follows a takeover mid-wait', async () => {
    const database = await newDatabase();
    const active = await coordinatorOn(database);
    const standby = await coordinatorOn(database);
    expect(standby.role()).toBe('standby');
    const grid = new Tabgrid({ url: [standby.url, active.url], token: ADMIN_TOKEN, pollIntervalMs: 50 });

    const job = await grid.submit({ name: 'followed', code: 'export default (x) => x + 1', input: { items: [1, 2, 3] } });
    expect((await grid.jobs()).map((each) => each.id)).toEqual([job.id]);
    const waited = job.wait({ timeoutMs: 30_000 });

    // The active one stops before any worker came; the standby takes over and a worker joins it.
    running.splice(running.indexOf(active), 1);
    await active.close();
    await expect.poll(() => standby.role(), { timeout: 10_000 }).toBe('active');
    workers.push(startNodeWorker({ joinUrl: standby.joinUrl }));
    expect((await waited).state).toBe('COMPLETED');
    const outputs: unknown[] = [];
    for await (const { output } of grid.job(job.id).results()) outputs.push(output);
    expect(outputs).toEqual([2, 3, 4]);
  });

  it('the CLI takes several URLs in --url and TABGRID_URL', async () => {
    const database = await newDatabase();
    const active = await coordinatorOn(database);
    const standby = await coordinatorOn(database);
    await new Tabgrid({ url: active.url, token: ADMIN_TOKEN }).submit({ name: 'listed', code: 'export default (x) => x', input: { items: [1] } });

    const flag = await cli(['--url', `${standby.url},${active.url}`, '--token', ADMIN_TOKEN, 'list'], { cwd: tmpdir(), env: {} });
    expect(flag.code).toBe(0);
    expect(flag.stdout.join('\n')).toContain('listed');
    const env = await cli(['list'], { cwd: tmpdir(), env: { TABGRID_URL: ` ${standby.url} , ${active.url} `, TABGRID_TOKEN: ADMIN_TOKEN } });
    expect(env.code).toBe(0);
    expect(env.stdout.join('\n')).toContain('listed');
  });
});
