import { StorageUpgradeError, toStorageError } from '../../worker/index.js';
import { VolunteerDatabase } from './schema.js';

/** How {@link openDatabase} waits. */
export interface OpenDatabaseOptions {
  /**
   * How long an upgrade may stay blocked by another tab holding an older version open before
   * opening gives up with a `StorageUpgradeError`.
   * @default 3000
   */
  blockedGraceMs?: number;
  /**
   * How long opening may take at all. An open queued behind another tab's blocked upgrade is
   * never told it is blocked: it just waits, and this bounds the wait.
   * @default 10_000
   */
  openTimeoutMs?: number;
}

/**
 * Opens (creating or upgrading) the volunteer's database.
 * @throws {StorageUnavailableError} when there is no usable IndexedDB (private mode, storage off)
 * @throws {StorageUpgradeError} when the upgrade stays blocked by another tab, or the database is newer
 * @throws {StorageQuotaError} when there is no room to create it
 * @example const db = await openDatabase('tabgrid-volunteer');
 */
export async function openDatabase(name: string, options: OpenDatabaseOptions = {}): Promise<VolunteerDatabase> {
  let db: VolunteerDatabase;
  try {
    db = new VolunteerDatabase(name);
  } catch (error) {
    throw toStorageError(error, `opening IndexedDB database ${name}`);
  }
  const timers: ReturnType<typeof setTimeout>[] = [];
  const stuck = new Promise<never>((_, reject) => {
    const upgradeError = (why: string): StorageUpgradeError => new StorageUpgradeError(`opening IndexedDB database ${name} failed: ${why}`);
    let blocked = false;
    db.on('blocked', () => {
      if (blocked) return;
      blocked = true;
      timers.push(setTimeout(() => reject(upgradeError('another tab keeps an older version of it open')), options.blockedGraceMs ?? 3000));
    });
    const openTimeoutMs = options.openTimeoutMs ?? 10_000;
    timers.push(setTimeout(() => reject(upgradeError(`it did not open within ${openTimeoutMs} ms (another tab may be upgrading it)`)), openTimeoutMs));
  });
  try {
    await Promise.race([db.open(), stuck]);
    return db;
  } catch (error) {
    db.close();
    throw toStorageError(error, `opening IndexedDB database ${name}`);
  } finally {
    for (const timer of timers) clearTimeout(timer);
  }
}
