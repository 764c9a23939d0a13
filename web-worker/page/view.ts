import type { WorkerClientSnapshot } from '../../worker/index.js';
import type { LogLine } from './event-log.js';
import type { VolunteerSettings } from './settings.js';
import { computeLine, stateLine, taskLine, unsentLine, volunteerState, type PauseReason, type VolunteerState } from './status.js';

/** The join page's elements, found by id. */
interface JoinElements {
  state: HTMLElement;
  retry: HTMLButtonElement;
  workerId: HTMLElement;
  tasksDone: HTMLElement;
  computeTime: HTMLElement;
  currentTask: HTMLElement;
  progress: HTMLProgressElement;
  adapter: HTMLElement;
  tensor: HTMLElement;
  log: HTMLElement;
  pause: HTMLButtonElement;
  visibleOnly: HTMLInputElement;
  cpuLimit: HTMLSelectElement;
  problem: HTMLElement;
  unsent: HTMLElement;
  storage: HTMLElement;
}

/** What the volunteer can do on the page. */
export interface JoinControls {
  togglePause(): void;
  setVisibleOnly(on: boolean): void;
  setCpuShare(share: number): void;
  retryNow(): void;
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
 * view.render(client.snapshot(), Date.now(), null);
 */
export class JoinView {
  readonly #elements: JoinElements;

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
      currentTask: element(doc, 'current-task', HTMLElement),
      progress: element(doc, 'progress', HTMLProgressElement),
      adapter: element(doc, 'adapter', HTMLElement),
      tensor: element(doc, 'tensor', HTMLElement),
      log: element(doc, 'log', HTMLElement),
      pause: element(doc, 'pause', HTMLButtonElement),
      visibleOnly: element(doc, 'visible-only', HTMLInputElement),
      cpuLimit: element(doc, 'cpu-limit', HTMLSelectElement),
      problem: element(doc, 'problem', HTMLElement),
      unsent: element(doc, 'unsent', HTMLElement),
      storage: element(doc, 'storage', HTMLElement),
    };
  }

  render(snapshot: WorkerClientSnapshot, now: number, pausedBecause: PauseReason | null): void {
    const { state, retry, workerId, tasksDone, computeTime, currentTask, progress, pause, unsent } = this.#elements;
    setText(state, stateLine(snapshot, now, pausedBecause));
    state.dataset.state = volunteerState(snapshot);
    retry.hidden = snapshot.connection !== 'reconnecting';
    setText(workerId, snapshot.workerId ?? '');
    setText(tasksDone, String(snapshot.tasksDone));
    setText(computeTime, computeLine(snapshot.computeMs));
    setText(currentTask, taskLine(snapshot));
    const task = snapshot.tasks[0];
    progress.hidden = task === undefined;
    progress.value = task?.progress ?? 0;
    unsent.hidden = snapshot.unsent === 0;
    setText(unsent, unsentLine(snapshot.unsent));
    setText(pause, pausedBecause === 'volunteer' ? 'Resume' : 'Pause');
    pause.disabled = snapshot.connection === 'stopped';
  }

  /** Shows the remembered choices in the controls. */
  showSettings(settings: VolunteerSettings): void {
    this.#elements.visibleOnly.checked = settings.visibleOnly;
    this.#elements.cpuLimit.value = String(settings.cpuShare);
  }

  showAdapter(description: string): void {
    setText(this.#elements.adapter, description);
  }

  /** The tensor backends measured and the one tasks use (see `describeTensorReport`). */
  showTensor(description: string): void {
    setText(this.#elements.tensor, description);
  }

  /** Says whether progress survives a reload, and why not when it does not. */
  showStorage(durable: boolean, problem?: string): void {
    const { storage } = this.#elements;
    storage.dataset.durable = String(durable);
    setText(
      storage,
      durable
        ? 'Progress is kept in this browser: a reload or a lost connection loses no work.'
        : `Working without persistence (a reload loses the current task): ${problem ?? 'this browser keeps nothing'}`,
    );
  }

  /** Shows why the page cannot work (no token, a failed start) and turns the controls off. */
  showProblem(message: string, stateWord: VolunteerState): void {
    const { problem, state, pause } = this.#elements;
    problem.hidden = false;
    setText(problem, message);
    setText(state, stateWord);
    state.dataset.state = stateWord;
    pause.disabled = true;
  }

  addLog(line: LogLine, now: Date): void {
    const item = this.#elements.log.ownerDocument.createElement('li');
    item.className = line.level;
    item.textContent = `${now.toTimeString().slice(0, 8)} ${line.text}`;
    this.#elements.log.append(item);
    while (this.#elements.log.childElementCount > this.logLines) this.#elements.log.firstElementChild?.remove();
  }

  /** Wires the controls to what they do. */
  bind(controls: JoinControls): void {
    const { pause, visibleOnly, cpuLimit, retry } = this.#elements;
    pause.addEventListener('click', () => controls.togglePause());
    retry.addEventListener('click', () => controls.retryNow());
    visibleOnly.addEventListener('change', () => controls.setVisibleOnly(visibleOnly.checked));
    cpuLimit.addEventListener('change', () => controls.setCpuShare(Number(cpuLimit.value)));
  }
}

/** Writes text only when it changed, so screen readers and selections are not disturbed. */
function setText(target: HTMLElement, text: string): void {
  if (target.textContent !== text) target.textContent = text;
}
