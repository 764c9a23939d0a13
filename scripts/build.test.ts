import { existsSync } from 'node:fs';
import { chmod, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { build, inputsHash, stampFile, type BuildStep } from './build.js';

// A project in a temporary folder with two steps whose tool is a real script in node_modules/.bin:
// it appends the step's name to runs.log (to count runs) and writes the step's output.
let root: string;

const pages: BuildStep = { name: 'pages', inputs: ['web'], outputs: ['dist/web/index.html'], command: ['fake-tool', 'pages', 'dist/web/index.html'] };
const code: BuildStep = { name: 'code', inputs: ['src'], outputs: ['dist/main.js'], command: ['fake-tool', 'code', 'dist/main.js'] };

const changed = { ifChanged: true, log: () => undefined };
const always = { ifChanged: false, log: () => undefined };

async function put(path: string, text: string): Promise<void> {
  await mkdir(dirname(join(root, path)), { recursive: true });
  await writeFile(join(root, path), text);
}

async function runs(): Promise<string[]> {
  const log = await readFile(join(root, 'runs.log'), 'utf8').catch(() => '');
  return log.split('\n').filter(Boolean);
}

beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), 'tabgrid-build-'));
  await put('node_modules/.bin/fake-tool', '#!/bin/sh\necho "$1" >> runs.log\n[ -f fail ] && exit 3\nmkdir -p "$(dirname "$2")" && echo built > "$2"\n');
  await chmod(join(root, 'node_modules/.bin/fake-tool'), 0o755);
  await put('package-lock.json', '{}');
  await put('web/index.html', '<p>hi</p>');
  await put('src/main.ts', 'export {}');
  await put('src/main.test.ts', 'test');
});

afterEach(async () => {
  await rm(root, { recursive: true, force: true });
});

describe('build', () => {
  test('a fresh tree builds every step; a second run with nothing changed runs none', async () => {
    await build(root, [pages, code], changed);
    expect(await runs()).toEqual(['pages', 'code']);
    await build(root, [pages, code], changed);
    expect(await runs()).toEqual(['pages', 'code']);
  });

  test('an edited, added or deleted input rebuilds its step only; a unit test is not an input', async () => {
    await build(root, [pages, code], changed);
    await put('src/main.test.ts', 'test changed');
    await build(root, [pages, code], changed);
    expect(await runs()).toEqual(['pages', 'code']);

    await put('src/main.ts', 'export const a = 1');
    await build(root, [pages, code], changed);
    await put('web/extra.css', 'p {}');
    await build(root, [pages, code], changed);
    await rm(join(root, 'web/extra.css'));
    await build(root, [pages, code], changed);
    expect(await runs()).toEqual(['pages', 'code', 'code', 'pages', 'pages']);
  });

  test('a changed lock file rebuilds everything; a missing output rebuilds its step', async () => {
    await build(root, [pages, code], changed);
    await put('package-lock.json', '{"packages": {}}');
    await build(root, [pages, code], changed);
    await rm(join(root, 'dist/main.js'));
    await build(root, [pages, code], changed);
    expect(await runs()).toEqual(['pages', 'code', 'pages', 'code', 'code']);
  });

  test('without ifChanged every step runs, and stamps what it built', async () => {
    await build(root, [pages, code], always);
    await build(root, [pages, code], always);
    await build(root, [pages, code], changed);
    expect(await runs()).toEqual(['pages', 'code', 'pages', 'code']);
    expect((await readFile(stampFile(root, code), 'utf8')).trim()).toBe(await inputsHash(root, code.inputs));
  });

  test('a failed step fails the build and leaves no stamp, so the next start tries it again', async () => {
    await build(root, [pages, code], changed);
    await put('src/main.ts', 'export const broken =');
    await put('fail', '');
    await expect(build(root, [code], changed)).rejects.toThrow(/fake-tool code dist\/main\.js failed \(exit code 3\)/);
    expect(existsSync(stampFile(root, code))).toBe(false);
    await rm(join(root, 'fail'));
    await build(root, [pages, code], changed);
    expect(await runs()).toEqual(['pages', 'code', 'code', 'code']);
  });
});
