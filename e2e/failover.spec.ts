import { spawn, type ChildProcess } from 'node:child_process';
import type { Page } from '@playwright/test';
import WebSocket from 'ws';
import { CoordinatorMessage, type ItemResult, type JobStatus } from '../shared/index.js';
import { Tabgrid } from '../sdk/index.js';
import { freePort, startPostgresServer, type PostgresServer } from '../coordinator/testing.js';
import { startBalancer, type Balancer } from './balancer.js';
import { startCoordinatorProcess, type CoordinatorProcess } from './coordinator.js';
import { expect, test } from './fixtures.js';
import { openTabs } from './tabs.js';

/**
 * Several coordinators on one real PostgreSQL behind a load balancer that sends everything to
 * the one answering `/readyz` (e2e/balancer.ts, as deploy/haproxy.cfg does): the active one is
 * killed and paused, and the grid goes on.
 */

/** How soon a standby takes over (the coordinators' `--failover-ms`). */
const FAILOVER_MS = 1_500;

let postgres: PostgresServer;
test.beforeAll(async () => {
  postgres = await startPostgresServer();
});
test.afterAll(async () => {
  await postgres.stop();
});


/** Two coordinator slots on one database behind one balancer; a slot's process is restarted on the same port. */
class Pair {
  readonly processes: (CoordinatorProcess | undefined)[] = [undefined, undefined];
  /** Every process started, for the report and for stopping them all. */
  readonly started: CoordinatorProcess[] = [];

  private constructor(
    readonly database: string,
    readonly ports: number[],
    readonly balancer: Balancer,
  ) {}

  static async start(database: string): Promise<Pair> {
    const ports = [await freePort(), await freePort()];
    const balancer = await startBalancer(ports.map((port) => `http://127.0.0.1:${port}`));
    const pair = new Pair(database, ports, balancer);
    await pair.startSlot(0);
    await pair.startSlot(1);
    return pair;
  }

  async startSlot(slot: number): Promise<CoordinatorProcess> {
    const coordinator = await startCoordinatorProcess({
      leaseMs: 5_000,
      args: ['--port', String(this.ports[slot]), '--database', this.database, '--failover-ms', String(FAILOVER_MS), '--public-url', this.balancer.url],
    });
    this.processes[slot] = coordinator;
    this.started.push(coordinator);
    return coordinator;
  }

  /** The slot whose coordinator answers `/readyz` 200 now. */
  async activeSlot(): Promise<number | undefined> {
    for (const [slot, port] of this.ports.entries()) {
      // A paused coordinator accepts the connection and never answers: ask with a time limit.
      const ready = await fetch(`http://127.0.0.1:${port}/readyz`, { signal: AbortSignal.timeout(500) }).then((response) => response.status === 200, () => false);
      if (ready) return slot;
    }
    return undefined;
  }

  async waitForActive(timeoutMs = 20_000): Promise<number> {
    let slot: number | undefined;
    await expect.poll(async () => (slot = await this.activeSlot()), { timeout: timeoutMs, intervals: [50] }).toBeDefined();
    return slot!;
  }

  get client(): Tabgrid {
    return new Tabgrid({ url: this.balancer.url, token: this.started[0]!.adminToken, pollIntervalMs: 200 });
  }

  async stop(): Promise<void> {
    await Promise.all(this.started.map((coordinator) => coordinator.stop()));
    await this.balancer.close();
  }
}

/** The times (ms since the epoch) at which a coordinator process said it sent its first lease after taking over. */
function firstLeaseTimes(coordinator: CoordinatorProcess): number[] {
  return coordinator
    .logLines()
    .filter((line) => line.msg === 'first lease since taking over')
    .map((line) => Date.parse(line.time));
}

async function results(balancer: Balancer, token: string, jobId: string): Promise<ItemResult[]> {
  const response = await fetch(`${balancer.url}/api/v1/jobs/${jobId}/results`, { headers: { authorization: `Bearer ${token}` } });
  expect(response.status).toBe(200);
  return (await response.text())
    .split('\n')
    .filter((line) => line.length > 0)
    .map((line) => JSON.parse(line) as ItemResult);
}

async function logLines(client: Tabgrid, jobId: string): Promise<string[]> {
  const lines: string[] = [];
  for await (const entry of client.job(jobId).logs()) lines.push(entry.message);
  return lines;
}

