import type { Store, WorkerRecord } from '../store/index.js';
import type { GroupCommit } from './group-commit.js';

/** Valid results in a row before a worker is trusted to run tasks alone (adaptive validation). */
export const TRUST_AFTER = 10;
/** The lowest rate at which a trusted worker's results are still checked. */
export const MIN_SPOT_CHECK_RATE = 0.05;
/** A worker is quarantined with this many invalid results among its last `QUARANTINE_WINDOW` validated ones. */
export const QUARANTINE_INVALID = 3;
export const QUARANTINE_WINDOW = 20;

const WINDOW_MASK = (1 << QUARANTINE_WINDOW) - 1;

/**
 * The share of a worker's tasks that are replicated to check it: all of them until it has
 * `TRUST_AFTER` valid results in a row, then fewer as its streak grows (2/streak), never under
 * `MIN_SPOT_CHECK_RATE`.
 * @example spotCheckRate(3) // 1
 * @example spotCheckRate(20) // 0.1
 */
export function spotCheckRate(streak: number): number {
  if (streak < TRUST_AFTER) return 1;
  return Math.max(MIN_SPOT_CHECK_RATE, 2 / streak);
}

function invalidCount(recent: number): number {
  let count = 0;
  for (let bits = recent & WINDOW_MASK; bits !== 0; bits &= bits - 1) count++;
  return count;
}

function freshRecord(id: string, now: number): WorkerRecord {
  return { id, valid: 0, invalid: 0, streak: 0, errors: 0, recent: 0, quarantined: false, note: null, updatedAt: now };
}

/**
 * Every worker identity's reputation, kept in the store and cached here: read when a worker says
 * hello (so leasing can decide at once), written on every change.
 */
export class WorkerRecords {
  private readonly cache = new Map<string, WorkerRecord>();

  constructor(
    private readonly store: Store,
    private readonly commits: GroupCommit,
    private readonly now: () => number,
  ) {}

  /** Reads a worker's record into the cache (a new identity starts with none). */
  async load(id: string): Promise<WorkerRecord> {
    const cached = this.cache.get(id);
    if (cached) return cached;
    const record = (await this.store.getWorker(id)) ?? freshRecord(id, this.now());
    // Another load may have finished meanwhile: keep the one already cached.
    const winner = this.cache.get(id) ?? record;
    this.cache.set(id, winner);
    return winner;
  }

  /** The cached record, or a fresh one for an identity not loaded (a worker that never said hello here). */
  get(id: string): WorkerRecord {
    return this.cache.get(id) ?? freshRecord(id, this.now());
  }

  isQuarantined(id: string): boolean {
    return this.cache.get(id)?.quarantined === true;
  }

  /** A result of this worker agreed with the quorum. */
  valid(id: string): void {
    this.update(id, (record) => {
      record.valid++;
      record.streak++;
      record.recent = (record.recent << 1) & WINDOW_MASK;
    });
  }

  /** A result of this worker disagreed with the quorum; answers true when that quarantined it. */
  invalid(id: string): boolean {
    let quarantined = false;
    this.update(id, (record) => {
      record.invalid++;
      record.streak = 0;
      record.recent = ((record.recent << 1) | 1) & WINDOW_MASK;
      if (!record.quarantined && invalidCount(record.recent) >= QUARANTINE_INVALID) {
        record.quarantined = true;
        record.note = `${invalidCount(record.recent)} of its last ${QUARANTINE_WINDOW} checked results disagreed with the quorum`;
        quarantined = true;
      }
    });
    return quarantined;
  }

  /** An attempt of this worker threw or timed out. */
  error(id: string): void {
    this.update(id, (record) => void record.errors++);
  }

  /** Sets or lifts a quarantine by hand (an admin); answers the record. */
  async setQuarantined(id: string, quarantined: boolean, note: string): Promise<WorkerRecord> {
    await this.load(id);
    this.update(id, (record) => {
      record.quarantined = quarantined;
      record.note = note;
      // A released worker starts over: checked again until it earns trust.
      if (!quarantined) Object.assign(record, { streak: 0, recent: 0 });
    });
    await this.commits.committed();
    return this.get(id);
  }

  /** Changes the cached record and adds it to the next commit. */
  private update(id: string, change: (record: WorkerRecord) => void): void {
    const record = this.cache.get(id) ?? freshRecord(id, this.now());
    this.cache.set(id, record);
    change(record);
    record.updatedAt = this.now();
    this.commits.add({ type: 'putWorker', record: { ...record } });
  }
}
