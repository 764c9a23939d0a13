import { useEffect, useRef, useState } from 'preact/hooks';
import type { JobStatus } from '../shared/index.js';
import type { AdminClient } from './client.js';
import { Controls } from './controls.js';
import { JobEvents } from './events.js';
import { Failure } from './failure.js';
import { useFeed } from './feed.js';
import { ProgressRate } from './format.js';
import { GangMembers } from './gang.js';
import { JobGraphView } from './graph.js';
import { JobSummary } from './job-summary.js';
import { useLoad, useThrottle } from './load.js';
import { Logs } from './logs.js';
import { Results } from './results.js';
import { TaskGrid } from './task-grid.js';
import { TaskPanel } from './task-panel.js';
import { StateBadge } from './widgets.js';

/**
 * One job, at `#/jobs/<id>`: what it is, how far it got and how fast, its tasks, graph, events and
 * logs, why it failed, its results, and the controls to steer it. The feed keeps it current.
 */
export function JobPage({ client, id }: { client: AdminClient; id: string }) {
  const loaded = useLoad(() => client.job(id), [id]);
  const [job, setJob] = useState<JobStatus | undefined>(undefined);
  const [openTask, setOpenTask] = useState<number | undefined>(undefined);
  // Bumped (at most every 2 s) when the job changes: the parts read from the store read again.
  const [round, setRound] = useState(0);
  const bump = useThrottle(() => setRound((n) => n + 1), 2000);
  const rate = useRef(new ProgressRate());

  useEffect(() => {
    if (loaded.value) show(loaded.value);
  }, [loaded.value]);
  useFeed('job', (next) => {
    if (next.id === id) show(next);
  });

  function show(next: JobStatus): void {
    rate.current.see(next.progress.done);
    setJob(next);
    bump();
  }

  if (!job) {
    return (
      <section>
        <h1>Job {id}</h1>
        {loaded.error === undefined ? <p class="loading">Loading…</p> : <p class="error" role="alert">Could not read job {id}: {loaded.error}</p>}
      </section>
    );
  }
  return (
    <article aria-labelledby="job-title" class="job-page">
      <h1 id="job-title">
        {job.name} <StateBadge state={job.state} />
      </h1>
      <p class="id">{job.id}</p>
      <Controls client={client} job={job} onChange={show} />
      <JobSummary job={job} rate={rate.current} />
      <Failure client={client} job={job} round={round} onOpenTask={setOpenTask} />
      <GangMembers client={client} job={job} round={round} onOpenTask={setOpenTask} />
      <TaskGrid client={client} job={job} round={round} openTask={openTask} onOpenTask={setOpenTask} />
      {openTask !== undefined && <TaskPanel client={client} job={job} index={openTask} round={round} onClose={() => setOpenTask(undefined)} />}
      <JobGraphView client={client} job={job} round={round} onOpenTask={setOpenTask} />
      <JobEvents client={client} job={job} round={round} />
      <Logs client={client} job={job} />
      <Results client={client} job={job} round={round} />
    </article>
  );
}
