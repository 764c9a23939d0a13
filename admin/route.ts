import { useEffect, useState } from 'preact/hooks';
import { JOB_STATES, type JobState } from '../shared/index.js';

/** The panel's views, each at its own address (a hash route, so a link can be shared). */
export type Route =
  | { view: 'overview' }
  | { view: 'jobs'; state?: JobState; name?: string }
  | { view: 'job'; id: string }
  | { view: 'workers' }
  | { view: 'submit' };

/**
 * The route a hash names; the overview for anything else.
 * @example parseRoute('#/jobs/job_1') // { view: 'job', id: 'job_1' }
 */
export function parseRoute(hash: string): Route {
  const [path = '', query = ''] = hash.replace(/^#/, '').split('?');
  const parts = path.split('/').filter((part) => part !== '');
  if (parts[0] === 'jobs' && parts[1] !== undefined) return { view: 'job', id: decodeURIComponent(parts[1]) };
  if (parts[0] === 'jobs') {
    const params = new URLSearchParams(query);
    const state = params.get('state');
    const name = params.get('name');
    return {
      view: 'jobs',
      ...(state !== null && (JOB_STATES as readonly string[]).includes(state) ? { state: state as JobState } : {}),
      ...(name ? { name } : {}),
    };
  }
  if (parts[0] === 'workers') return { view: 'workers' };
  if (parts[0] === 'submit') return { view: 'submit' };
  return { view: 'overview' };
}

/**
 * The hash of a route.
 * @example hrefOf({ view: 'jobs', state: 'FAILED' }) // '#/jobs?state=FAILED'
 */
export function hrefOf(route: Route): string {
  switch (route.view) {
    case 'overview':
      return '#/';
    case 'job':
      return `#/jobs/${encodeURIComponent(route.id)}`;
    case 'jobs': {
      const params = new URLSearchParams();
      if (route.state) params.set('state', route.state);
      if (route.name) params.set('name', route.name);
      const query = params.toString();
      return query ? `#/jobs?${query}` : '#/jobs';
    }
    default:
      return `#/${route.view}`;
  }
}

/** Goes to a route (a new history entry). */
export function go(route: Route): void {
  location.hash = hrefOf(route);
}

/** The route the address names now, following it as it changes. */
export function useRoute(): Route {
  const [route, setRoute] = useState(() => parseRoute(location.hash));
  useEffect(() => {
    const follow = (): void => setRoute(parseRoute(location.hash));
    addEventListener('hashchange', follow);
    return () => removeEventListener('hashchange', follow);
  }, []);
  return route;
}
