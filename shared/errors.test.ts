import { describe, expect, test } from 'vitest';
import { ErrorBody, ErrorCode, readErrorBody } from './errors.js';

describe('error codes', () => {
  test('ErrorBody takes only the codes of the closed list', () => {
    expect(ErrorBody.safeParse({ error: { code: 'not_found', message: 'job j not found' } }).success).toBe(true);
    expect(ErrorBody.safeParse({ error: { code: 'NOT_FOUND', message: 'job j not found' } }).success).toBe(false);
    expect(ErrorCode.options).toContain('bad_message');
  });

  test('readErrorBody types a known code and keeps an unknown one raw, without failing', () => {
    expect(readErrorBody({ error: { code: 'conflict', message: 'job j is PAUSED', details: [1] } })).toEqual({
      code: 'conflict',
      rawCode: 'conflict',
      message: 'job j is PAUSED',
      details: [1],
    });
    expect(readErrorBody({ error: { code: 'quota_exceeded', message: 'from a newer coordinator' } })).toEqual({
      code: undefined,
      rawCode: 'quota_exceeded',
      message: 'from a newer coordinator',
      details: undefined,
    });
  });

  test('readErrorBody answers undefined for what is no error body', () => {
    for (const json of [undefined, '<html>bad gateway</html>', { error: 'nope' }, { error: { code: 'x' } }]) {
      expect(readErrorBody(json)).toBeUndefined();
    }
  });
});
