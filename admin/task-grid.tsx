import { useRef } from 'preact/hooks';
import { TASK_STATES, taskMapStates, type JobStatus, type TaskState } from '../shared/index.js';
import type { AdminClient } from './client.js';
import { describeError, useLoad } from './load.js';

/** Most cells drawn: a bigger job shows each cell as a run of tasks. */
const CELLS = 1000;

/**
 * One cell per task (or per run of tasks, for a big job), coloured by state; a cell opens its
 * task (a run's most urgent one). The grid is one stop for Tab; the arrow keys, Home and End move
 * within it, and Enter opens.
 */
export function TaskGrid({ client, job, round, openTask, onOpenTask }: { client: AdminClient; job: JobStatus; round: number; openTask: number | undefined; onOpenTask: (index: number) => void }) {
  const map = useLoad(() => client.taskMap(job.id, CELLS), [job.id, round]);
  const grid = useRef<HTMLDivElement>(null);
  const value = map.value;

  async function open(cell: number, state: TaskState): Promise<void> {
    if (!value) return;
    if (value.perCell === 1) return onOpenTask(cell);
    const first = cell * value.perCell;
    try {
      const page = await client.tasks(job.id, { ...(first > 0 ? { cursor: String(first - 1) } : {}), limit: value.perCell, state: [state] });
      const task = page.tasks.find((candidate) => candidate.index < first + value.perCell);
      if (task) onOpenTask(task.index);
    } catch (error) {
      describeError(error);
    }
  }

  function onKeyDown(event: KeyboardEvent): void {
    const cells = Array.from(grid.current?.querySelectorAll<HTMLButtonElement>('button.cell') ?? []);
    const at = cells.indexOf(document.activeElement as HTMLButtonElement);
    if (at < 0) return;
    const perRow = Math.max(1, cells.filter((cell) => cell.offsetTop === cells[0]!.offsetTop).length);
    const moves: Record<string, number> = { ArrowRight: at + 1, ArrowLeft: at - 1, ArrowDown: at + perRow, ArrowUp: at - perRow, Home: 0, End: cells.length - 1 };
    const next = moves[event.key];
    if (next === undefined) return;
    event.preventDefault();
    const target = cells[Math.min(cells.length - 1, Math.max(0, next))];
    if (!target) return;
    for (const cell of cells) cell.tabIndex = cell === target ? 0 : -1;
    target.focus();
  }

  const states = value ? taskMapStates(value) : [];
  const counts = new Map<TaskState, number>();
  for (const state of states) counts.set(state, (counts.get(state) ?? 0) + 1);
  const focusCell = openTask === undefined || !value ? 0 : Math.floor(openTask / value.perCell);
  return (
    <section aria-labelledby="tasks-title">
      <h2 id="tasks-title">Tasks</h2>
      {map.error !== undefined && <p class="error" role="alert">Could not read the tasks: {map.error}</p>}
      {value && value.perCell > 1 && (
        <p class="note">
          {value.total} tasks: each cell is {value.perCell} tasks and shows the most urgent state among them.
        </p>
      )}
      <ul class="legend" aria-label={value && value.perCell > 1 ? 'Cells by state' : 'Tasks by state'}>
        {TASK_STATES.map((state) => (
          <li key={state}>
            <span class={`swatch t-${state}`} aria-hidden="true" /> {state} {counts.get(state) ?? 0}
          </li>
        ))}
      </ul>
      <div class="task-grid" ref={grid} role="group" aria-label="Task grid: arrow keys move, Enter opens a task" onKeyDown={onKeyDown}>
        {states.map((state, cell) => {
          const first = cell * (value?.perCell ?? 1);
          const label = value && value.perCell > 1 ? `Tasks ${first}–${Math.min(value.total, first + value.perCell) - 1}: ${state}` : `Task ${cell}: ${state}`;
          return (
            <button
              key={cell}
              type="button"
              class={`cell t-${state}${cell === focusCell && openTask !== undefined ? ' open' : ''}`}
              tabIndex={cell === focusCell ? 0 : -1}
              aria-label={label}
              title={label}
              onClick={() => void open(cell, state)}
            />
          );
        })}
      </div>
    </section>
  );
}
