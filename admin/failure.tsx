import type { JobStatus } from '../shared/index.js';
import type { AdminClient } from './client.js';
import { counted, describeItems } from './format.js';
import { useLoad } from './load.js';

/**
 * Why a job failed: the task and its items, its attempts and the workers that ran it, and the last
 * error with the stack the task code threw; the other failed tasks below it.
 */
export function Failure({ client, job, round, onOpenTask }: { client: AdminClient; job: JobStatus; round: number; onOpenTask: (index: number) => void }) {
  const failedIndex = job.error?.taskIndex;
  const task = useLoad(() => (failedIndex === undefined ? Promise.resolve(undefined) : client.task(job.id, failedIndex)), [job.id, failedIndex, round]);
  const failed = useLoad(() => (job.progress.failed > 0 ? client.tasks(job.id, { state: ['failed'], limit: 20 }) : Promise.resolve(undefined)), [job.id, job.progress.failed, round]);
  if (!job.error && job.progress.failed === 0) return null;
  const detail = task.value;
  return (
    <section aria-labelledby="failure-title" class="failure">
      <h2 id="failure-title">Why it failed</h2>
      {job.error && (
        <>
          <p class="error-message">{job.error.message}</p>
          {detail && (
            <dl class="facts">
              <div>
                <dt>Task</dt>
                <dd>
                  <button type="button" class="link" onClick={() => onOpenTask(detail.index)}>
                    Task {detail.index}
                  </button>
                </dd>
              </div>
              <div>
                <dt>Items</dt>
                <dd>{describeItems(detail.firstItem, detail.itemCount)}</dd>
              </div>
              <div>
                <dt>Attempts</dt>
                <dd>
                  {detail.attempts} ({detail.failures} failed, {detail.lapses} lost)
                </dd>
              </div>
              <div>
                <dt>Workers</dt>
                <dd>{detail.workers.join(', ') || '—'}</dd>
              </div>
            </dl>
          )}
          {job.error.stack !== undefined && (
            <details open>
              <summary>Stack</summary>
              <pre class="stack">{job.error.stack}</pre>
            </details>
          )}
        </>
      )}
      {failed.value && failed.value.tasks.length > 0 && (
        <>
          <h3>Failed tasks ({job.progress.failed})</h3>
          <ul class="failed-tasks">
            {failed.value.tasks.map((failedTask) => (
              <li key={failedTask.index}>
                <button type="button" class="link" onClick={() => onOpenTask(failedTask.index)}>
                  Task {failedTask.index}
                </button>{' '}
                after {counted(failedTask.attempts, 'attempt')}: {failedTask.error ?? 'no error recorded'}
              </li>
            ))}
          </ul>
        </>
      )}
    </section>
  );
}
