import { describe, expect, it } from 'vitest';
import { type StorageError, StorageQuotaError, StorageUnavailableError, StorageUpgradeError, isStorageError, toStorageError } from '../../worker/index.js';
import { MemoryWorkerStore } from '../../worker/index.js';
import { ResilientStore } from './resilient.js';
import { testLease } from '../../worker/testing.js';

/** A memory store posing as durable, whose lease writes fail with `failure` once `failing` is set. */
class FailingStore extends MemoryWorkerStore {
  override readonly durable = true;
  failing = false;

  constructor(private readonly failure: Error) {
    super();
  }

  override saveLease(...args: Parameters<MemoryWorkerStore['saveLease']>): Promise<void> {
    return this.failing ? Promise.reject(this.failure) : super.saveLease(...args);
  }

  override saveCheckpoint(...args: Parameters<MemoryWorkerStore['saveCheckpoint']>): Promise<void> {
    return this.failing ? Promise.reject(this.failure) : super.saveCheckpoint(...args);
  }
}

describe('ResilientStore', () => {
  it('goes on in memory after a storage error, and says so once', async () => {
    const quota = new StorageQuotaError('saving a lease failed: quota');
    const inner = new FailingStore(quota);
    const store = new ResilientStore(inner);
    const problems: StorageError[] = [];
    store.onDegraded((problem) => problems.push(problem));
    await store.saveLease(testLease('l-1'));
    expect(store.durable).toBe(true);

    inner.failing = true;
    await store.saveLease(testLease('l-2'));
    await store.saveCheckpoint('l-2', { user: 1 });
    expect(problems).toEqual([quota]);
    expect(store.problem).toBe(quota);
    expect(store.durable).toBe(false);
    // Memory holds what was written since: l-2 (l-1 stayed behind in the failed store).
    expect((await store.load()).leases.map((saved) => [saved.lease.leaseId, saved.checkpoint])).toEqual([['l-2', { user: 1 }]]);
  });

  it('rethrows errors that are not about storage: those are bugs', async () => {
    const inner = new FailingStore(new TypeError('a bug'));
    inner.failing = true;
    const store = new ResilientStore(inner);
    await expect(store.saveLease(testLease('l-1'))).rejects.toThrow('a bug');
    expect(store.problem).toBeUndefined();
  });

  it('can start in memory with the reason IndexedDB could not open', async () => {
    const store = ResilientStore.inMemory(new StorageUnavailableError('no IndexedDB'));
    expect(store.durable).toBe(false);
    expect(store.problem?.name).toBe('StorageUnavailableError');
    await store.blobs.put('a'.repeat(64), new Uint8Array([1]));
    expect(await store.blobs.get('a'.repeat(64))).toEqual(new Uint8Array([1]));
  });
});

describe('toStorageError', () => {
  const domException = (name: string, message = name) => Object.assign(new Error(message), { name });

  it("names quota, upgrade and unavailable storage, looking through Dexie's wrappers", () => {
    const quota = toStorageError({ name: 'AbortError', message: 'aborted', inner: domException('QuotaExceededError') }, 'saving a blob');
    expect(quota).toBeInstanceOf(StorageQuotaError);
    expect(quota.message).toBe('saving a blob failed: aborted (AbortError)');
    expect(quota.cause).toMatchObject({ name: 'AbortError' });
    expect(toStorageError(domException('VersionError'), 'opening')).toBeInstanceOf(StorageUpgradeError);
    expect(toStorageError({ name: 'OpenFailedError', inner: domException('SecurityError') }, 'opening')).toBeInstanceOf(StorageUnavailableError);
    expect(toStorageError(domException('MissingAPIError', 'IndexedDB API missing'), 'opening')).toBeInstanceOf(StorageUnavailableError);
    expect(toStorageError(domException('InvalidStateError'), 'opening')).toBeInstanceOf(StorageUnavailableError);
    const other = toStorageError(domException('UnknownError'), 'reading');
    expect(other.name).toBe('StorageError');
    expect(isStorageError(other)).toBe(true);
    expect(toStorageError(quota, 'again')).toBe(quota);
    expect(isStorageError(new Error('x'))).toBe(false);
  });
});
