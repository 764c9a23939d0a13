import { execFile, spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { expect, test } from './fixtures.js';

const run = promisify(execFile);

// What a user of the built package gets: `tabgrid/sdk` from a plain Node program, and the `tabgrid` bin.

test('a Node program imports { Tabgrid } from tabgrid/sdk after a build and maps through a Node worker', async ({ coordinator }) => {
  const dir = await mkdtemp(join(process.cwd(), 'test-results', 'sdk-user-'));
  const worker = spawn(process.execPath, ['dist/sdk/cli/main.js', 'worker', '--join', coordinator.joinUrl], { stdio: ['ignore', 'pipe', 'inherit'] });
  try {
    await new Promise<void>((resolve, reject) => {
      worker.stdout.on('data', (chunk: Buffer) => {
        if (chunk.toString().includes('joined as')) resolve();
      });
      worker.once('exit', (code) => reject(new Error(`tabgrid worker exited (${code}) before joining`)));
    });
    // Inside the package folder, Node resolves the package's own name through its `exports`.
    const program = join(dir, 'program.mjs');
    await writeFile(
      program,
      `import { Tabgrid, isHTTPError } from 'tabgrid/sdk';
const grid = new Tabgrid({ url: process.env.TABGRID_URL, token: process.env.TABGRID_TOKEN });
console.log(JSON.stringify(await grid.map([1, 2, 3], (x) => x + 1)));
console.log(typeof isHTTPError);`,
    );
    const { stdout } = await run(process.execPath, [program], {
      env: { ...process.env, TABGRID_URL: coordinator.url, TABGRID_TOKEN: coordinator.adminToken },
    });
    expect(stdout.trim().split('\n')).toEqual(['[2,3,4]', 'function']);
  } finally {
    worker.kill('SIGTERM');
    if (worker.exitCode === null) await once(worker, 'exit');
    await rm(dir, { recursive: true, force: true });
  }
});

test('the tabgrid bin prints its commands', async () => {
  const { stdout } = await run(process.execPath, ['dist/sdk/cli/main.js', '--help']);
  for (const command of ['serve', 'submit', 'status', 'list', 'results', 'logs', 'cancel', 'worker', 'run']) {
    expect(stdout).toContain(command);
  }
});
