/** What tests and benchmarks of other rooms use of the coordinator's test support. */
export { freePort, newDatabaseOn, startPostgresServer, type PostgresServer } from './store/postgres-server.js';
/** The coordinator's write corking, for the bench's bare reference server (it must write as the coordinator does). */
export { holdWritesForThisTurn } from './worker-socket.js';
