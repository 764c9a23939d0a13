import { fileURLToPath } from 'node:url';
import { describe, expect, test } from 'vitest';
import { buildJobGraph, DEFAULT_SPEC_LIMITS, partition } from '../../shared/index.js';
import { JobFileError, loadJobFile, parseJobFile } from './job-file.js';
import type { ReadText } from './job-file.js';

const noFiles: ReadText = (path) => Promise.reject(Object.assign(new Error(`ENOENT: ${path}`), { code: 'ENOENT' }));

function filesOf(files: Record<string, string>): ReadText {
  return (path) => (path in files ? Promise.resolve(files[path] ?? '') : noFiles(path));
}

async function failure(promise: Promise<unknown>): Promise<JobFileError> {
  const error: unknown = await promise.then(
    () => expect.unreachable('expected a JobFileError'),
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(JobFileError);
  return error as JobFileError;
}

describe('parseJobFile', () => {
  test('an inline spec is validated and gets its defaults', async () => {
    const yaml = 'name: squares\ncode: |\n  export default (x) => x * x\ninput:\n  items: [1, 2, 3]\n';
    const spec = await parseJobFile(yaml, 'job.yaml', noFiles);
    expect(spec).toEqual({
      name: 'squares',
      code: 'export default (x) => x * x\n',
      input: { partitioner: 'items', items: [1, 2, 3] },
      retry: { maxAttempts: 3, maxLapses: 10, backoff: { initialMs: 1000, factor: 2, maxMs: 60_000 }, distinctWorkers: 2 },
      priority: 0,
      runMode: 'immediate',
    });
  });

  test('invalid YAML names the line and column', async () => {
    const yaml = 'name: squares\ninput:\n  items: [1, 2\ncode: x\n';
    const error = await failure(parseJobFile(yaml, 'job.yaml', noFiles));
    expect(error).toMatchObject({ file: 'job.yaml', line: 4, column: 1 });
    expect(error.message).toMatch(/^invalid YAML in job\.yaml at line 4, column 1: Flow sequence/);
  });

  test('a mapping in a compact mapping is pointed at', async () => {
    const error = await failure(parseJobFile('name: a: b\n', 'job.yaml', noFiles));
    expect(error.message).toMatch(/^invalid YAML in job\.yaml at line 1, column 7: /);
  });

  test('a spec error names the field, its line and column, and the reason', async () => {
    const yaml = 'name: squares\ncode: "export default (x) => x"\ninput:\n  items: [1]\n  chunkSize: 0\n';
    const error = await failure(parseJobFile(yaml, 'job.yaml', noFiles));
    expect(error.message).toMatch(/^invalid job spec in job\.yaml: input\.chunkSize at line 5, column 14: Too small/);
    expect(error).toMatchObject({ line: 5, column: 14 });
  });

  test('every bad field is listed on one line, missing ones at their parent', async () => {
    const yaml = 'code: "x"\ninput:\n  items: []\ncolour: red\n';
    const error = await failure(parseJobFile(yaml, 'job.yaml', noFiles));
    expect(error.message).not.toContain('\n');
    expect(error.message).toContain('name at line 1, column 1:');
    expect(error.message).toContain('input.items at line 3, column 10: items must not be empty');
    expect(error.message).toMatch(/colour at line 4, column 1: unknown key "colour"$/);
  });

  test('the scheduling fields are validated with line and column: retry.backoff', async () => {
    const yaml = 'name: s\ncode: x\ninput: { items: [1] }\nretry:\n  maxAttempts: 2\n  backoff:\n    initialMs: 10\n    factor: 0.5\n';
    const error = await failure(parseJobFile(yaml, 'job.yaml', noFiles));
    expect(error.message).toBe('invalid job spec in job.yaml: retry.backoff.factor at line 8, column 13: Too small: expected number to be >=1');
    expect(error).toMatchObject({ line: 8, column: 13 });
  });

  test('a dependencies entry that is not a pair is pointed at', async () => {
    const short = await failure(parseJobFile('name: s\ncode: x\ninput: { items: [1, 2, 3] }\ndependencies:\n  - [0, 1]\n  - [2]\n', 'job.yaml', noFiles));
    expect(short.message).toMatch(/^invalid job spec in job\.yaml: dependencies\.1 at line 6, column 5: Too small: expected array to have >=2 items$/);
    const long = await failure(parseJobFile('name: s\ncode: x\ninput: { items: [1, 2, 3] }\ndependencies: [[0, 1], [1, 2, 0]]\n', 'job.yaml', noFiles));
    expect(long).toMatchObject({ line: 4, column: 24 });
  });

  test('range, runMode, requires and chunking mistakes name their field and place', async () => {
    const range = await failure(parseJobFile('name: s\ncode: x\ninput:\n  range: { start: 10, end: 5 }\n', 'job.yaml', noFiles));
    expect(range.message).toBe('invalid job spec in job.yaml: input.range.end at line 4, column 28: end must be greater than start');
    const modes = await failure(parseJobFile('name: s\ncode: x\ninput: { items: [1] }\nrunMode: fast\nrequires: { minCores: 0 }\n', 'job.yaml', noFiles));
    expect(modes.message).toContain('runMode at line 4, column 10: Invalid option');
    expect(modes.message).toContain('requires.minCores at line 5, column 23: Too small');
    const both = await failure(parseJobFile('name: s\ncode: x\ninput: { items: [1], chunkSize: 1, chunks: 2 }\n', 'job.yaml', noFiles));
    expect(both.message).toBe('invalid job spec in job.yaml: input.chunks at line 3, column 44: give chunkSize or chunks, not both');
  });

  test('all the scheduling fields together are accepted', async () => {
    const yaml = [
      'name: all',
      'code: "export default (x) => x"',
      'input: { items: [1, 2, 3], chunks: 3 }',
      'dependencies: [[0, 2], [1, 2]]',
      'reduce: "export default (outputs) => outputs.length"',
      'dependsOn: [job_abc]',
      'retry: { maxAttempts: 5, maxLapses: 2, backoff: { initialMs: 100, factor: 1.5, maxMs: 5000 }, timeoutMs: 30000 }',
      'runMode: paused',
      'requires: { webgpu: true, runtime: browser, minCores: 4, minMemoryGb: 8 }',
      'idempotencyKey: nightly-2030-01-01',
    ].join('\n');
    expect(await parseJobFile(yaml, 'job.yaml', noFiles)).toMatchObject({
      input: { partitioner: 'items', chunks: 3 },
      dependencies: [[0, 2], [1, 2]],
      retry: { backoff: { factor: 1.5 }, timeoutMs: 30_000 },
      runMode: 'paused',
      requires: { webgpu: true, runtime: 'browser', minCores: 4, minMemoryGb: 8 },
      idempotencyKey: 'nightly-2030-01-01',
    });
  });

  test('a document that is not a mapping is refused', async () => {
    const error = await failure(parseJobFile('- 1\n- 2\n', 'job.yaml', noFiles));
    expect(error.message).toBe('job.yaml must hold a mapping with name, code and input');
  });

  test('codeFile is read relative to the YAML file and inlined', async () => {
    const read = filesOf({ 'jobs/lib/square.js': 'export default (x) => x * x\n' });
    const spec = await parseJobFile('name: s\ncodeFile: lib/square.js\ninput: { items: [2] }\n', 'jobs/s.yaml', read);
    expect(spec.code).toBe('export default (x) => x * x\n');
    expect(spec).not.toHaveProperty('codeFile');
  });

  test('code: { file } is read the same way', async () => {
    const read = filesOf({ 'jobs/square.js': 'export default (x) => x * x\n' });
    const spec = await parseJobFile('name: s\ncode: { file: square.js }\ninput: { items: [2] }\n', 'jobs/s.yaml', read);
    expect(spec.code).toBe('export default (x) => x * x\n');
  });

  test('a code blob reference is left alone', async () => {
    const blob = 'a'.repeat(64);
    const spec = await parseJobFile(`name: s\ncode: { blob: ${blob} }\ninput: { items: [2] }\n`, 's.yaml', noFiles);
    expect(spec.code).toEqual({ blob });
  });

  test('a missing code file is named with the line that refers to it', async () => {
    const error = await failure(parseJobFile('name: s\ncodeFile: nope.js\ninput: { items: [2] }\n', 'jobs/s.yaml', noFiles));
    expect(error.message).toBe('jobs/s.yaml at line 2, column 11: cannot read code file jobs/nope.js: no such file');
  });

  test('code and codeFile together are refused', async () => {
    const error = await failure(parseJobFile('name: s\ncode: x\ncodeFile: a.js\ninput: { items: [2] }\n', 's.yaml', noFiles));
    expect(error.message).toMatch(/give either code or codeFile, not both/);
  });
});

describe('loadJobFile', () => {
  test('a file that does not exist is a JobFileError', async () => {
    const error = await failure(loadJobFile('missing.yaml', noFiles));
    expect(error.message).toBe('cannot read missing.yaml: no such file');
  });

  test('examples/squares.yaml loads, and its module squares each item', async () => {
    const file = fileURLToPath(new URL('../../examples/squares.yaml', import.meta.url));
    const spec = await loadJobFile(file);
    expect(spec.input).toMatchObject({ items: Array.from({ length: 100 }, (_, index) => index + 1), chunkSize: 10 });
    if (typeof spec.code !== 'string') throw new Error('expected inline code');
    const url = `data:text/javascript;base64,${Buffer.from(spec.code).toString('base64')}`;
    const module = (await import(url)) as { default: (x: number) => number };
    expect(module.default(12)).toBe(144);
  });

  test('examples/range.yaml counts the 17984 primes below 200000 in 20 tasks and a reduce', async () => {
    const spec = await loadJobFile(exampleFile('range.yaml'));
    expect(spec.input).toMatchObject({ partitioner: 'range', chunks: 20 });
    const shares = await partition(spec.input, { blob: () => Promise.resolve(undefined), limits: DEFAULT_SPEC_LIMITS });
    expect(shares).toHaveLength(20);
    const count = await importDefault(spec.code);
    const ctx = { log: () => undefined };
    const counts = await Promise.all(shares.map((share) => count(share.input, ctx)));
    expect(await (await importDefault(spec.reduce))(counts, ctx)).toBe(17_984);
  });

  test('examples/pipeline.yaml is a valid DAG whose stages and reduce give the documented result', async () => {
    const spec = await loadJobFile(exampleFile('pipeline.yaml'));
    const shares = await partition(spec.input, { blob: () => Promise.resolve(undefined), limits: DEFAULT_SPEC_LIMITS });
    const graph = buildJobGraph(shares, spec.dependencies ?? [], true);
    expect(graph.taskPredecessors[3]).toEqual([1, 2]);
    const stage = await importDefault(spec.code);
    const outputs: unknown[] = [];
    // Item order is a valid order here: every dependency points forward.
    for (const [index, share] of shares.entries()) {
      const predecessors = (graph.unitPredecessors.get(index) ?? []).map((from) => ({ index: from, output: outputs[from] }));
      outputs[index] = await stage((share.input as unknown[])[0], { predecessors });
    }
    expect(await (await importDefault(spec.reduce))(outputs, {})).toEqual({ seed: 12, sum: 1872, digits: 4 });
  });
});

function exampleFile(name: string): string {
  return fileURLToPath(new URL(`../../examples/${name}`, import.meta.url));
}

async function importDefault(code: unknown): Promise<(input: unknown, ctx: unknown) => unknown> {
  if (typeof code !== 'string') throw new Error('expected inline code');
  const url = `data:text/javascript;base64,${Buffer.from(code).toString('base64')}`;
  return ((await import(url)) as { default: (input: unknown, ctx: unknown) => unknown }).default;
}
