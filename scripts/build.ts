/**
 * Builds what `tabgrid serve` runs and serves, in three steps: the WebAssembly kernels, the
 * browser pages (vite, into dist/web) and the Node code (tsc, into dist).
 *   tsx scripts/build.ts                 (`npm run build`: every step)
 *   tsx scripts/build.ts --if-changed    (`npm start`: only the steps whose inputs changed)
 * Each step that succeeds leaves a stamp, the hash of the inputs it was built from, in
 * dist/.build/; `--if-changed` skips a step whose inputs hash the same and whose outputs are
 * there, so a start with nothing changed takes a second rather than minutes, and a fresh clone
 * (no stamps) builds everything once.
 */
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join, relative, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

/** One step of the build: what it reads, what it writes, and the tool that does it. */
export interface BuildStep {
  name: string;
  /** Files and folders (walked whole, less unit tests) whose content the output depends on. */
  inputs: readonly string[];
  /** Files that must be there for the step to count as built. */
  outputs: readonly string[];
  /** A binary from node_modules/.bin and its arguments. */
  command: readonly [string, ...string[]];
}

/** What every step depends on besides its own inputs: the installed packages, the compiler settings, this file. */
const EVERY_STEP_READS = ['package-lock.json', 'tsconfig.json', 'scripts/build.ts'];

const WASM = 'web-worker/tensor/wasm';

/** In order: the pages embed the kernels, so the kernels come first. */
export const BUILD_STEPS: readonly BuildStep[] = [
  {
    name: 'wasm kernels',
    inputs: [`${WASM}/assembly`, 'scripts/build-wasm.ts'],
    outputs: ['kernels', 'kernels-relaxed', 'kernels-threaded', 'kernels-threaded-relaxed'].map((name) => `${WASM}/${name}.wasm`),
    command: ['tsx', 'scripts/build-wasm.ts'],
  },
  {
    name: 'browser pages',
    inputs: ['admin', 'web-worker', 'worker', 'shared', 'vite.config.ts'],
    outputs: ['dist/web/web-worker/join.html', 'dist/web/admin/index.html'],
    command: ['vite', 'build', '--logLevel', 'warn'],
  },
  {
    name: 'Node code',
    inputs: ['shared', 'coordinator', 'worker', 'node-worker', 'sdk', 'tsconfig.build.json'],
    outputs: ['dist/sdk/cli/main.js', 'dist/sdk/index.js', 'dist/coordinator/index.js'],
    command: ['tsc', '-p', 'tsconfig.build.json'],
  },
];

/**
 * The hash of a step's inputs: every file's path and content, so an edit, a new file and a
 * deleted one all change it (a checkout that only touches mtimes does not).
 * @example await inputsHash('/work/main', ['shared', 'package-lock.json'])
 */
export async function inputsHash(root: string, inputs: readonly string[]): Promise<string> {
  const hash = createHash('sha256');
  const files = (await Promise.all([...inputs, ...EVERY_STEP_READS].map((input) => filesUnder(resolve(root, input))))).flat();
  for (const file of [...new Set(files)].sort()) {
    hash.update(`${relative(root, file)}\0`);
    hash.update(await readFile(file));
    hash.update('\0');
  }
  return hash.digest('hex');
}

/** Where a step's stamp lives: inside dist/, so deleting dist/ rebuilds everything. */
export function stampFile(root: string, step: BuildStep): string {
  return join(root, 'dist', '.build', `${step.name.replaceAll(' ', '-')}.sha256`);
}

/** Whether the step's outputs are there and were built from inputs that hash to `hash`. */
export async function isBuilt(root: string, step: BuildStep, hash: string): Promise<boolean> {
  if (!step.outputs.every((output) => existsSync(join(root, output)))) return false;
  const stamp = await readFile(stampFile(root, step), 'utf8').catch(() => '');
  return stamp.trim() === hash;
}

/** Options for {@link build}. */
export interface BuildOptions {
  /** Skip the steps that are built from the inputs they have now. @default false */
  ifChanged?: boolean;
  /** Where the one line per step goes. @default console.log */
  log?: (line: string) => void;
}

/**
 * Runs the steps in order (only the changed ones with `ifChanged`), stamping each that succeeds.
 * The hash is taken before the step runs: a file edited during the build leaves an old hash, and
 * the next start builds again rather than trusting an output that may predate the edit.
 */
export async function build(root: string, steps: readonly BuildStep[], options: BuildOptions = {}): Promise<void> {
  const log = options.log ?? console.log;
  for (const step of steps) {
    const hash = await inputsHash(root, step.inputs);
    if (options.ifChanged === true && (await isBuilt(root, step, hash))) {
      log(`build: ${step.name} up to date`);
      continue;
    }
    log(`build: ${step.name}…`);
    // A failed step must not leave its last good stamp vouching for half-written outputs.
    await rm(stampFile(root, step), { force: true });
    await runTool(root, step.command);
    await mkdir(join(root, 'dist', '.build'), { recursive: true });
    await writeFile(stampFile(root, step), `${hash}\n`);
  }
}

async function filesUnder(path: string): Promise<string[]> {
  const entries = await readdir(path, { withFileTypes: true }).catch((error: unknown) => {
    if ((error as NodeJS.ErrnoException).code === 'ENOTDIR') return undefined;
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  });
  if (entries === undefined) return [path];
  const nested = await Promise.all(
    entries
      .filter((entry) => entry.name !== 'node_modules' && !/\.test\.tsx?$/.test(entry.name))
      .map(async (entry) => (entry.isDirectory() ? filesUnder(join(path, entry.name)) : [join(path, entry.name)])),
  );
  return nested.flat();
}

function runTool(root: string, [bin, ...args]: readonly [string, ...string[]]): Promise<void> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(join(root, 'node_modules', '.bin', bin), args, { cwd: root, stdio: 'inherit' });
    child.once('error', reject);
    child.once('exit', (code, signal) => {
      if (code === 0) resolvePromise();
      else reject(new Error(`${bin} ${args.join(' ')} failed (${signal ?? `exit code ${code}`})`));
    });
  });
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  try {
    await build(resolve(import.meta.dirname, '..'), BUILD_STEPS, { ifChanged: process.argv.includes('--if-changed') });
  } catch (error) {
    console.error(`build: ${(error as Error).message}`);
    process.exitCode = 1;
  }
}
