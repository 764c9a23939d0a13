import type { Generated } from 'kysely';

/** Rows as stored. JSON columns hold text; times are epoch milliseconds. */
export interface JobTable {
  seq: Generated<number>;
  id: string;
  name: string;
  state: string;
  priority: number;
  /** The validated spec, with `code` replaced by its blob reference. */
  spec: string;
  code_sha: string;
  item_count: number;
  task_count: number;
  error: string | null;
  idempotency_key: string | null;
  created_at: number;
  updated_at: number;
  /** When the job first became RUNNING; null until then. */
  started_at: number | null;
  /** When the job ended; null while it may run (and again once a failed job is retried). */
  ended_at: number | null;
  /** JSON: `summarizeSpec(spec)`, read in place of the spec by status reads and lists. */
  summary: string;
  /** JSON `{ done, failed }` once the job has ended. */
  final_counts: string | null;
}

export interface JobEventTable {
  id: Generated<number>;
  job_id: string;
  time: number;
  from_state: string | null;
  to_state: string;
  reason: string;
}

export interface TaskTable {
  job_id: string;
  idx: number;
  state: string;
  first_item: number;
  item_count: number;
  input: string;
  output: string | null;
  attempts: number;
  failures: number;
  lapses: number;
  /** JSON `{ failedOn, lapsedOn, excluded }` (worker ids), or null while all are empty. */
  blame: string | null;
  lease_id: string | null;
  worker_id: string | null;
  error: string | null;
  checkpoint: string | null;
  ready_at: number;
  updated_at: number;
}

export interface LogTable {
  id: Generated<number>;
  job_id: string;
  task_idx: number | null;
  worker_id: string | null;
  level: string;
  message: string;
  time: number;
}

export interface BlobTable {
  sha256: string;
  bytes: Uint8Array;
  size: number;
  created_at: number;
}

export interface WorkerTable {
  id: string;
  valid: number;
  invalid: number;
  streak: number;
  errors: number;
  recent: number;
  quarantined: number;
  note: string | null;
  updated_at: number;
}

export interface MetaTable {
  key: string;
  value: string;
}

export interface Database {
  jobs: JobTable;
  tasks: TaskTable;
  logs: LogTable;
  blobs: BlobTable;
  meta: MetaTable;
  job_events: JobEventTable;
  workers: WorkerTable;
}
