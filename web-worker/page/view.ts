import type { WorkerClientSnapshot } from '../../worker/index.js';
import type { LogLine } from './event-log.js';
import type { VolunteerSettings } from './settings.js';
import { computeLine, stateLine, stateText, storageLine, unsentLine, volunteerState, workerLines, type PauseReason, type VolunteerState, type WorkerSlotLine } from './status.js';

/** The join page's elements, found by id. */
interface JoinElements {
  state: HTMLElement;
  retry: HTMLButtonElement;
  workerId: HTMLElement;
  tasksDone: HTMLElement;
  computeTime: HTMLElement;
  workers: HTMLOListElement;
  workersWhy: HTMLElement;
  machine: HTMLElement;
  adapter: HTMLElement;
  tensor: HTMLElement;
  tensorDetails: HTMLDetailsElement;
  tensorDetail: HTMLElement;
  log: HTMLElement;
  pause: HTMLButtonElement;
  visibleOnly: HTMLInputElement;
  cpuLimit: HTMLSelectElement;
  batteryFloor: HTMLSelectElement;
  problem: HTMLElement;
  problemText: HTMLElement;
  problemDetails: HTMLDetailsElement;
  problemDetail: HTMLElement;
  unsent: HTMLElement;
  storage: HTMLElement;
}

/** What the volunteer can do on the page. */
export interface JoinControls {
  togglePause(): void;
  setVisibleOnly(on: boolean): void;
  setCpuShare(share: number): void;
  setBatteryFloor(floor: number): void;
  retryNow(): void;
}

/** What the page shows beside the client's snapshot: why it is paused, and the tab's workers. */
export interface TabLines {
  pausedBecause: PauseReason | null;
  /** The state line while paused (see `pauseLine`). */
  pausedWhy: string | null;
  /** How many workers, and why (see `workersLine`). */
  workersWhy: string;
  /** What the browser tells of the machine (see `machineLine`). */
  machine: string;
}

function element<T extends HTMLElement>(doc: Document, id: string, type: new () => T): T {
  const found = doc.getElementById(id);
  if (!(found instanceof type)) throw new Error(`join.html has no ${type.name} #${id}`);
  return found;
}

/**
 * The join page's view: it writes a client snapshot into the page and keeps the last log lines.
 * @example
 * const view = new JoinView(document, 8);
 * view.render(client.snapshot(), Date.now(), tab.lines(tab.pauseReason(document.visibilityState)));
 */
export class JoinView {
  readonly #elements: JoinElements;
  /** Log lines added since the last {@link render}, which shows them. */
  readonly #unshownLog: { line: LogLine; now: Date }[] = [];

