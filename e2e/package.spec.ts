import { execFile, spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { expect, test } from './fixtures.js';

const run = promisify(execFile);

// What a user of the package gets, as another project gets it: the package packed with
// `npm pack` (after `npm run build`) and installed into a project outside this repository, which
// imports `tabgrid/sdk` and runs the `tabgrid` bin. (Inside the repository, Node would resolve the
// package's own name and hide a package that installs incomplete.)
test.describe.configure({ mode: 'serial' });

let home: string;
let project: string;
let tarball: string;

test.beforeAll(async () => {
  home = await mkdtemp(join(tmpdir(), 'tabgrid-user-'));
  const { stdout } = await run('npm', ['pack', '--ignore-scripts', '--json', '--pack-destination', home]);
  tarball = join(home, (JSON.parse(stdout) as [{ filename: string }])[0].filename);
  project = join(home, 'project');
  await mkdir(project);
  await writeFile(join(project, 'package.json'), JSON.stringify({ name: 'uses-tabgrid', private: true, type: 'module' }));
  // --ignore-scripts skips better-sqlite3's native build (a minute of compiling): only `tabgrid
  // serve` needs it, and this project uses a coordinator started from the repository.
  await run('npm', ['install', tarball, '--prefer-offline', '--no-audit', '--no-fund', '--ignore-scripts'], { cwd: project });
});

test.afterAll(async () => {
  await rm(home, { recursive: true, force: true });
});

test('the packed package holds the built SDK, CLI, pages and their types, and no sources', async () => {
  const { stdout } = await run('tar', ['-tzf', tarball]);
  const files = stdout.split('\n').filter(Boolean);
  for (const file of ['dist/sdk/index.js', 'dist/sdk/index.d.ts', 'dist/sdk/cli/main.js', 'dist/shared/index.d.ts', 'dist/web/web-worker/join.html', 'README.md']) {
    expect(files).toContain(`package/${file}`);
  }
  expect(files.filter((file) => !file.startsWith('package/dist/') && !/^package\/(package\.json|README\.md)$/.test(file))).toEqual([]);
  expect(files.filter((file) => file.endsWith('.map') || (file.endsWith('.ts') && !file.endsWith('.d.ts')))).toEqual([]);
});

test("a project outside the repository imports { Tabgrid } from 'tabgrid/sdk' and maps through its own tabgrid worker", async ({ coordinator }) => {
  expect(await readdir(join(project, 'node_modules', 'tabgrid'))).toContain('dist');
  const worker = spawn(join(project, 'node_modules', '.bin', 'tabgrid'), ['worker', '--join', coordinator.joinUrl], { cwd: project, stdio: ['ignore', 'pipe', 'inherit'] });
  try {
    await new Promise<void>((resolve, reject) => {
      worker.stdout.on('data', (chunk: Buffer) => {
        if (chunk.toString().includes('joined as')) resolve();
      });
      worker.once('exit', (code) => reject(new Error(`tabgrid worker exited (${code}) before joining`)));
    });
    const program = join(project, 'program.js');
    await writeFile(
      program,
      `import { Tabgrid, isHTTPError } from 'tabgrid/sdk';
const grid = new Tabgrid({ url: process.env.TABGRID_URL, token: process.env.TABGRID_TOKEN });
console.log(JSON.stringify(await grid.map([1, 2, 3], (x) => x + 1)));
console.log(typeof isHTTPError);`,
    );
    const { stdout } = await run(process.execPath, [program], {
      cwd: project,
      env: { ...process.env, TABGRID_URL: coordinator.url, TABGRID_TOKEN: coordinator.adminToken },
    });
    expect(stdout.trim().split('\n')).toEqual(['[2,3,4]', 'function']);
  } finally {
    worker.kill('SIGTERM');
    if (worker.exitCode === null) await once(worker, 'exit');
  }
});

test("that project's TypeScript checks against the package's types, strictly", async () => {
  await writeFile(
    join(project, 'typed.ts'),
    `import { Tabgrid, isHTTPError, type JobStatus } from 'tabgrid/sdk';
const grid = new Tabgrid({ url: 'http://127.0.0.1:8080', token: 'secret' });
const outputs: number[] = await grid.map([1, 2, 3], (x: number) => x + 1);
const status: JobStatus = await grid.job('j1').status();
console.log(outputs, status.state, isHTTPError);`,
  );
  const options = { module: 'nodenext', target: 'es2022', strict: true, noEmit: true, types: [] };
  await writeFile(join(project, 'tsconfig.json'), JSON.stringify({ compilerOptions: options, files: ['typed.ts'] }));
  // The repository's compiler, on the project's files: what resolves is the installed package.
  await run(process.execPath, [join(process.cwd(), 'node_modules', 'typescript', 'bin', 'tsc'), '-p', project]);
});

test('npx tabgrid --help, in that project, prints its commands', async () => {
  const { stdout } = await run('npx', ['--no-install', 'tabgrid', '--help'], { cwd: project });
  for (const command of ['serve', 'submit', 'status', 'list', 'results', 'logs', 'cancel', 'worker', 'run']) {
    expect(stdout).toContain(command);
  }
});
