import { runInNewContext } from 'node:vm';
import { describe, expect, test } from 'vitest';
import {
  HTTPError,
  JobFailedError,
  JobRejectedError,
  NetworkError,
  SpecError,
  TabgridError,
  TimeoutError,
  isHTTPError,
  isJobFailedError,
  isJobRejectedError,
  isNetworkError,
  isSpecError,
  isTabgridError,
  isTimeoutError,
} from './errors.js';

describe('error tree', () => {
  test('every error is a TabgridError and an Error, with a constant name', () => {
    const errors = [
      new HTTPError({ status: 404, code: 'not_found', message: 'job x not found', details: undefined, response: new Response(), method: 'GET' }),
      new TimeoutError('too slow', 10),
      new NetworkError('down', 'http://x', new TypeError('fetch failed')),
      new JobFailedError({ jobId: 'j', state: 'FAILED', message: 'boom', taskIndex: 2 }),
      new SpecError('bad', []),
    ];
    expect(errors.map((error) => error.name)).toEqual(['HTTPError', 'TimeoutError', 'NetworkError', 'JobFailedError', 'SpecError']);
    for (const error of errors) {
      expect(error).toBeInstanceOf(TabgridError);
      expect(error).toBeInstanceOf(Error);
      expect(isTabgridError(error)).toBe(true);
    }
  });

  test('JobFailedError carries the task message as its message', () => {
    const error = new JobFailedError({ jobId: 'j1', state: 'FAILED', message: 'boom', taskIndex: 3 });
    expect(error.message).toBe('boom');
    expect(error).toMatchObject({ jobId: 'j1', state: 'FAILED', taskIndex: 3 });
  });

  test('JobRejectedError names the REJECTED job and the limit it ran into', () => {
    const job = {
      id: 'job_1',
      name: 'big',
      state: 'REJECTED',
      priority: 0,
      progress: { total: 0, done: 0, failed: 0, running: 0 },
      items: 0,
      createdAt: '',
      updatedAt: '',
      runMode: 'immediate',
      reduce: false,
      error: { message: 'spec of 20 bytes is over the limit of 10' },
    } as const;
    const error = new JobRejectedError({ job, status: 413 });
    expect(error).toBeInstanceOf(TabgridError);
    expect(error).toMatchObject({ name: 'JobRejectedError', jobId: 'job_1', status: 413, reason: 'spec of 20 bytes is over the limit of 10' });
    expect(error.message).toBe('job job_1 was rejected: spec of 20 bytes is over the limit of 10');
    expect(isJobRejectedError(error) && isTabgridError(error)).toBe(true);
    expect(isJobFailedError(error)).toBe(false);
    expect(isTabgridError(Object.assign(new Error('x'), { name: 'JobRejectedError' }))).toBe(true);
  });

  test('NetworkError keeps the fetch error as cause', () => {
    const cause = new TypeError('fetch failed');
    expect(new NetworkError('down', 'http://x', cause).cause).toBe(cause);
  });

  test('guards compare names, so they recognise errors from another realm', () => {
    const foreign: unknown = runInNewContext(`
      class HTTPError extends Error { name = 'HTTPError'; status = 500 }
      new HTTPError('from elsewhere')
    `);
    expect(foreign instanceof HTTPError).toBe(false);
    expect(isHTTPError(foreign)).toBe(true);
    expect(isTabgridError(foreign)).toBe(false);
  });

  test('guards tell the errors apart and reject non-errors', () => {
    const timeout = new TimeoutError('slow', 1);
    expect(isTimeoutError(timeout)).toBe(true);
    expect(isHTTPError(timeout)).toBe(false);
    expect(isNetworkError(timeout)).toBe(false);
    expect(isJobFailedError(timeout)).toBe(false);
    expect(isSpecError(timeout)).toBe(false);
    for (const value of [undefined, null, 'HTTPError', 42, new Error('plain')]) {
      expect(isHTTPError(value)).toBe(false);
      expect(isTabgridError(value)).toBe(false);
    }
  });
});
