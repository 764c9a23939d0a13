import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import SQLite from 'better-sqlite3';
import { Kysely, SqliteDialect } from 'kysely';
import { migrate } from './migrations.js';
import { SqlReads, type SqlDialect } from './sql-reads.js';
import { SqliteWrites } from './sqlite-writes.js';
import { Statements } from './statements.js';
import type { CoordinatorLease, Store, StoreChange } from './store.js';
import type { Database } from './tables.js';

/**
 * Opens (creating if needed) the embedded store: one SQLite file in WAL mode, held by this
 * process alone until closed.
 * @param path a file path, or ':memory:' for tests
 * @param busyTimeoutMs how long to wait for another process to let go of the file before refusing
 */
export async function openSqliteStore(path: string, { busyTimeoutMs = 5000 }: { busyTimeoutMs?: number } = {}): Promise<Store> {
  if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
  // `timeout`: how long a statement waits for another process's lock (busy_timeout).
  const sqlite = new SQLite(path, { timeout: busyTimeoutMs });
  try {
    // One process owns the file (a second coordinator needs PostgreSQL): it holds the lock from
    // its first read until it closes, so no transaction takes or drops file locks (nor keeps a
    // shared-memory index), and another process opening the file is refused rather than writing
    // beside it.
    sqlite.pragma('locking_mode = EXCLUSIVE');
    sqlite.pragma('journal_mode = WAL');
    // NORMAL in WAL mode survives a process crash (SIGKILL) without losing a commit; only an OS crash could.
    sqlite.pragma('synchronous = NORMAL');
    await migrate(new Kysely<Database>({ dialect: new SqliteDialect({ database: sqlite }) }));
  } catch (error) {
    sqlite.close();
    if ((error as { code?: unknown }).code === 'SQLITE_BUSY') {
      throw new Error(`${path} is in use by another process: one coordinator owns an SQLite file (several coordinators share a PostgreSQL database)`, { cause: error });
    }
    throw error;
  }
  return new SqliteStore(sqlite);
}

const SQLITE: SqlDialect = {
  oneOf: (column, values) => [`${column} IN (SELECT value FROM json_each(?))`, JSON.stringify(values)],
  contains: (column) => `instr(lower(${column}), lower(?)) > 0`,
};

/**
 * One process owns an SQLite file: its lease is always its own (a second coordinator needs the
 * PostgreSQL store).
 */
const OWN_LEASE: CoordinatorLease = {
  exclusive: true,
  acquire: () => Promise.resolve(1),
  renew: () => Promise.resolve(true),
  release: () => Promise.resolve(),
};

/** A statement's answer, as a promise (a throw becomes a rejection), as every store call answers. */
function settle<T>(compute: () => T): Promise<T> {
  try {
    return Promise.resolve(compute());
  } catch (error) {
    return Promise.reject(error instanceof Error ? error : new Error(String(error)));
  }
}

class SqliteStore extends SqlReads implements Store {
  private readonly writes: SqliteWrites;
  readonly lease = OWN_LEASE;

  /** Every statement is prepared once (`Statements`) and run synchronously. */
  constructor(
    private readonly sqlite: SQLite.Database,
    private readonly statements = new Statements(sqlite),
  ) {
    super((text, parameters) => settle(() => statements.get(text).all(...parameters)), SQLITE);
    this.writes = new SqliteWrites(sqlite, statements);
  }

  write(changes: readonly StoreChange[]): Promise<number[][]> {
    return Promise.resolve().then(() => this.writes.write(changes));
  }

  putBlob(sha256: string, bytes: Uint8Array): Promise<void> {
    return settle(() => {
      this.statements.get('INSERT INTO blobs (sha256, bytes, size, created_at) VALUES (?, ?, ?, ?) ON CONFLICT (sha256) DO NOTHING').run(sha256, bytes, bytes.byteLength, Date.now());
    });
  }

  setMeta(key: string, value: string): Promise<void> {
    return settle(() => {
      this.statements.get('INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value').run(key, value);
    });
  }

  claimMeta(key: string, value: string): Promise<string> {
    return settle(() => {
      this.statements.get('INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO NOTHING').run(key, value);
      return (this.statements.get('SELECT value FROM meta WHERE key = ?').get(key) as { value: string }).value;
    });
  }

  close(): Promise<void> {
    return settle(() => {
      this.sqlite.close();
    });
  }
}
