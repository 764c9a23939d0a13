/** What tests and benchmarks of other rooms use of the coordinator's test support. */
export { freePort, newDatabaseOn, startPostgresServer, type PostgresServer } from './store/postgres-server.js';
