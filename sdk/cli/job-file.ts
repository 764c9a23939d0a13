import { readFile } from 'node:fs/promises';
import { dirname, isAbsolute, join } from 'node:path';
import { LineCounter, parseDocument } from 'yaml';
import type { Document } from 'yaml';
import type { z } from 'zod';
import { JobSpec } from '../../shared/index.js';
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

interface Position {
  line: number;
  column: number;
}

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
  const lines = new LineCounter();
  const document = parseDocument(text, { lineCounter: lines, prettyErrors: false });
  const syntaxError = document.errors[0];
  if (syntaxError) {
    const position = positionAt(lines, syntaxError.pos[0]);
    throw new JobFileError(`invalid YAML in ${file}${describePosition(position)}: ${syntaxError.message}`, file, position);
  }
  const value: unknown = document.toJS();
  if (!isRecord(value)) {
    throw new JobFileError(`${file} must hold a mapping with name, code and input`, file, positionAt(lines, 0));
  }
  const spec = await inlineCodeFile(value, file, readText, (path) => nodePosition(document, lines, path));
  const parsed = JobSpec.safeParse(spec);
  if (parsed.success) return parsed.data;
  throw specError(parsed.error, file, (path) => nodePosition(document, lines, path));
}

type Locate = (path: readonly PropertyKey[]) => Position | undefined;

async function inlineCodeFile(spec: Record<string, unknown>, file: string, readText: ReadText, locate: Locate): Promise<Record<string, unknown>> {
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

function specError(error: z.ZodError, file: string, locate: Locate): JobFileError {
  const described = error.issues.map((issue) => {
    const path = issue.code === 'unrecognized_keys' && issue.keys[0] !== undefined ? [...issue.path, issue.keys[0]] : issue.path;
    const position = locate(path);
    const name = issue.path.map(String).join('.') || '(root)';
    return { position, text: `${name}${describePosition(position)}: ${issue.message}` };
  });
  return new JobFileError(`invalid job spec in ${file}: ${described.map((issue) => issue.text).join('; ')}`, file, described[0]?.position);
}

/** Where the YAML node at `path` starts, or its nearest ancestor that is in the file. */
function nodePosition(document: Document, lines: LineCounter, path: readonly PropertyKey[]): Position | undefined {
  for (let length = path.length; length >= 0; length -= 1) {
    const node: unknown = length === 0 ? document.contents : document.getIn(path.slice(0, length), true);
    const range = isRecord(node) ? node['range'] : undefined;
    if (Array.isArray(range) && typeof range[0] === 'number') return positionAt(lines, range[0]);
  }
  return undefined;
}

function positionAt(lines: LineCounter, offset: number): Position {
  const { line, col } = lines.linePos(offset);
  return { line, column: col };
}

/** ` at line 3, column 5`, or nothing when the position is unknown. */
function describePosition(position: Position | undefined): string {
  return position ? ` at line ${position.line}, column ${position.column}` : '';
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function reasonOf(error: unknown): string {
  if (isRecord(error) && typeof error['code'] === 'string' && error['code'] === 'ENOENT') return 'no such file';
  return error instanceof Error ? error.message : String(error);
}
