import { describe, expect, test } from 'vitest';
import { ErrorCode, ProblemDetails, problemDetails, problemType, readErrorBody } from './errors.js';

describe('error codes', () => {
  test('problem details take only the codes of the closed list', () => {
    const problem = { type: problemType('not_found'), title: 'Not found', status: 404, detail: 'job j not found' };
    expect(ProblemDetails.safeParse({ ...problem, code: 'not_found' }).success).toBe(true);
    expect(ProblemDetails.safeParse({ ...problem, code: 'NOT_FOUND' }).success).toBe(false);
    expect(ErrorCode.options).toContain('bad_message');
  });

  test('each code has its own type and one title, whatever the detail', () => {
    const first = problemDetails(409, 'conflict', 'job j is PAUSED', [1]);
    expect(first).toEqual({ type: '/api/docs#problem-conflict', title: first.title, status: 409, detail: 'job j is PAUSED', code: 'conflict', details: [1] });
    expect(problemDetails(409, 'conflict', 'job k is COMPLETED').title).toBe(first.title);
    expect(new Set(ErrorCode.options.map((code) => problemType(code))).size).toBe(ErrorCode.options.length);
    expect(ErrorCode.options.every((code) => problemDetails(500, code, 'x').title.length > 0)).toBe(true);
  });

  test('readErrorBody types a known code and keeps an unknown one raw, without failing', () => {
    expect(readErrorBody(problemDetails(409, 'conflict', 'job j is PAUSED', [1]))).toEqual({
      code: 'conflict',
      rawCode: 'conflict',
      message: 'job j is PAUSED',
      details: [1],
    });
    expect(readErrorBody({ type: '/api/docs#problem-quota_exceeded', title: 'Over quota', status: 403, detail: 'from a newer coordinator', code: 'quota_exceeded' })).toEqual({
      code: undefined,
      rawCode: 'quota_exceeded',
      message: 'from a newer coordinator',
      details: undefined,
    });
  });

  test('readErrorBody reads a problem from elsewhere (a proxy) by its title, without a code', () => {
    expect(readErrorBody({ type: 'about:blank', title: 'Bad Gateway', status: 502 })).toEqual({ code: undefined, rawCode: undefined, message: 'Bad Gateway', details: undefined });
  });

  test('readErrorBody answers undefined for what is no problem', () => {
    for (const json of [undefined, '<html>bad gateway</html>', { error: 'nope' }, { error: { code: 'x', message: 'the old shape' } }, { code: 'x' }]) {
      expect(readErrorBody(json)).toBeUndefined();
    }
  });
});
