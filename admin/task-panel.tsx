import { useEffect, useRef } from 'preact/hooks';
import type { JobStatus } from '../shared/index.js';
import type { AdminClient } from './client.js';
import { describeItems, formatTime } from './format.js';
import { useLoad } from './load.js';
import { LogLines } from './logs.js';
import { Fact } from './widgets.js';

const TASK_LOG_LINES = 200;

/** One task opened from the grid: its attempts, workers, checkpoint, error, gang and logs. */
export function TaskPanel({ client, job, index, round, onClose }: { client: AdminClient; job: JobStatus; index: number; round: number; onClose: () => void }) {
  const task = useLoad(() => client.task(job.id, index), [job.id, index, round]);
  const logs = useLoad(() => client.logs(job.id, { task: index, limit: TASK_LOG_LINES }), [job.id, index, round]);
  const heading = useRef<HTMLHeadingElement>(null);
  useEffect(() => heading.current?.focus(), [index]);
  const detail = task.value;
  return (
    <section aria-labelledby="task-title" class="task-panel">
      <div class="panel-head">
        <h2 id="task-title" ref={heading} tabIndex={-1}>
          Task {index}
        </h2>
        <button type="button" onClick={onClose}>
          Close task
        </button>
      </div>
      {task.error !== undefined && <p class="error" role="alert">Could not read task {index}: {task.error}</p>}
      {detail && (
        <dl class="facts">
          <Fact term="State" value={detail.state} />
          <Fact term="Items" value={describeItems(detail.firstItem, detail.itemCount)} />
          <Fact term="Attempts" value={`${detail.attempts} (${detail.failures} failed, ${detail.lapses} lost)`} />
          <Fact term="Worker now" value={detail.workerId ?? '—'} />
          <Fact term="Workers" value={detail.workers.join(', ') || '—'} />
          <Fact term="Checkpoint" value={detail.checkpointBytes === null ? 'none' : `stored, ${detail.checkpointBytes} bytes`} />
          {detail.readyAt !== null && <Fact term="Waits until" value={formatTime(detail.readyAt)} />}
          <Fact term="Updated" value={formatTime(detail.updatedAt)} />
          {detail.gang && <Fact term="Gang" value={detail.gang.map((member) => `rank ${member.rank}: ${member.workerId}`).join(', ')} />}
        </dl>
      )}
      {detail?.error && (
        <>
          <h3>Last error</h3>
          <pre class="stack">{detail.error}</pre>
        </>
      )}
      <h3>Its logs</h3>
      {logs.value && <LogLines lines={logs.value} empty="This task logged nothing." />}
    </section>
  );
}
