/**
 * The join page: a volunteer opens `/join?token=<join token>` and this tab becomes a worker until
 * it is closed. The token moves from the address bar into `sessionStorage` (see `join-token.ts`). Its progress lives in IndexedDB (see `store/`), so a reload resumes where it
 * was. With `&debug=1` it takes `debug` jobs (stopping at a breakpoint before each task while
 * DevTools are open) and prints every event in the console.
 */
import { createBlobReader, httpShardReader } from '../../worker/index.js';
import { BrowserExecutor } from '../browser-executor.js';
import { WorkerClient } from '../../worker/index.js';
import { codeFetcherOf } from '../../worker/index.js';
import { workerSocketUrl } from '../../worker/index.js';
import { openVolunteerStore, type ResilientStore } from '../store/index.js';
import type { SavedWorkerState } from '../../worker/index.js';
import { browserCapabilities, describeAdapter, detectAdapter } from './capabilities.js';
import { EventLog } from './event-log.js';
import { pageSessionStorage, takeJoinToken } from './join-token.js';
import { peerJsGangs } from './gangs.js';
import { loadSettings, pageLocalStorage, pauseReason, saveSettings, type VolunteerSettings } from './settings.js';
import { volunteerStatus, type VolunteerStatus } from './status.js';
import { describeTensorReport, measuringTaskWorkers, ReportedCapabilities, tensorPreference } from './tensor.js';
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

async function join(token: string, view: JoinView, debug: boolean, params: URLSearchParams): Promise<void> {
  const settings = loadSettings(pageLocalStorage());
  view.showSettings(settings);
  const [detected, { store, saved }] = await Promise.all([detectAdapter(), openVolunteerStore()]);
  view.showAdapter(describeAdapter(detected.adapter));
  view.showStorage(store.durable, store.problem?.message);
  const blobs = { origin: location.origin, token };
  const readBlob = createBlobReader({
    ...blobs,
    cache: store.blobs,
    onCacheError: (error) => view.addLog({ level: 'warn', text: `blob cache: ${error instanceof Error ? error.message : String(error)}` }, new Date()),
  });
  // The task worker measures its tensor backends at start; the tab joins meanwhile and reports them when known.
  const capabilities = new ReportedCapabilities(browserCapabilities(detected, debug));
  const createWorker = measuringTaskWorkers(tensorPreference(params), (report) => {
    view.showTensor(describeTensorReport(report, detected.adapter));
    capabilities.addTensor(report);
  });
  const executor = new BrowserExecutor({ createWorker, joinGang: peerJsGangs(location.origin) });
  executor.warmUp(CONCURRENCY);
  const client = new WorkerClient({
    url: workerSocketUrl(location.origin, token),
    connect: (url) => new WebSocket(url),
    executor,
    fetchCode: codeFetcherOf(readBlob),
    readBlob,
    readShard: httpShardReader(blobs),
    capabilities: capabilities.current,
    store,
    restore: saved,
    cpuShare: settings.cpuShare,
    concurrency: CONCURRENCY,
  });
  capabilities.attach(client);
  const refresh = (): void => {
    const snapshot = client.snapshot();
    const reason = pauseReason(settings, document.visibilityState);
    window.tabgrid = volunteerStatus(snapshot, reason, store.durable);
    view.render(snapshot, Date.now(), reason);
  };
  followClient(client, view, debug, refresh);
  followStore(store, view, refresh);
  announceResume(saved, view, store);
  const applyPause = (): void => {
    if (pauseReason(settings, document.visibilityState)) client.pause();
    else client.resume();
    refresh();
  };
  view.bind(controlsFor(client, settings, applyPause));
  document.addEventListener('visibilitychange', applyPause);
  // An open WebSocket may outlive the network unnoticed: the browser's word is taken for it.
  window.addEventListener('offline', () => client.networkChanged(false));
  window.addEventListener('online', () => client.networkChanged(true));
  // The reconnect countdown and the rest for the CPU limit change without events.
  setInterval(refresh, REFRESH_MS);
  applyPause();
  client.start();
  refresh();
}

function followClient(client: WorkerClient, view: JoinView, debug: boolean, refresh: () => void): void {
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
}

function followStore(store: ResilientStore, view: JoinView, refresh: () => void): void {
  if (store.problem) console.warn(`[tabgrid] working without persistence: ${store.problem.message}`);
  store.onDegraded((problem) => {
    view.showStorage(false, problem.message);
    view.addLog({ level: 'warn', text: `working without persistence from now on: ${problem.message}` }, new Date());
    console.warn(`[tabgrid] working without persistence: ${problem.message}`);
    refresh();
  });
}

function announceResume(saved: SavedWorkerState, view: JoinView, store: ResilientStore): void {
  if (!store.durable) return;
  const held = saved.leases.length;
  const unsent = saved.outbox.length;
  if (held + unsent === 0) return;
  const text = `picking up where this tab left off: ${held} task${held === 1 ? '' : 's'} held, ${unsent} report${unsent === 1 ? '' : 's'} to send`;
  view.addLog({ level: 'info', text }, new Date());
}

function controlsFor(client: WorkerClient, settings: VolunteerSettings, applyPause: () => void) {
  const remember = (): void => saveSettings(pageLocalStorage(), settings);
  return {
    togglePause: () => {
      settings.paused = !settings.paused;
      remember();
      applyPause();
    },
    setVisibleOnly: (on: boolean) => {
      settings.visibleOnly = on;
      remember();
      applyPause();
    },
    setCpuShare: (share: number) => {
      settings.cpuShare = share;
      remember();
      client.setCpuShare(share);
    },
    retryNow: () => client.retryNow(),
  };
}

const { token, addressWithoutToken } = takeJoinToken(location.href, pageSessionStorage());
if (addressWithoutToken) history.replaceState(history.state, '', addressWithoutToken);
const params = new URLSearchParams(location.search);
const debug = params.get('debug') === '1';
const view = new JoinView(document, debug ? 50 : 8);
if (token) {
  window.tabgrid = { state: 'connecting', tasksDone: 0, workerId: undefined, paused: false };
  join(token, view, debug, params).catch((error: unknown) => {
    console.error('[tabgrid] could not start', error);
    window.tabgrid = { state: 'stopped', tasksDone: 0, workerId: undefined, paused: false };
    view.showProblem(`Could not start: ${String(error)}`, 'stopped');
  });
} else {
  window.tabgrid = { state: 'no-token', tasksDone: 0, workerId: undefined, paused: false };
  view.showProblem('This link has no join token. Ask whoever runs the grid for a join link: /join?token=…', 'no-token');
}
