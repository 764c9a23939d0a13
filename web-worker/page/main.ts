/**
 * The join page: a volunteer opens `/join?token=<join token>` and this tab becomes a worker until
 * it is closed. The token moves from the address bar into `sessionStorage` (see `join-token.ts`). Its progress lives in IndexedDB (see `store/`), so a reload resumes where it
 * was. With `&debug=1` it takes `debug` jobs (stopping at a breakpoint before each task while
 * DevTools are open) and prints every event in the console. It runs as many task Web Workers as
 * the volunteer's CPU limit allows (see `workerPlan`; `&workers=N` runs at most N), fewer under
 * the machine's pressure, none on a low battery (see `machine.ts`).
 */
import { createBlobReader, httpShardReader } from '../../worker/index.js';
import { BrowserExecutor } from '../browser-executor.js';
import { WorkerClient } from '../../worker/index.js';
import { codeFetcherOf } from '../../worker/index.js';
import { workerSocketUrl } from '../../worker/index.js';
import { openVolunteerStore, type ResilientStore } from '../store/index.js';
import type { SavedWorkerState } from '../../worker/index.js';
import { browserCapabilities, describeAdapter, detectAdapter } from './capabilities.js';
import { TabConditions } from './conditions.js';
import { workersCap } from './cores.js';
import { EventLog } from './event-log.js';
import { pageSessionStorage, takeJoinToken } from './join-token.js';
import { peerJsGangs } from './gangs.js';
import { watchBattery, watchPressure } from './sensors.js';
import { loadSettings, pageLocalStorage, saveSettings, type VolunteerSettings } from './settings.js';
import { COULD_NOT_START, volunteerStatus, type VolunteerStatus } from './status.js';
import { describeTensorReport, measuringTaskWorkers, ReportedCapabilities, tensorPreference, tensorSummary } from './tensor.js';
import { JoinView } from './view.js';

declare global {
  interface Window {
    /** Where the volunteer stands, kept current for tests (see `VolunteerStatus`). */
    tabgrid?: VolunteerStatus;
  }
}

const REFRESH_MS = 500;
/**
 * The page is drawn at most this often: every drawing costs layout and raster, CPU the task
 * workers could use (with small tasks, a drawing per client event cost a tab a good share of its
 * time). `window.tabgrid` is kept current at every event.
 */
const DRAW_MS = 200;

async function join(token: string, view: JoinView, debug: boolean, params: URLSearchParams): Promise<void> {
  const settings = loadSettings(pageLocalStorage());
  const tab = new TabConditions(settings, navigator.hardwareConcurrency, workersCap(params));
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
    view.showTensor(tensorSummary(report), describeTensorReport(report, detected.adapter));
    capabilities.addTensor(report);
  });
  const executor = new BrowserExecutor({ createWorker, joinGang: peerJsGangs(location.origin) });
  const plan = tab.plan();
  executor.warmUp(plan.workers);
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
    cpuShare: plan.workerShare,
    concurrency: plan.workers,
    maxConcurrency: tab.mostWorkers(),
  });
  capabilities.attach(client);
  let decided = '';
  let drawing: ReturnType<typeof setTimeout> | undefined;
  const draw = (): void => {
    drawing = undefined;
    view.render(client.snapshot(), Date.now(), tab.lines(tab.pauseReason(document.visibilityState)));
  };
  const refresh = (): void => {
    const snapshot = client.snapshot();
    // The tab's own load changes what the machine's pressure says of others (see `othersPressure`).
    tab.busy = snapshot.tasks.length;
    if (tab.decision(document.visibilityState) !== decided) return apply();
    window.tabgrid = volunteerStatus(snapshot, tab.pauseReason(document.visibilityState), store.durable, tab.machine);
    drawing ??= setTimeout(draw, DRAW_MS);
  };
  followClient(client, view, debug, refresh);
  followStore(store, view, refresh);
  announceResume(saved, view, store);
  // Every change of a setting, the tab's visibility or the machine comes here.
  const apply = (): void => {
    decided = tab.decision(document.visibilityState);
    const { workers, workerShare } = tab.plan();
    client.setCpuShare(workerShare);
    client.setConcurrency(workers);
    executor.warmUp(workers);
    if (tab.pauseReason(document.visibilityState)) client.pause();
    else client.resume();
    refresh();
  };
  view.bind(controlsFor(settings, apply, client));
  document.addEventListener('visibilitychange', apply);
  // The backends were measured under whatever pressure there was: once others' pressure eases
  // again, they are measured afresh (at most once a minute).
  let pressed = false;
  let remeasuredAt = 0;
  watchPressure((state) => {
    tab.machine.pressure = state;
    const pressedNow = ['serious', 'critical'].includes(tab.othersPressure() ?? 'nominal');
    if (pressed && !pressedNow && Date.now() - remeasuredAt > 60_000) {
      remeasuredAt = Date.now();
      createWorker.remeasure('pressure');
    }
    pressed = pressedNow;
    apply();
  });
  watchBattery((reading) => {
    tab.machine.battery = reading;
    apply();
  });
  // An open WebSocket may outlive the network unnoticed: the browser's word is taken for it.
  window.addEventListener('offline', () => client.networkChanged(false));
  window.addEventListener('online', () => client.networkChanged(true));
  // The reconnect countdown and the rest for the CPU limit change without events.
  setInterval(refresh, REFRESH_MS);
  apply();
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
  if (store.problem) {
    view.addLog({ level: 'warn', text: `working without persistence: ${store.problem.message}` }, new Date());
    console.warn(`[tabgrid] working without persistence: ${store.problem.message}`);
  }
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

function controlsFor(settings: VolunteerSettings, apply: () => void, client: WorkerClient) {
  const change = (edit: () => void) => (): void => {
    edit();
    saveSettings(pageLocalStorage(), settings);
    apply();
  };
  return {
    togglePause: change(() => (settings.paused = !settings.paused)),
    setVisibleOnly: (on: boolean) => change(() => (settings.visibleOnly = on))(),
    setCpuShare: (share: number) => change(() => (settings.cpuShare = share))(),
    setBatteryFloor: (floor: number) => change(() => (settings.batteryFloor = floor))(),
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
    view.showProblem(COULD_NOT_START, 'stopped', String(error));
  });
} else {
  window.tabgrid = { state: 'no-token', tasksDone: 0, workerId: undefined, paused: false };
  view.showProblem('This link has no join token. Ask whoever runs the grid for a join link: /join?token=…', 'no-token');
}
