import pg from 'pg';
import { SILENT_LOG, type Logger } from '../log.js';
import { createPostgresSchema } from './postgres-schema.js';
import { Numbered } from './postgres-sql.js';
import { PostgresWrites } from './postgres-writes.js';
import { SqlReads, type SqlDialect } from './sql-reads.js';
import type { CoordinatorLease, Store, StoreChange } from './store.js';

/**
 * Opens the PostgreSQL store at `url` (`postgres://user:password@host:port/database`), creating
 * its tables if they are not there. Several coordinators may open the same database: the one
 * holding the lease (`store.lease`) writes; the others only read.
 */
export async function openPostgresStore(url: string, log: Logger = SILENT_LOG): Promise<Store> {
  const pool = new pg.Pool({ connectionString: url, max: POOL_SIZE, types: { getTypeParser } });
  // A connection that breaks while idle in the pool must not crash the process: the pool drops it.
  pool.on('error', (error) => log.warn({ err: error }, 'a PostgreSQL connection failed'));
  try {
    await createPostgresSchema(pool);
  } catch (error) {
    await pool.end();
    throw error;
  }
  return new PostgresStore(pool);
}

/** Connections at most: group commits, renewals of the lease and REST reads at once. */
const POOL_SIZE = 8;

/** bigint (int8) columns and counts come back as numbers: every one the store keeps is below 2^53. */
function getTypeParser(oid: number): (value: string) => unknown {
  if (oid === (pg.types.builtins.INT8 as number)) return Number;
  return pg.types.getTypeParser(oid, 'text') as (value: string) => unknown;
}

const POSTGRES: SqlDialect = {
  oneOf: (column, values) => [`${column} = ANY(?)`, values],
  contains: (column) => `strpos(lower(${column}), lower(?)) > 0`,
};

class PostgresStore extends SqlReads implements Store {
  private readonly writes: PostgresWrites;
  readonly lease: CoordinatorLease;

  constructor(
    private readonly pool: pg.Pool,
    private readonly numbered = new Numbered(),
  ) {
    super(async (text, parameters) => (await pool.query(numbered.statement(text, parameters))).rows as unknown[], POSTGRES);
    this.writes = new PostgresWrites(pool, numbered);
    this.lease = this.writes.lease;
  }

  write(changes: readonly StoreChange[]): Promise<number[][]> {
    return this.writes.write(changes);
  }

  async putBlob(sha256: string, bytes: Uint8Array): Promise<void> {
    // Blobs are named by their content: any coordinator may add one, active or not.
    await this.pool.query(this.numbered.statement('INSERT INTO blobs (sha256, bytes, size, created_at) VALUES (?, ?, ?, ?) ON CONFLICT (sha256) DO NOTHING', [sha256, Buffer.from(bytes), bytes.byteLength, Date.now()]));
  }

  async setMeta(key: string, value: string): Promise<void> {
    await this.writes.fenced((query) => query('INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value', [key, value]));
  }

  async claimMeta(key: string, value: string): Promise<string> {
    await this.pool.query(this.numbered.statement('INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO NOTHING', [key, value]));
    return (await this.getMeta(key))!;
  }

  async close(): Promise<void> {
    await this.pool.end();
  }
}