const ITEMS = Array.from({ length: 2_000 }, (_, index) => index);

/** About 12 ms an item, a checkpoint after each: a task of 10 items resumes where its last attempt stopped. */
const CHECKPOINTED = `export default async (x, ctx) => {
  const end = Date.now() + 12;
  while (Date.now() < end);
  if (x % 100 === 0) ctx.log('item ' + x);
  await ctx.checkpoint({ last: x });
  return x * 3 + 1;
}`;

test('the active coordinator is SIGKILLed five times mid-job: a standby takes over each time and the job completes, every output once', async ({ browser }, testInfo) => {
  test.setTimeout(300_000);
  const pair = await Pair.start(await postgres.newDatabase());
  let tabs: Page[] = [];
  let nodeWorker: ChildProcess | undefined;
  const kills: { slot: number; at: number }[] = [];
  /** Log lines the active had stored before each kill: all must be there at the end. */
  const storedBeforeKills = new Set<string>();
  try {
    tabs = await openTabs(browser, pair.processes[0]!.joinUrl, 3);
    nodeWorker = spawn(process.execPath, ['dist/sdk/cli/main.js', 'worker', '--join', pair.processes[0]!.joinUrl], { stdio: 'ignore' });
    const started = Date.now();
    const job = await pair.client.submit({ name: 'failover', code: CHECKPOINTED, input: { items: ITEMS, chunkSize: 10 } });
    for (let kill = 0; kill < 5; kill++) {
      // A random moment: some progress since the last takeover.
      await new Promise((resolve) => setTimeout(resolve, 1_000 + Math.random() * 2_000));
      const slot = await pair.waitForActive();
      const victim = pair.processes[slot]!;
      for (const line of await logLines(pair.client, job.id)) storedBeforeKills.add(line);
      await victim.kill('SIGKILL');
      kills.push({ slot, at: Date.now() });
      // The killed one comes back: as a standby, or as the active when it takes the lease before
      // the standby does (a takeover either way: it says so, and when it sent its first lease).
      await pair.startSlot(slot);
      await expect.poll(() => pair.started.flatMap(firstLeaseTimes).filter((time) => time > kills.at(-1).at).length, { timeout: 30_000, intervals: [50] }).toBeGreaterThan(0);
    }
    console.log(`killed five times; ${Date.now() - started} ms since submit`);
    const final = await pair.client.job(job.id).wait({ timeoutMs: 240_000 });
    console.log(`completed ${Date.now() - started} ms after submit`);
    expect(final.state).toBe('COMPLETED');
    const lines = await results(pair.balancer, pair.started[0]!.adminToken, job.id);
    expect(lines.map((line) => line.index)).toEqual(ITEMS);
    expect(lines.map((line) => line.output)).toEqual(ITEMS.map((x) => x * 3 + 1));
    // Events and logs stored before each kill are there after it. (A line a tab logs while it
    // is cut off from every coordinator is not kept: logs are not acknowledged.)
    const events = await pair.client.job(job.id).events();
    expect(events.map((event) => event.to)).toEqual(['SUBMITTED', 'PENDING', 'RUNNING', 'COMPLETED']);
    const logged = new Set(await logLines(pair.client, job.id));
    expect(storedBeforeKills.size).toBeGreaterThan(0);
    for (const line of storedBeforeKills) expect(logged).toContain(line);
    // The task code's lines, and the coordinator's for an attempt the failover cost: a lease that
    // lapsed (a tab cut off too long by a kill), retried. A download answered 503 while no
    // coordinator was active is waited out by the tab, failing no attempt; nothing else is logged.
    for (const line of logged) expect(line).toMatch(/^item \d+00$|^item 0$|^attempt \d+ lost \(.+\); retrying$/);

    const gaps = kills.map(({ at }) => Math.min(...pair.started.flatMap(firstLeaseTimes).filter((time) => time > at)) - at);
    const report = `kill → first lease by the new active (ms): ${gaps.join(', ')} (goal ≤ 5000; --failover-ms ${FAILOVER_MS})`;
    console.log(report);
    testInfo.annotations.push({ type: 'failover', description: report });
    for (const gap of gaps) expect(gap).toBeGreaterThan(0);
  } catch (error) {
    // (testInfo.status says nothing yet inside the test: it is set once the test has thrown.)
    for (const [index, coordinator] of pair.started.entries()) await testInfo.attach(`coordinator ${index}`, { body: coordinator.output(), contentType: 'text/plain' });
    await testInfo.attach('kills', { body: JSON.stringify(kills), contentType: 'application/json' });
    throw error;
  } finally {
    nodeWorker?.kill('SIGTERM');
    await Promise.all(tabs.map((tab) => tab.context().close()));
    const stopping = Date.now();
    await pair.stop();
    console.log(`stopped in ${Date.now() - stopping} ms`);
  }
});

