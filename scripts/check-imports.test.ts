import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { afterEach, describe, expect, it } from 'vitest';

// The house's import rules (`npm run check:imports`) run on small planted trees, so the check
// itself is known to fail when a rule is broken.
const root = resolve(import.meta.dirname, '..');
const depcruise = join(root, 'node_modules/.bin/depcruise');
const run = promisify(execFile);
let tree: string | undefined;

afterEach(async () => {
  if (tree !== undefined) await rm(tree, { recursive: true, force: true });
  tree = undefined;
});

async function plant(files: Record<string, string>): Promise<string> {
  tree = await mkdtemp(join(tmpdir(), 'tabgrid-imports-'));
  await writeFile(join(tree, 'tsconfig.json'), JSON.stringify({ compilerOptions: { module: 'NodeNext', moduleResolution: 'NodeNext' } }));
  for (const [path, text] of Object.entries(files)) {
    await mkdir(dirname(join(tree, path)), { recursive: true });
    await writeFile(join(tree, path), text);
  }
  return tree;
}

/** The check's verdict on a tree: its exit code and what it printed. */
async function check(dir: string, rooms: string[]): Promise<{ code: number; output: string }> {
  const args = [...rooms, '--config', join(root, '.dependency-cruiser.cjs'), '--output-type', 'err'];
  try {
    const { stdout, stderr } = await run(depcruise, args, { cwd: dir });
    return { code: 0, output: stdout + stderr };
  } catch (error) {
    const failed = error as { code?: number; stdout?: string; stderr?: string };
    return { code: failed.code ?? -1, output: `${failed.stdout ?? ''}${failed.stderr ?? ''}` };
  }
}

describe('npm run check:imports', () => {
  it('passes a tree that keeps the rules', async () => {
    const dir = await plant({
      'shared/index.ts': "export { a } from './a.js';\n",
      'shared/a.ts': 'export const a = 1;\n',
      'worker/index.ts': "import { a } from '../shared/index.js';\nexport const b = a + 1;\n",
      'sdk/index.ts': "import { b } from '../worker/index.js';\nexport const c = b;\n",
    });
    const { code, output } = await check(dir, ['shared', 'worker', 'sdk']);
    expect(output).not.toMatch(/error/);
    expect(code).toBe(0);
  });

  it('fails on a planted import cycle, naming it', async () => {
    const dir = await plant({
      'shared/index.ts': "export { a } from './a.js';\n",
      'shared/a.ts': "import { b } from './b.js';\nexport const a = (): number => b();\n",
      'shared/b.ts': "import { a } from './a.js';\nexport const b = (): number => a.length;\n",
    });
    const { code, output } = await check(dir, ['shared']);
    expect(code).not.toBe(0);
    expect(output).toMatch(/no-circular: shared\/a\.ts/);
  });

  it('fails on an import past a face and on shared importing a room', async () => {
    const dir = await plant({
      'shared/index.ts': "import { deep } from '../worker/task/deep.js';\nexport const a = deep;\n",
      'worker/index.ts': "export { deep } from './task/deep.js';\n",
      'worker/task/deep.ts': 'export const deep = 1;\n',
      'sdk/index.ts': "import { deep } from '../worker/task/deep.js';\nexport const c = deep;\n",
    });
    const { code, output } = await check(dir, ['shared', 'worker', 'sdk']);
    expect(code).not.toBe(0);
    expect(output).toMatch(/only-through-faces: sdk\/index\.ts → worker\/task\/deep\.ts/);
    expect(output).toMatch(/shared-imports-no-room: shared\/index\.ts → worker\/task\/deep\.ts/);
  });
});
