import type { CoordinatorProcess } from './coordinator.js';
import type { WorkerStatus } from '../shared/index.js';

/** GET an admin API path of a coordinator process and parse the JSON answer. */
export async function getJson<T>(coordinator: CoordinatorProcess, path: string): Promise<T> {
  const response = await fetch(`${coordinator.url}/api/v1${path}`, {
    headers: { authorization: `Bearer ${coordinator.adminToken}` },
  });
  if (!response.ok) throw new Error(`GET ${path}: ${response.status} ${await response.text()}`);
  return (await response.json()) as T;
}

/** POST to an admin API path of a coordinator process. */
export async function postJson<T>(coordinator: CoordinatorProcess, path: string, body?: unknown): Promise<T> {
  const response = await fetch(`${coordinator.url}/api/v1${path}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${coordinator.adminToken}`, 'content-type': 'application/json' },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  if (!response.ok) throw new Error(`POST ${path}: ${response.status} ${await response.text()}`);
  return (await response.json()) as T;
}

/** GET an NDJSON path and parse its lines. */
export async function getLines<T>(coordinator: CoordinatorProcess, path: string): Promise<T[]> {
  const response = await fetch(`${coordinator.url}/api/v1${path}`, {
    headers: { authorization: `Bearer ${coordinator.adminToken}` },
  });
  if (!response.ok) throw new Error(`GET ${path}: ${response.status} ${await response.text()}`);
  return (await response.text())
    .split('\n')
    .filter((line) => line.length > 0)
    .map((line) => JSON.parse(line) as T);
}

/**
 * Waits until `count` workers have reported their measured tensor backends. A tab's first task
 * Web Workers measure them at join and run a task only after: a test that compares when tabs
 * run their tasks starts once none is still measuring.
 */
export async function waitUntilMeasured(coordinator: CoordinatorProcess, count: number, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const { workers } = await getJson<{ workers: WorkerStatus[] }>(coordinator, '/workers');
    const measured = workers.filter((worker) => worker.capabilities.tensor !== undefined).length;
    if (measured >= count) return;
    if (Date.now() > deadline) throw new Error(`${measured} of ${count} workers reported their tensor backends within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}
