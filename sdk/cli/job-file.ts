import { readFile } from 'node:fs/promises';
import { dirname, isAbsolute, join } from 'node:path';
import { checkSpecValue, describePosition, readSpecText, type JobSpec, type LocateNode, type TextPosition } from '../../shared/index.js';
import { TabgridError } from '../errors.js';

/**
 * A job file that cannot be used: unreadable, not YAML, or not a valid spec.
 * `line` and `column` (1-based) point at the first problem when known.
 */
export class JobFileError extends TabgridError {
  override name = 'JobFileError' as const;
  readonly file: string;
  readonly line: number | undefined;
  readonly column: number | undefined;

  constructor(message: string, file: string, position?: Position) {
    super(message);
    this.file = file;
    this.line = position?.line;
    this.column = position?.column;
  }
}

type Position = TextPosition;

/** Reads text files the job file refers to; a parameter so tests need no disk. */
export type ReadText = (path: string) => Promise<string>;

const readUtf8: ReadText = (path) => readFile(path, 'utf8');

/**
 * Reads a YAML job file and validates it. The task code may be inline (`code: |`), a blob
 * (`code: { blob: <sha256> }`), or a module file next to the YAML, inlined here:
 * `code: { file: squares.mjs }` or `codeFile: squares.mjs`.
 * @example const spec = await loadJobFile('examples/squares.yaml');
 */
export async function loadJobFile(file: string, readText: ReadText = readUtf8): Promise<JobSpec> {
  let text: string;
  try {
    text = await readText(file);
  } catch (error) {
    throw new JobFileError(`cannot read ${file}: ${reasonOf(error)}`, file);
  }
  return parseJobFile(text, file, readText);
}

/** Like `loadJobFile`, from YAML text already read; `file` names it in errors and anchors relative paths. */
export async function parseJobFile(text: string, file: string, readText: ReadText = readUtf8): Promise<JobSpec> {
  const read = readSpecText(text);
  if (read.problem) {
    const { position, message } = read.problem;
    const what = read.value === undefined ? `invalid YAML in ${file}${describePosition(position)}: ${message}` : `${file} must hold a mapping with name, code and input`;
    throw new JobFileError(what, file, position);
  }
  const spec = await inlineCodeFile(read.value as Record<string, unknown>, file, readText, read.locate);
  const checked = checkSpecValue(spec, read.locate);
  if (checked.spec) return checked.spec;
  const described = checked.problems.map((problem) => `${problem.path}${describePosition(problem.position)}: ${problem.message}`);
  throw new JobFileError(`invalid job spec in ${file}: ${described.join('; ')}`, file, checked.problems[0]?.position);
}

async function inlineCodeFile(spec: Record<string, unknown>, file: string, readText: ReadText, locate: LocateNode): Promise<Record<string, unknown>> {
  const { codeFile, ...rest } = spec;
  const code = rest['code'];
  const fromCode = isRecord(code) && Object.keys(code).length === 1 && typeof code['file'] === 'string' ? code['file'] : undefined;
  if (codeFile === undefined && fromCode === undefined) return spec;
  const path = codeFile === undefined ? ['code', 'file'] : ['codeFile'];
  if (codeFile !== undefined && code !== undefined) {
    throw new JobFileError(`${file}: give either code or codeFile, not both`, file, locate(['codeFile']));
  }
  const relative = fromCode ?? codeFile;
  if (typeof relative !== 'string' || relative === '') {
    throw new JobFileError(`${file}: codeFile must be a path to a module file`, file, locate(path));
  }
  const modulePath = isAbsolute(relative) ? relative : join(dirname(file), relative);
  try {
    return { ...rest, code: await readText(modulePath) };
  } catch (error) {
    const position = locate(path);
    throw new JobFileError(`${file}${describePosition(position)}: cannot read code file ${modulePath}: ${reasonOf(error)}`, file, position);
  }
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function reasonOf(error: unknown): string {
  if (isRecord(error) && typeof error['code'] === 'string' && error['code'] === 'ENOENT') return 'no such file';
  return error instanceof Error ? error.message : String(error);
}
