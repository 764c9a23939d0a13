import { storageStep } from '../../worker/index.js';
import type { VolunteerDatabase } from './schema.js';
import type { BlobCache } from '../../worker/index.js';

/**
 * The blob cache in IndexedDB, shared by every tab of the browser: bytes in `blobBytes`, sizes
 * and last use in `blobIndex` (so eviction reads no bytes). A `get` and a `put` are each one
 * transaction, so tabs using the cache at once see it whole; past `capBytes` the least
 * recently used blobs are evicted.
 * @example
 * const cache = new DexieBlobCache(db, 256 * 1024 * 1024);
 * await cache.put(sha, bytes);
 * await cache.get(sha); // bytes, now the most recently used
 */
export class DexieBlobCache implements BlobCache {
  constructor(
    private readonly db: VolunteerDatabase,
    private readonly capBytes: number,
  ) {}

  get(sha256: string): Promise<Uint8Array | undefined> {
    const { db } = this;
    return storageStep('reading the blob cache', () =>
      db.transaction('rw', db.blobIndex, db.blobBytes, async () => {
        const entry = await db.blobIndex.get(sha256);
        const stored = entry && (await db.blobBytes.get(sha256));
        if (!stored) return undefined;
        await db.blobIndex.update(sha256, { lastUsed: await this.#nextUse() });
        return stored.bytes;
      }),
    );
  }

  put(sha256: string, bytes: Uint8Array): Promise<void> {
    if (bytes.byteLength > this.capBytes) return Promise.resolve();
    const { db } = this;
    return storageStep('writing the blob cache', () =>
      db.transaction('rw', db.blobIndex, db.blobBytes, async () => {
        const lastUsed = await this.#nextUse();
        if (!(await db.blobIndex.get(sha256))) {
          await this.#makeRoom(bytes.byteLength);
          await db.blobBytes.put({ sha: sha256, bytes: bytes.slice() });
        }
        await db.blobIndex.put({ sha: sha256, size: bytes.byteLength, lastUsed });
      }),
    );
  }

  /** The cached hashes, least recently used first. */
  keys(): Promise<string[]> {
    return storageStep('listing the blob cache', () => this.db.blobIndex.orderBy('lastUsed').primaryKeys());
  }

  /** Evicts the least recently used blobs until `incoming` more bytes fit under the cap. */
  async #makeRoom(incoming: number): Promise<void> {
    const entries = await this.db.blobIndex.orderBy('lastUsed').toArray();
    let total = entries.reduce((sum, entry) => sum + entry.size, 0) + incoming;
    const evicted: string[] = [];
    for (const entry of entries) {
      if (total <= this.capBytes) break;
      evicted.push(entry.sha);
      total -= entry.size;
    }
    await this.db.blobIndex.bulkDelete(evicted);
    await this.db.blobBytes.bulkDelete(evicted);
  }

  /**
   * A use stamp later than every one stored: the clock, or just past the latest stamp when
   * uses come faster than the clock ticks (or from a tab whose clock runs ahead).
   */
  async #nextUse(): Promise<number> {
    const latest = await this.db.blobIndex.orderBy('lastUsed').last();
    return Math.max(Date.now(), (latest?.lastUsed ?? 0) + 0.001);
  }
}
