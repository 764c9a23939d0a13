import { join } from 'node:path';
import { SILENT_LOG, type Logger } from '../log.js';
import { openPostgresStore } from './postgres.js';
import { openSqliteStore } from './sqlite.js';
import type { Store } from './store.js';

/**
 * The store a coordinator runs on: PostgreSQL when `database` is a `postgres://` (or
 * `postgresql://`) URL, else the embedded SQLite file in `dataDir`.
 */
export function openStore(database: string | undefined, dataDir: string, log: Logger = SILENT_LOG): Promise<Store> {
  if (database === undefined || database === '' || database === 'sqlite') return openSqliteStore(join(dataDir, 'tabgrid.db'));
  if (/^postgres(ql)?:\/\//.test(database)) return openPostgresStore(database, log);
  throw new Error(`--database must be a postgres:// URL (or "sqlite" for the embedded store), not ${JSON.stringify(database)}`);
}
