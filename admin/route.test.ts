import { describe, expect, test } from 'vitest';
import { hrefOf, parseRoute, type Route } from './route.js';

describe('routes', () => {
  test('each view has its own address, and reading it back gives the same route', () => {
    const routes: Route[] = [
      { view: 'overview' },
      { view: 'jobs' },
      { view: 'jobs', state: 'FAILED', name: 'night run' },
      { view: 'job', id: 'job_a/b' },
      { view: 'workers' },
      { view: 'submit' },
    ];
    for (const route of routes) expect(parseRoute(hrefOf(route))).toEqual(route);
    expect(hrefOf({ view: 'job', id: 'job_1' })).toBe('#/jobs/job_1');
  });

  test('anything else is the overview; an unknown state is left out', () => {
    expect(parseRoute('')).toEqual({ view: 'overview' });
    expect(parseRoute('#/nowhere')).toEqual({ view: 'overview' });
    expect(parseRoute('#/jobs?state=DONE')).toEqual({ view: 'jobs' });
  });
});
