/**
 * The join page: a volunteer opens `/join?token=<join token>` and this tab becomes a worker until
 * it is closed. With `&debug=1` it takes `debug` jobs (stopping at a breakpoint before each task
 * while DevTools are open) and prints every event in the console.
 */
import { BrowserExecutor } from '../browser-executor.js';
import { WorkerClient } from '../client.js';
import { createCodeFetcher } from '../code-fetcher.js';
import { workerSocketUrl } from '../endpoints.js';
import { browserCapabilities, describeAdapter, detectAdapter } from './capabilities.js';
import { EventLog } from './event-log.js';
import type { VolunteerStatus } from './status.js';
import { volunteerStatus } from './status.js';
import { JoinView } from './view.js';

declare global {
  interface Window {
    /** Where the volunteer stands, kept current for tests (see `VolunteerStatus`). */
    tabgrid?: VolunteerStatus;
  }
}

/** Tasks one tab runs at once. */
const CONCURRENCY = 1;
const REFRESH_MS = 500;

async function join(token: string, view: JoinView, debug: boolean): Promise<void> {
  const adapter = await detectAdapter();
  view.showAdapter(describeAdapter(adapter));
  const client = new WorkerClient({
    url: workerSocketUrl(location.origin, token),
    connect: (url) => new WebSocket(url),
    executor: new BrowserExecutor({ blobs: { origin: location.origin, token } }),
    fetchCode: createCodeFetcher({ origin: location.origin, token }),
    capabilities: browserCapabilities(adapter, debug),
    concurrency: CONCURRENCY,
  });
  const refresh = (): void => {
    const snapshot = client.snapshot();
    window.tabgrid = volunteerStatus(snapshot);
    view.render(snapshot, Date.now());
  };
  const eventLog = new EventLog();
  client.subscribe((event) => {
    if (debug) console.debug('[tabgrid]', event);
    const line = eventLog.describe(event);
    if (line) {
      view.addLog(line, new Date());
      if (line.level === 'error' || line.level === 'warn') console.warn(`[tabgrid] ${line.text}`);
    }
    refresh();
  });
  view.onPauseClick(() => (client.snapshot().paused ? client.resume() : client.pause()));
  // The reconnect countdown changes without events.
  setInterval(refresh, REFRESH_MS);
  client.start();
  refresh();
}

const params = new URLSearchParams(location.search);
const token = params.get('token');
const debug = params.get('debug') === '1';
const view = new JoinView(document, debug ? 50 : 8);
if (token) {
  window.tabgrid = { state: 'connecting', tasksDone: 0, workerId: undefined, paused: false };
  join(token, view, debug).catch((error: unknown) => {
    console.error('[tabgrid] could not start', error);
    window.tabgrid = { state: 'stopped', tasksDone: 0, workerId: undefined, paused: false };
    view.showProblem(`Could not start: ${String(error)}`, 'stopped');
  });
} else {
  window.tabgrid = { state: 'no-token', tasksDone: 0, workerId: undefined, paused: false };
  view.showProblem('This link has no join token. Ask whoever runs the grid for a join link: /join?token=…', 'no-token');
}
