import { fileURLToPath } from 'node:url';
import { describe, expect, test } from 'vitest';
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
      input: { items: [1, 2, 3], chunkSize: 1 },
      retry: { maxAttempts: 3, maxLapses: 10 },
      priority: 0,
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
    expect(error.message).toMatch(/\(root\) at line 4, column 9: Unrecognized key: "colour"/);
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
    expect(spec.input.items).toEqual(Array.from({ length: 100 }, (_, index) => index + 1));
    expect(spec.input.chunkSize).toBe(10);
    if (typeof spec.code !== 'string') throw new Error('expected inline code');
    const url = `data:text/javascript;base64,${Buffer.from(spec.code).toString('base64')}`;
    const module = (await import(url)) as { default: (x: number) => number };
    expect(module.default(12)).toBe(144);
  });
});
