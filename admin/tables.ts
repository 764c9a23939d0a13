import type { JobStatus, WorkerStatus } from '../shared/index.js';
import { canCancel, describeAdapter, describeCurrentTask, describeProgress } from './format.js';
import { cellsOf, syncRows } from './rows.js';

/** Shows one row per job (`data-job-id`); unfinished jobs get a Cancel button that calls `onCancel`. */
export function showJobs(
  table: HTMLTableElement,
  jobs: readonly JobStatus[],
  onCancel: (jobId: string) => Promise<void>,
): void {
  syncRows(table.tBodies[0] ?? table.createTBody(), jobs, 'jobId', (job) => job.id, (row, job) => {
    const [idCell, nameCell, stateCell, progressCell, actionCell] = cellsOf(row, 5);
    setText(idCell, job.id);
    idCell?.classList.add('id');
    setText(nameCell, job.name);
    setText(stateCell, job.state);
    if (stateCell) stateCell.className = `state state-${job.state}`;
    if (progressCell) showProgress(progressCell, job);
    if (actionCell) showCancel(actionCell, job, onCancel);
  });
}

/** Shows one row per worker (`data-worker-id`): id, adapter, current task, tasks done. */
export function showWorkers(table: HTMLTableElement, workers: readonly WorkerStatus[]): void {
  syncRows(table.tBodies[0] ?? table.createTBody(), workers, 'workerId', (worker) => worker.id, (row, worker) => {
    const [idCell, adapterCell, taskCell, doneCell] = cellsOf(row, 4);
    setText(idCell, worker.connected ? worker.id : `${worker.id} (disconnected)`);
    idCell?.classList.add('id');
    setText(adapterCell, describeAdapter(worker));
    setText(taskCell, describeCurrentTask(worker));
    setText(doneCell, String(worker.tasksDone));
    if (doneCell) doneCell.className = 'tasks-done';
  });
}

function showProgress(cell: HTMLTableCellElement, job: JobStatus): void {
  let bar = cell.querySelector('progress');
  let label = cell.querySelector('span');
  if (!bar || !label) {
    bar = document.createElement('progress');
    label = document.createElement('span');
    cell.replaceChildren(bar, ' ', label);
  }
  bar.max = Math.max(job.progress.total, 1);
  bar.value = job.progress.done;
  label.textContent = describeProgress(job);
}

function showCancel(cell: HTMLTableCellElement, job: JobStatus, onCancel: (jobId: string) => Promise<void>): void {
  const button = cell.querySelector('button');
  if (!canCancel(job)) {
    button?.remove();
    return;
  }
  if (button) return;
  const cancel = document.createElement('button');
  cancel.type = 'button';
  cancel.className = 'cancel';
  cancel.textContent = 'Cancel';
  cancel.addEventListener('click', () => {
    cancel.disabled = true;
    void onCancel(job.id).finally(() => {
      cancel.disabled = false;
    });
  });
  cell.replaceChildren(cancel);
}

function setText(cell: HTMLTableCellElement | undefined, text: string): void {
  if (cell && cell.textContent !== text) cell.textContent = text;
}
