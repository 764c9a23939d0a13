import type { TestProject } from 'vitest/node';
import { startPostgresServer } from './postgres-server.js';

declare module 'vitest' {
  export interface ProvidedContext {
    /** The URL of the PostgreSQL server the unit tests share (`inject('postgresUrl')`); each test makes its own database on it. */
    postgresUrl: string;
  }
}

/** One real PostgreSQL server for the whole unit test run (vitest's global setup). */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const server = await startPostgresServer();
  project.provide('postgresUrl', server.url);
  return () => server.stop();
}
