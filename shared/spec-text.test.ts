import { describe, expect, test } from 'vitest';
import { checkSpecText, readSpecText } from './spec-text.js';

describe('checkSpecText', () => {
  test('a valid spec comes back with its defaults', () => {
    const checked = checkSpecText('name: a\ncode: "export default (x) => x"\ninput:\n  items: [1, 2]\n');
    expect(checked.spec).toMatchObject({ name: 'a', priority: 0, input: { partitioner: 'items', items: [1, 2] } });
  });

  test('JSON is read as well', () => {
    expect(checkSpecText('{"name": "a", "code": "x", "input": {"items": [1]}}').spec?.name).toBe('a');
  });

  test('an unknown key is shown at the key, with its whole path and the key it most likely meant', () => {
    const text = 'name: a\ncode: x\ninput:\n  items: [1]\n  chunksize: 2\ninptu: 3\nretry:\n  maxAttemps: 2\n';
    const { problems } = checkSpecText(text);
    expect(problems).toEqual(
      expect.arrayContaining([
        { path: 'input.chunksize', message: 'unknown key "chunksize" — did you mean "chunkSize"?', position: { line: 5, column: 3 } },
        { path: 'inptu', message: 'unknown key "inptu" — did you mean "input"?', position: { line: 6, column: 1 } },
        { path: 'retry.maxAttemps', message: 'unknown key "maxAttemps" — did you mean "maxAttempts"?', position: { line: 8, column: 3 } },
      ]),
    );
  });

  test('the suggestion comes from the keys of the object the typo is in', () => {
    const { problems } = checkSpecText('name: a\ncode: x\ninput:\n  range: { start: 0, end: 9, setp: 2 }\n');
    expect(problems).toEqual([{ path: 'input.range.setp', message: 'unknown key "setp" — did you mean "step"?', position: { line: 4, column: 30 } }]);
  });

  test('an unknown key like no known one gets no suggestion; several in one object are each shown', () => {
    const { problems } = checkSpecText('name: a\ncode: x\ninput: { items: [1] }\nretry:\n  colour: red\n  maxLapse: 2\n');
    expect(problems).toEqual([
      { path: 'retry.colour', message: 'unknown key "colour"', position: { line: 5, column: 3 } },
      { path: 'retry.maxLapse', message: 'unknown key "maxLapse" — did you mean "maxLapses"?', position: { line: 6, column: 3 } },
    ]);
  });

  test('a bad value is shown at the value; a missing field at its parent', () => {
    const { problems } = checkSpecText('code: x\ninput:\n  items: [1]\n  chunkSize: 0\n');
    expect(problems).toContainEqual(expect.objectContaining({ path: 'input.chunkSize', position: { line: 4, column: 14 } }));
    expect(problems).toContainEqual(expect.objectContaining({ path: 'name', position: { line: 1, column: 1 } }));
  });

  test('text that is not YAML, or not a mapping, is one problem at its place', () => {
    expect(checkSpecText('name: a\ninput:\n  items: [1, 2\ncode: x\n').problems).toEqual([
      expect.objectContaining({ path: '(root)', position: { line: 4, column: 1 } }),
    ]);
    expect(readSpecText('- 1\n- 2\n').problem?.message).toMatch(/a job spec is a mapping/);
  });
});
