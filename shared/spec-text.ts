import { closest, distance } from 'fastest-levenshtein';
import { isMap, isPair, isScalar, LineCounter, parseDocument, type Document } from 'yaml';
import { z } from 'zod';
import { JobSpec } from './spec.js';

/** A place in a job spec's text, 1-based. */
export interface TextPosition {
  line: number;
  column: number;
}

/** One mistake in a job spec's text: what is wrong, at which field (`input.chunkSize`), and where. */
export interface SpecProblem {
  path: string;
  message: string;
  position?: TextPosition;
}

/** Where the node at a path starts in the text (or its nearest ancestor that is there). */
export type LocateNode = (path: readonly PropertyKey[]) => TextPosition | undefined;

/**
 * A job spec's text (YAML; JSON is YAML too), parsed, with the place of every node: what the CLI
 * reads from a file and the admin panel from what was pasted. `problem` is set when the text is
 * not YAML, or not a mapping.
 */
export interface SpecText {
  value: unknown;
  problem?: SpecProblem;
  locate: LocateNode;
}

/**
 * Parses a job spec's text, keeping each node's place for the problems found later.
 * @example readSpecText('name: a\ninptu: 1\n').value // { name: 'a', inptu: 1 }
 */
export function readSpecText(text: string): SpecText {
  const lines = new LineCounter();
  const document = parseDocument(text, { lineCounter: lines, prettyErrors: false });
  const locate: LocateNode = (path) => nodePosition(document, lines, path);
  const syntaxError = document.errors[0];
  if (syntaxError) {
    return { value: undefined, locate, problem: { path: '(root)', message: syntaxError.message, position: positionAt(lines, syntaxError.pos[0]) } };
  }
  const value: unknown = document.toJS();
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return { value, locate, problem: { path: '(root)', message: 'a job spec is a mapping with name, code and input', position: positionAt(lines, 0) } };
  }
  return { value, locate };
}

/**
 * Checks a value read from a spec's text against the job spec schema: the spec with its defaults,
 * or every mistake at its line and column (an unknown key at the key, with the known key it most
 * likely meant; anything else at its value).
 * @example checkSpecValue({ name: 'a', code: 'x', input: { items: [1], chunkSize: 0 } }, () => undefined).problems?.[0]?.path // 'input.chunkSize'
 */
export function checkSpecValue(value: unknown, locate: LocateNode): { spec: JobSpec; problems?: undefined } | { spec?: undefined; problems: SpecProblem[] } {
  // Zod hands the object schema that found an unknown key only to an error map: note its keys
  // there, by the object's path, to suggest one of them.
  const knownKeys = new Map<string, readonly string[]>();
  const parsed = JobSpec.safeParse(value, {
    error: (issue) => {
      if (issue.code === 'unrecognized_keys' && issue.inst instanceof z.ZodObject) {
        knownKeys.set(pathName(issue.path ?? []), Object.keys(issue.inst.shape));
      }
      return undefined;
    },
  });
  if (parsed.success) return { spec: parsed.data };
  return { problems: parsed.error.issues.flatMap((issue) => problemsOf(issue, locate, knownKeys)) };
}

/** `readSpecText` then `checkSpecValue`: what the admin panel's Submit shows. */
export function checkSpecText(text: string): { spec: JobSpec; problems?: undefined } | { spec?: undefined; problems: SpecProblem[] } {
  const read = readSpecText(text);
  if (read.problem) return { problems: [read.problem] };
  return checkSpecValue(read.value, read.locate);
}

/** ` at line 3, column 5`, or nothing when the position is unknown. */
export function describePosition(position: TextPosition | undefined): string {
  return position ? ` at line ${position.line}, column ${position.column}` : '';
}

/**
 * The known key that an unknown one most likely meant: the nearest in edit distance, case aside,
 * when it is near enough to be a typo (`inptu`, `chunksize`, `maxAttemps`); a key nothing like
 * any known one gets no suggestion, rather than a wild guess.
 */
function suggestKey(key: string, known: readonly string[]): string | undefined {
  const typed = key.toLowerCase();
  const lowered = known.map((name) => name.toLowerCase());
  if (lowered.length === 0) return undefined;
  const nearest = closest(typed, lowered);
  const edits = distance(typed, nearest);
  const nearEnough = edits < typed.length && edits <= Math.max(2, Math.floor(typed.length / 3));
  return nearEnough ? known[lowered.indexOf(nearest)] : undefined;
}

function problemsOf(issue: z.core.$ZodIssue, locate: LocateNode, knownKeys: ReadonlyMap<string, readonly string[]>): SpecProblem[] {
  if (issue.code !== 'unrecognized_keys') return [problemAt(issue.path, issue.message, locate(issue.path))];
  const known = knownKeys.get(pathName(issue.path)) ?? [];
  return issue.keys.map((key) => {
    const suggestion = suggestKey(key, known);
    const message = suggestion === undefined ? `unknown key "${key}"` : `unknown key "${key}" — did you mean "${suggestion}"?`;
    const path = [...issue.path, key];
    return problemAt(path, message, locate([...path, KEY]));
  });
}

function problemAt(path: readonly PropertyKey[], message: string, position: TextPosition | undefined): SpecProblem {
  const problem: SpecProblem = { path: pathName(path) || '(root)', message };
  if (position) problem.position = position;
  return problem;
}

function pathName(path: readonly PropertyKey[]): string {
  return path.map(String).join('.');
}

/** Ends a path that names a mapping's key rather than its value. */
const KEY = Symbol('key');

function nodePosition(document: Document, lines: LineCounter, path: readonly PropertyKey[]): TextPosition | undefined {
  if (path.at(-1) === KEY) {
    const keyRange = keyNodeRange(document, path.slice(0, -2), path.at(-2));
    if (keyRange) return positionAt(lines, keyRange);
    path = path.slice(0, -1);
  }
  for (let length = path.length; length >= 0; length -= 1) {
    const node: unknown = length === 0 ? document.contents : document.getIn(path.slice(0, length), true);
    const start = rangeStart(node);
    if (start !== undefined) return positionAt(lines, start);
  }
  return undefined;
}

/** Where the key `key` of the mapping at `parent` starts. */
function keyNodeRange(document: Document, parent: readonly PropertyKey[], key: PropertyKey | undefined): number | undefined {
  const map: unknown = parent.length === 0 ? document.contents : document.getIn(parent, true);
  if (!isMap(map)) return undefined;
  for (const pair of map.items) {
    if (isPair(pair) && isScalar(pair.key) && pair.key.value === key) return rangeStart(pair.key);
  }
  return undefined;
}

function rangeStart(node: unknown): number | undefined {
  if (typeof node !== 'object' || node === null) return undefined;
  const range = (node as { range?: unknown }).range;
  return Array.isArray(range) && typeof range[0] === 'number' ? range[0] : undefined;
}

function positionAt(lines: LineCounter, offset: number): TextPosition {
  const { line, col } = lines.linePos(offset);
  return { line, column: col };
}