/** A worker speaking the protocol over a plain socket, straight to one coordinator. */
async function rawWorker(url: string): Promise<{ socket: WebSocket; messages: CoordinatorMessage[]; next: (type: CoordinatorMessage['type']) => Promise<CoordinatorMessage> }> {
  const socket = new WebSocket(url);
  const messages: CoordinatorMessage[] = [];
  socket.on('message', (data: Buffer) => messages.push(CoordinatorMessage.parse(JSON.parse(data.toString('utf8')))));
  await new Promise((resolve, reject) => socket.once('open', resolve).once('error', reject));
  const next = async (type: CoordinatorMessage['type']): Promise<CoordinatorMessage> => {
    await expect.poll(() => messages.some((message) => message.type === type), { timeout: 15_000 }).toBe(true);
    return messages.find((message) => message.type === type)!;
  };
  socket.send(JSON.stringify({ type: 'hello', capabilities: { runtime: 'node', webgpu: null, userAgent: 'failover-test' } }));
  await next('welcome');
  return { socket, messages, next };
}

test('a paused active (SIGSTOP past its lease, then SIGCONT) finds it lost its lease, stands by and writes nothing', async () => {
  const pair = await Pair.start(await postgres.newDatabase());
  try {
    const [first, second] = pair.processes as [CoordinatorProcess, CoordinatorProcess];
    expect(await pair.activeSlot()).toBe(0);
    const token = first.adminToken;
    const job = await pair.client.submit({ name: 'paused', code: 'export default (x) => x * 2', input: { items: [1, 2], chunkSize: 1 } });

    // A worker straight on the first coordinator holds a lease of it.
    const joinToken = new URL(first.joinUrl).searchParams.get('token')!;
    const worker = await rawWorker(`ws://127.0.0.1:${pair.ports[0]}/api/v1/worker?token=${encodeURIComponent(joinToken)}`);
    worker.socket.send(JSON.stringify({ type: 'ask' }));
    const lease = await worker.next('lease');
    if (lease.type !== 'lease') throw new Error('no lease');

    first.process.kill('SIGSTOP');
    try {
      await expect.poll(() => pair.activeSlot(), { timeout: 20_000, intervals: [100] }).toBe(1);
      // Its answer waits in the paused process's socket: it would be a write of the old active.
      worker.socket.send(JSON.stringify({ type: 'result', leaseId: lease.leaseId, outputs: ['written by the paused active'] }));
    } finally {
      first.process.kill('SIGCONT');
    }
    await expect.poll(() => first.output(), { timeout: 15_000 }).toMatch(/standing by: /);
    const health = await fetch(`http://127.0.0.1:${pair.ports[0]}/api/v1/health`).then((response) => response.json() as Promise<{ role: string }>);
    expect(health.role).toBe('standby');
    expect(worker.messages.filter((message) => message.type === 'ack' && message.status === 'accepted')).toEqual([]);
    worker.socket.close();

    // The new active finishes the job with an honest worker; nothing of the paused one is in it.
    const honest = spawn(process.execPath, ['dist/sdk/cli/main.js', 'worker', '--join', second.joinUrl], { stdio: 'ignore' });
    try {
      const final = await pair.client.job(job.id).wait({ timeoutMs: 60_000 });
      expect(final.state).toBe('COMPLETED');
    } finally {
      honest.kill('SIGTERM');
    }
    expect((await results(pair.balancer, token, job.id)).map((line) => line.output)).toEqual([2, 4]);
    const status = (await (await fetch(`${pair.balancer.url}/api/v1/jobs/${job.id}`, { headers: { authorization: `Bearer ${token}` } })).json()) as JobStatus;
    expect(status.progress.done).toBe(2);
  } finally {
    await pair.stop();
  }
});
