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

  test('an unknown key is shown at the key, with its whole path', () => {
    const text = 'name: a\ncode: x\ninput:\n  items: [1]\n  chunksize: 2\ninptu: 3\n';
    const { problems } = checkSpecText(text);
    expect(problems).toEqual(
      expect.arrayContaining([
        { path: 'input.chunksize', message: 'Unrecognized key: "chunksize"', position: { line: 5, column: 3 } },
        { path: 'inptu', message: 'Unrecognized key: "inptu"', position: { line: 6, column: 1 } },
      ]),
    );
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
