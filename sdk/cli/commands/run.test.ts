import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import type { CliIO } from '../io.js';
import { runCli } from '../program.js';

const repository = fileURLToPath(new URL('../../../', import.meta.url));

async function cli(args: string[], cwd = repository) {
  const run = { code: -1, stdout: [] as string[], stderr: [] as string[] };
  const io: CliIO = {
    out: (line) => run.stdout.push(line),
    err: (line) => run.stderr.push(line),
    writeRaw: (stream, text) => (stream === 'out' ? run.stdout : run.stderr).push(text.trimEnd()),
    env: {},
    cwd,
    onShutdown: () => {},
  };
  run.code = await runCli(args, io);
  return run;
}

describe('tabgrid run --local', () => {
  it('runs examples/pipeline.yaml here and prints its results and reduce result as NDJSON, without a token', async () => {
    const run = await cli(['run', 'examples/pipeline.yaml', '--local']);
    expect(run.stderr).toEqual([]);
    expect(run.code).toBe(0);
    expect(run.stdout.map((line) => JSON.parse(line) as unknown)).toEqual([
      { index: 0, output: 12 },
      { index: 1, output: 144 },
      { index: 2, output: 1728 },
      { index: 3, output: 1872 },
      { index: 4, output: 4 },
      { result: { seed: 12, sum: 1872, digits: 4 } },
    ]);
  });

  it('runs examples/gang.yaml with every rank of its gang in this process', async () => {
    const run = await cli(['run', 'examples/gang.yaml', '--local']);
    expect(run.stderr).toEqual([]);
    expect(run.code).toBe(0);
    expect(run.stdout.map((line) => JSON.parse(line) as unknown)).toEqual([
      { index: 0, output: { ranks: [0, 1, 2, 3], mean: 1.5, length: 1000 } },
      { index: 1, output: { ranks: [0, 1, 2, 3], mean: 1.5, length: 100000 } },
    ]);
  });

  it('prints task logs to stderr, with debug lines under --debug', async () => {
    const run = await cli(['run', 'examples/squares.yaml', '--local', '--debug']);
    expect(run.code).toBe(0);
    expect(run.stdout).toHaveLength(100);
    expect(run.stderr.some((line) => /^\[task 0\] debug: lease local_/.test(line))).toBe(true);
  });

  it('explains that a blob needs a coordinator when no token is given', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'tabgrid-run-'));
    await writeFile(join(dir, 'blob-code.yaml'), `name: blob code\ncode: { blob: ${'e'.repeat(64)} }\ninput: { items: [1] }\n`);
    const run = await cli(['run', 'blob-code.yaml', '--local'], dir);
    expect(run.code).toBe(1);
    expect(run.stderr.join('\n')).toMatch(/pass --url and --token/);
  });
});
