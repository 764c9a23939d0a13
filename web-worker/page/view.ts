import type { WorkerClientSnapshot } from '../client-events.js';
import type { LogLine } from './event-log.js';
import { stateLine, taskLine, unsentLine, volunteerState, type VolunteerState } from './status.js';

/** The join page's elements, found by id. */
interface JoinElements {
  state: HTMLElement;
  workerId: HTMLElement;
  tasksDone: HTMLElement;
  currentTask: HTMLElement;
  progress: HTMLProgressElement;
  adapter: HTMLElement;
  log: HTMLElement;
  pause: HTMLButtonElement;
  problem: HTMLElement;
  unsent: HTMLElement;
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
 * view.render(client.snapshot(), Date.now());
 */
export class JoinView {
  readonly #elements: JoinElements;

  constructor(
    doc: Document,
    private readonly logLines: number,
  ) {
    this.#elements = {
      state: element(doc, 'state', HTMLElement),
      workerId: element(doc, 'worker-id', HTMLElement),
      tasksDone: element(doc, 'tasks-done', HTMLElement),
      currentTask: element(doc, 'current-task', HTMLElement),
      progress: element(doc, 'progress', HTMLProgressElement),
      adapter: element(doc, 'adapter', HTMLElement),
      log: element(doc, 'log', HTMLElement),
      pause: element(doc, 'pause', HTMLButtonElement),
      problem: element(doc, 'problem', HTMLElement),
      unsent: element(doc, 'unsent', HTMLElement),
    };
  }

  render(snapshot: WorkerClientSnapshot, now: number): void {
    const { state, workerId, tasksDone, currentTask, progress, pause, unsent } = this.#elements;
    setText(state, stateLine(snapshot, now));
    state.dataset.state = volunteerState(snapshot);
    setText(workerId, snapshot.workerId ?? '');
    setText(tasksDone, String(snapshot.tasksDone));
    setText(currentTask, taskLine(snapshot));
    const task = snapshot.tasks[0];
    progress.hidden = task === undefined;
    progress.value = task?.progress ?? 0;
    unsent.hidden = snapshot.unsent === 0;
    setText(unsent, unsentLine(snapshot.unsent));
    setText(pause, snapshot.paused ? 'Resume' : 'Pause');
    pause.disabled = snapshot.connection === 'stopped';
  }

  showAdapter(description: string): void {
    setText(this.#elements.adapter, description);
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

  onPauseClick(toggle: () => void): void {
    this.#elements.pause.addEventListener('click', toggle);
  }
}

/** Writes text only when it changed, so screen readers and selections are not disturbed. */
function setText(target: HTMLElement, text: string): void {
  if (target.textContent !== text) target.textContent = text;
}