  constructor(
    doc: Document,
    private readonly logLines: number,
  ) {
    this.#elements = {
      state: element(doc, 'state', HTMLElement),
      retry: element(doc, 'retry', HTMLButtonElement),
      workerId: element(doc, 'worker-id', HTMLElement),
      tasksDone: element(doc, 'tasks-done', HTMLElement),
      computeTime: element(doc, 'compute-time', HTMLElement),
      workers: element(doc, 'workers', HTMLOListElement),
      workersWhy: element(doc, 'workers-why', HTMLElement),
      machine: element(doc, 'machine', HTMLElement),
      adapter: element(doc, 'adapter', HTMLElement),
      tensor: element(doc, 'tensor', HTMLElement),
      tensorDetails: element(doc, 'tensor-details', HTMLDetailsElement),
      tensorDetail: element(doc, 'tensor-detail', HTMLElement),
      log: element(doc, 'log', HTMLElement),
      pause: element(doc, 'pause', HTMLButtonElement),
      visibleOnly: element(doc, 'visible-only', HTMLInputElement),
      cpuLimit: element(doc, 'cpu-limit', HTMLSelectElement),
      batteryFloor: element(doc, 'battery-floor', HTMLSelectElement),
      problem: element(doc, 'problem', HTMLElement),
      problemText: element(doc, 'problem-text', HTMLElement),
      problemDetails: element(doc, 'problem-details', HTMLDetailsElement),
      problemDetail: element(doc, 'problem-detail', HTMLElement),
      unsent: element(doc, 'unsent', HTMLElement),
      storage: element(doc, 'storage', HTMLElement),
    };
  }

  render(snapshot: WorkerClientSnapshot, now: number, tab: TabLines): void {
    const { state, retry, workerId, tasksDone, computeTime, workersWhy, machine, pause, unsent } = this.#elements;
    setText(state, stateLine(snapshot, now, tab.pausedWhy));
    state.dataset.state = volunteerState(snapshot);
    retry.hidden = snapshot.connection !== 'reconnecting';
    setText(workerId, snapshot.workerId ?? '');
    setText(tasksDone, String(snapshot.tasksDone));
    setText(computeTime, computeLine(snapshot.computeMs));
    this.#renderWorkers(workerLines(snapshot));
    setText(workersWhy, tab.workersWhy);
    setText(machine, tab.machine);
    unsent.hidden = snapshot.unsent === 0;
    setText(unsent, unsentLine(snapshot.unsent));
    setText(pause, tab.pausedBecause === 'volunteer' ? 'Resume' : 'Pause');
    pause.disabled = snapshot.connection === 'stopped';
    this.#showLog();
  }

  /** Shows the remembered choices in the controls. */
  showSettings(settings: VolunteerSettings): void {
    this.#elements.visibleOnly.checked = settings.visibleOnly;
    this.#elements.cpuLimit.value = String(settings.cpuShare);
    this.#elements.batteryFloor.value = String(settings.batteryFloor);
  }

  showAdapter(description: string): void {
    setText(this.#elements.adapter, description);
  }

  /** Where the tab computes (see `tensorSummary`), with the measurements behind it one click away (see `describeTensorReport`). */
  showTensor(summary: string, measurements: string): void {
    setText(this.#elements.tensor, summary);
    setText(this.#elements.tensorDetail, measurements);
    this.#elements.tensorDetails.hidden = false;
  }

  /** Says whether progress survives a reload; the browser's own words for why not are its tooltip. */
  showStorage(durable: boolean, problem?: string): void {
    const { storage } = this.#elements;
    storage.dataset.durable = String(durable);
    setText(storage, storageLine(durable));
    storage.title = problem ?? '';
  }

  /**
   * Shows why the page cannot work (no token, a failed start) and turns the controls off; the
   * error behind it, if any, under "technical details".
   */
  showProblem(message: string, stateWord: VolunteerState, detail?: string): void {
    const { problem, problemText, problemDetails, problemDetail, state, pause } = this.#elements;
    problem.hidden = false;
    setText(problemText, message);
    problemDetails.hidden = detail === undefined;
    setText(problemDetail, detail ?? '');
    setText(state, stateText(stateWord));
    state.dataset.state = stateWord;
    pause.disabled = true;
  }

  /** Adds a line to the page's log; it shows with the next {@link render}. */
  addLog(line: LogLine, now: Date): void {
    this.#unshownLog.push({ line, now });
  }

  #showLog(): void {
    const { log } = this.#elements;
    for (const { line, now } of this.#unshownLog.splice(0)) {
      const item = log.ownerDocument.createElement('li');
      item.className = line.level;
      item.textContent = `${now.toTimeString().slice(0, 8)} ${line.text}`;
      log.append(item);
    }
    while (log.childElementCount > this.logLines) log.firstElementChild?.remove();
  }

  /** Wires the controls to what they do. */
  bind(controls: JoinControls): void {
    const { pause, visibleOnly, cpuLimit, batteryFloor, retry } = this.#elements;
    pause.addEventListener('click', () => controls.togglePause());
    retry.addEventListener('click', () => controls.retryNow());
    visibleOnly.addEventListener('change', () => controls.setVisibleOnly(visibleOnly.checked));
    cpuLimit.addEventListener('change', () => controls.setCpuShare(Number(cpuLimit.value)));
    batteryFloor.addEventListener('change', () => controls.setBatteryFloor(Number(batteryFloor.value)));
  }

  /** One list item per worker slot: its line, and a progress bar while it runs a task. */
  #renderWorkers(lines: WorkerSlotLine[]): void {
    const list = this.#elements.workers;
    while (list.childElementCount > lines.length) list.lastElementChild?.remove();
    while (list.childElementCount < lines.length) {
      const item = list.ownerDocument.createElement('li');
      const progress = list.ownerDocument.createElement('progress');
      progress.max = 1;
      item.append(list.ownerDocument.createElement('span'), progress);
      list.append(item);
    }
    lines.forEach((line, index) => {
      const item = list.children[index]!;
      setText(item.firstElementChild as HTMLElement, line.text);
      const progress = item.lastElementChild as HTMLProgressElement;
      progress.hidden = line.progress === null;
      progress.value = line.progress ?? 0;
    });
  }
}

/** Writes text only when it changed, so screen readers and selections are not disturbed. */
function setText(target: HTMLElement, text: string): void {
  if (target.textContent !== text) target.textContent = text;
}
