import { sql, type Kysely } from 'kysely';
import type { Database } from './tables.js';

/**
 * Schema changes in order; `meta.schema_version` records how many ran.
 * Written with Kysely's schema builder so the same steps run on SQLite and PostgreSQL.
 */
const MIGRATIONS: ((db: Kysely<Database>) => Promise<void>)[] = [
  async (db) => {
    await db.schema
      .createTable('jobs')
      .addColumn('seq', 'integer', (c) => c.primaryKey().autoIncrement())
      .addColumn('id', 'text', (c) => c.notNull().unique())
      .addColumn('name', 'text', (c) => c.notNull())
      .addColumn('state', 'text', (c) => c.notNull())
      .addColumn('priority', 'integer', (c) => c.notNull())
      .addColumn('spec', 'text', (c) => c.notNull())
      .addColumn('code_sha', 'text', (c) => c.notNull())
      .addColumn('item_count', 'integer', (c) => c.notNull())
      .addColumn('task_count', 'integer', (c) => c.notNull())
      .addColumn('error', 'text')
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .addColumn('updated_at', 'bigint', (c) => c.notNull())
      .execute();
    await db.schema.createIndex('jobs_state').on('jobs').column('state').execute();
    await db.schema
      .createTable('tasks')
      .addColumn('job_id', 'text', (c) => c.notNull())
      .addColumn('idx', 'integer', (c) => c.notNull())
      .addColumn('state', 'text', (c) => c.notNull())
      .addColumn('first_item', 'integer', (c) => c.notNull())
      .addColumn('item_count', 'integer', (c) => c.notNull())
      .addColumn('input', 'text', (c) => c.notNull())
      .addColumn('output', 'text')
      .addColumn('attempts', 'integer', (c) => c.notNull())
      .addColumn('failures', 'integer', (c) => c.notNull())
      .addColumn('lapses', 'integer', (c) => c.notNull())
      .addColumn('lease_id', 'text')
      .addColumn('worker_id', 'text')
      .addColumn('error', 'text')
      .addColumn('updated_at', 'bigint', (c) => c.notNull())
      .addPrimaryKeyConstraint('tasks_pk', ['job_id', 'idx'])
      .execute();
    await db.schema
      .createTable('logs')
      .addColumn('id', 'integer', (c) => c.primaryKey().autoIncrement())
      .addColumn('job_id', 'text', (c) => c.notNull())
      .addColumn('task_idx', 'integer')
      .addColumn('worker_id', 'text')
      .addColumn('level', 'text', (c) => c.notNull())
      .addColumn('message', 'text', (c) => c.notNull())
      .addColumn('time', 'bigint', (c) => c.notNull())
      .execute();
    await db.schema.createIndex('logs_job').on('logs').columns(['job_id', 'id']).execute();
    await db.schema
      .createTable('blobs')
      .addColumn('sha256', 'text', (c) => c.primaryKey())
      .addColumn('bytes', 'blob', (c) => c.notNull())
      .addColumn('size', 'integer', (c) => c.notNull())
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .execute();
  },
  async (db) => {
    await db.schema.alterTable('jobs').addColumn('idempotency_key', 'text').execute();
    await db.schema.createIndex('jobs_idempotency_key').unique().on('jobs').column('idempotency_key').execute();
    await db.schema.alterTable('tasks').addColumn('checkpoint', 'text').execute();
    await db.schema.alterTable('tasks').addColumn('ready_at', 'bigint', (c) => c.notNull().defaultTo(0)).execute();
    await db.schema
      .createTable('job_events')
      .addColumn('id', 'integer', (c) => c.primaryKey().autoIncrement())
      .addColumn('job_id', 'text', (c) => c.notNull())
      .addColumn('time', 'bigint', (c) => c.notNull())
      .addColumn('from_state', 'text')
      .addColumn('to_state', 'text', (c) => c.notNull())
      .addColumn('reason', 'text', (c) => c.notNull())
      .execute();
    await db.schema.createIndex('job_events_job').on('job_events').columns(['job_id', 'id']).execute();
  },
  async (db) => {
    await db.schema.alterTable('tasks').addColumn('blame', 'text').execute();
    await db.schema
      .createTable('workers')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('valid', 'integer', (c) => c.notNull())
      .addColumn('invalid', 'integer', (c) => c.notNull())
      .addColumn('streak', 'integer', (c) => c.notNull())
      .addColumn('errors', 'integer', (c) => c.notNull())
      .addColumn('recent', 'integer', (c) => c.notNull())
      .addColumn('quarantined', 'integer', (c) => c.notNull())
      .addColumn('note', 'text')
      .addColumn('updated_at', 'bigint', (c) => c.notNull())
      .execute();
  },
  async (db) => {
    // A status read or a list reads these, never the spec (which carries every item).
    await db.schema.alterTable('jobs').addColumn('summary', 'text', (c) => c.notNull().defaultTo('{}')).execute();
    await db.schema.alterTable('jobs').addColumn('final_counts', 'text').execute();
    await sql`UPDATE jobs SET summary = json_object('runMode', coalesce(json_extract(spec, '$.runMode'), 'immediate'), 'validation', json(json_extract(spec, '$.validation')))`.execute(db);
    await sql`UPDATE jobs SET final_counts = json_object(
      'done', (SELECT count(*) FROM tasks WHERE tasks.job_id = jobs.id AND tasks.state = 'done'),
      'failed', (SELECT count(*) FROM tasks WHERE tasks.job_id = jobs.id AND tasks.state = 'failed'))
      WHERE state IN ('COMPLETED', 'FAILED', 'CANCELLED', 'REJECTED')`.execute(db);
  },
  async (db) => {
    // Whether a job has a reduce step is in its summary too: `/result` need not read the spec.
    await sql`UPDATE jobs SET summary = json_set(summary, '$.reduce', json(CASE WHEN json_extract(spec, '$.reduce') IS NULL THEN 'false' ELSE 'true' END))`.execute(db);
  },
  async (db) => {
    // When a job started and ended, kept with it: the list shows them without reading events.
    await db.schema.alterTable('jobs').addColumn('started_at', 'bigint').execute();
    await db.schema.alterTable('jobs').addColumn('ended_at', 'bigint').execute();
    await sql.raw(JOB_TIMES_FROM_EVENTS).execute(db);
  },
];

