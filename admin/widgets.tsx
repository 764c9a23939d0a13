import { counted, describeProgress, type JobState, type JobStatus } from '../shared/index.js';

export function StateBadge({ state }: { state: JobState }) {
  return <span class={`badge state-${state}`}>{state}</span>;
}

/** A job's progress bar over its map tasks, with `done/total` beside it and where the reduce step is. */
export function JobProgress({ job }: { job: JobStatus }) {
  const { done, total } = job.progress;
  return (
    <span class="progress">
      <progress max={Math.max(total, 1)} value={done} aria-label={`${job.name}: ${done} of ${counted(total, 'task')} done`} />
      <span>{describeProgress(job.progress)}</span>
    </span>
  );
}

/** One term and its value in a `<dl class="facts">`. */
export function Fact({ term, value }: { term: string; value: string }) {
  return (
    <div>
      <dt>{term}</dt>
      <dd>{value}</dd>
    </div>
  );
}

/** A text field of a submitted form, or '' when it is missing (or a file). */
export function formText(data: FormData, name: string): string {
  const value = data.get(name);
  return typeof value === 'string' ? value : '';
}
