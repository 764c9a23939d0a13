import { join } from 'node:path';
import { openPostgresStore } from './postgres.js';
import { openSqliteStore } from './sqlite.js';
import type { Store } from './store.js';

/**
 * The store a coordinator runs on: PostgreSQL when `database` is a `postgres://` (or
 * `postgresql://`) URL, else the embedded SQLite file in `dataDir`.
 */
export function openStore(database: string | undefined, dataDir: string): Promise<Store> {
  if (database === undefined || database === '' || database === 'sqlite') return openSqliteStore(join(dataDir, 'tabgrid.db'));
  if (/^postgres(ql)?:\/\//.test(database)) return openPostgresStore(database);
  throw new Error(`--database must be a postgres:// URL (or "sqlite" for the embedded store), not ${JSON.stringify(database)}`);
}