/** Fills the jobs' start and end times in from their events (the same SQL on SQLite and PostgreSQL). */
export const JOB_TIMES_FROM_EVENTS = `UPDATE jobs SET
  started_at = (SELECT min(e.time) FROM job_events e WHERE e.job_id = jobs.id AND e.to_state = 'RUNNING'),
  ended_at = CASE WHEN state IN ('COMPLETED', 'FAILED', 'CANCELLED', 'REJECTED')
    THEN coalesce((SELECT max(e.time) FROM job_events e WHERE e.job_id = jobs.id AND e.to_state = jobs.state), updated_at) END`;

/** Runs the migrations not yet applied. */
export async function migrate(db: Kysely<Database>): Promise<void> {
  await db.schema
    .createTable('meta')
    .ifNotExists()
    .addColumn('key', 'text', (c) => c.primaryKey())
    .addColumn('value', 'text', (c) => c.notNull())
    .execute();
  const row = await db.selectFrom('meta').select('value').where('key', '=', 'schema_version').executeTakeFirst();
  const applied = row ? Number(row.value) : 0;
  for (let version = applied; version < MIGRATIONS.length; version++) {
    await db.transaction().execute(async (trx) => {
      await MIGRATIONS[version]!(trx);
      await trx
        .insertInto('meta')
        .values({ key: 'schema_version', value: String(version + 1) })
        .onConflict((oc) => oc.column('key').doUpdateSet({ value: String(version + 1) }))
        .execute();
    });
  }
  await sql`select 1`.execute(db);
}
