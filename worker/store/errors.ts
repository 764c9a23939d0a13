/**
 * Named errors of the volunteer's store. IndexedDB's DOMExceptions (and Dexie's wrappers of
 * them) are translated where they enter, by {@link toStorageError}, keeping the original as
 * `cause`. Guards compare `name`, so they hold across realms.
 */

/** Something went wrong with the tab's storage; the subclasses say what. */
export class StorageError extends Error {
  override readonly name: string = 'StorageError';
}

/** The browser's storage quota for this site is used up (`QuotaExceededError`). */
export class StorageQuotaError extends StorageError {
  override readonly name = 'StorageQuotaError';
}

/**
 * The database could not be upgraded: another tab holds an older version open and does not let
 * go (`blocked`), or the one on disk is newer than this page knows (`VersionError`).
 */
export class StorageUpgradeError extends StorageError {
  override readonly name = 'StorageUpgradeError';
}

/**
 * There is no usable IndexedDB here: a private window that has none, storage turned off for
 * the site (`SecurityError`), or a browser that refuses it (`InvalidStateError`).
 */
export class StorageUnavailableError extends StorageError {
  override readonly name = 'StorageUnavailableError';
}

const STORAGE_ERROR_NAMES: ReadonlySet<string> = new Set([
  'StorageError',
  'StorageQuotaError',
  'StorageUpgradeError',
  'StorageUnavailableError',
]);

/** True for any {@link StorageError}, from this realm or another. */
export function isStorageError(error: unknown): error is StorageError {
  return error instanceof Error && STORAGE_ERROR_NAMES.has(error.name);
}

/** True for a {@link StorageQuotaError}. */
export function isStorageQuotaError(error: unknown): error is StorageQuotaError {
  return error instanceof Error && error.name === 'StorageQuotaError';
}

/** True for a {@link StorageUpgradeError}. */
export function isStorageUpgradeError(error: unknown): error is StorageUpgradeError {
  return error instanceof Error && error.name === 'StorageUpgradeError';
}

/** True for a {@link StorageUnavailableError}. */
export function isStorageUnavailableError(error: unknown): error is StorageUnavailableError {
  return error instanceof Error && error.name === 'StorageUnavailableError';
}

const QUOTA = new Set(['QuotaExceededError']);
const UPGRADE = new Set(['VersionError']);
const UNAVAILABLE = new Set(['MissingAPIError', 'InvalidStateError', 'SecurityError']);

/**
 * The named error for anything IndexedDB or Dexie threw while `doing` something; a
 * {@link StorageError} passes through as it is.
 * @example
 * try { await db.open(); } catch (error) { throw toStorageError(error, 'opening the store'); }
 * // StorageUnavailableError: could not open the store: IndexedDB API missing (MissingAPIError)
 */
export function toStorageError(error: unknown, doing: string): StorageError {
  if (isStorageError(error)) return error;
  const names = errorNames(error);
  const message = `${doing} failed: ${describe(error)}`;
  if (names.some((name) => QUOTA.has(name))) return new StorageQuotaError(message, { cause: error });
  if (names.some((name) => UPGRADE.has(name))) return new StorageUpgradeError(message, { cause: error });
  if (names.some((name) => UNAVAILABLE.has(name))) return new StorageUnavailableError(message, { cause: error });
  return new StorageError(message, { cause: error });
}

/**
 * The names along an error's chain: Dexie wraps the DOMException as `inner`, others as `cause`;
 * a transaction that aborted for lack of space says so only in its `inner`.
 */
function errorNames(error: unknown): string[] {
  const names: string[] = [];
  let current: unknown = error;
  for (let depth = 0; depth < 5 && typeof current === 'object' && current !== null; depth += 1) {
    const { name, inner, cause } = current as { name?: unknown; inner?: unknown; cause?: unknown };
    if (typeof name === 'string') names.push(name);
    current = inner ?? cause;
  }
  return names;
}

function describe(error: unknown): string {
  if (typeof error === 'object' && error !== null) {
    const { name, message } = error as { name?: unknown; message?: unknown };
    const text = typeof message === 'string' && message ? message : Object.prototype.toString.call(error);
    return typeof name === 'string' && name ? `${text} (${name})` : text;
  }
  return String(error);
}

/**
 * Runs one step against IndexedDB, translating what it throws.
 * @example const row = await storageStep('reading the identity', () => db.identities.get(key));
 */
export async function storageStep<T>(doing: string, step: () => PromiseLike<T>): Promise<T> {
  try {
    return await step();
  } catch (error) {
    throw toStorageError(error, doing);
  }
}
