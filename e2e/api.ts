import type { CoordinatorProcess } from './coordinator.js';

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
