import { useState } from 'preact/hooks';
import { JOB_STATES, type JobOrder, type JobState, type JobStatus } from '../shared/index.js';
import type { AdminClient } from './client.js';
import { useFeed } from './feed.js';
import { formatDuration, formatTime, jobDuration } from './format.js';
import { useLoad, useThrottle } from './load.js';
import { go, hrefOf } from './route.js';
import { formText, JobProgress, StateBadge } from './widgets.js';

const PAGE = 50;

/**
 * Every job, a page at a time: filtered by state and name (kept in the address), in the order
 * chosen. Jobs on the page change as the feed reports them; a new job re-reads the page.
 */
export function JobList({ client, route }: { client: AdminClient; route: { state?: JobState; name?: string } }) {
  const [order, setOrder] = useState<JobOrder>('newest');
  // The cursors of the pages before this one, and this one's.
  const [cursors, setCursors] = useState<(string | undefined)[]>([undefined]);
  const cursor = cursors.at(-1);
  const page = useLoad(
    () => client.jobs({ order, limit: PAGE, ...(route.state ? { state: [route.state] } : {}), ...(route.name ? { name: route.name } : {}), ...(cursor ? { cursor } : {}) }),
    [order, route.state, route.name, cursor],
  );
  const [changed, setChanged] = useState<Map<string, JobStatus>>(new Map());
  const reread = useThrottle(() => {
    setChanged(new Map());
    page.reload();
  }, 2000);
  useFeed('job', (job) => {
    if (page.value?.jobs.some((shown) => shown.id === job.id)) setChanged((now) => new Map(now).set(job.id, job));
    else if (cursors.length === 1) reread();
  });

  const jobs = (page.value?.jobs ?? []).map((job) => changed.get(job.id) ?? job);
  const restart = (): void => setCursors([undefined]);
  return (
    <section aria-labelledby="jobs-title">
      <h1 id="jobs-title">Jobs</h1>
      <form
        class="filters"
        role="search"
        onSubmit={(event) => {
          event.preventDefault();
          const data = new FormData(event.currentTarget);
          const state = formText(data, 'state');
          const name = formText(data, 'name').trim();
          restart();
          go({ view: 'jobs', ...(state ? { state: state as JobState } : {}), ...(name ? { name } : {}) });
        }}
      >
        <label>
          State
          <select name="state" value={route.state ?? ''}>
            <option value="">any</option>
            {JOB_STATES.map((state) => (
              <option key={state} value={state}>
                {state}
              </option>
            ))}
          </select>
        </label>
        <label>
          Name
          <input name="name" type="search" value={route.name ?? ''} placeholder="part of the name" />
        </label>
        <button type="submit">Filter</button>
        <label>
          Order
          <select
            value={order}
            onChange={(event) => {
              setOrder(event.currentTarget.value as JobOrder);
              restart();
            }}
          >
            <option value="newest">newest first</option>
            <option value="oldest">oldest first</option>
            <option value="priority">priority, highest first</option>
          </select>
        </label>
      </form>
      {page.error !== undefined && (
        <p class="error" role="alert">
          Could not read the jobs: {page.error}
        </p>
      )}
      <div class="table-box">
        <table id="jobs">
          <thead>
            <tr>
              <th scope="col">Job</th>
              <th scope="col">State</th>
              <th scope="col">Progress</th>
              <th scope="col">Priority</th>
              <th scope="col">Submitted</th>
              <th scope="col">Started</th>
              <th scope="col">Ended</th>
              <th scope="col">Duration</th>
            </tr>
          </thead>
          <tbody>
            {jobs.map((job) => (
              <JobRow key={job.id} job={job} />
            ))}
          </tbody>
        </table>
      </div>
      {page.value && jobs.length === 0 && <p class="empty">No jobs{route.state || route.name ? ' match' : ' yet'}.</p>}
      <nav class="pager" aria-label="Pages of jobs">
        <button type="button" disabled={cursors.length === 1} onClick={() => setCursors((now) => now.slice(0, -1))}>
          Previous page
        </button>
        <span>Page {cursors.length}</span>
        <button type="button" disabled={page.value?.nextCursor === undefined} onClick={() => setCursors((now) => [...now, page.value?.nextCursor])}>
          Next page
        </button>
      </nav>
    </section>
  );
}

function JobRow({ job }: { job: JobStatus }) {
  const duration = jobDuration(job);
  return (
    <tr data-job-id={job.id}>
      <td>
        <a href={hrefOf({ view: 'job', id: job.id })}>{job.name}</a>
        <span class="id"> {job.id}</span>
      </td>
      <td>
        <StateBadge state={job.state} />
      </td>
      <td>
        <JobProgress job={job} />
      </td>
      <td>{job.priority}</td>
      <td class="time">{formatTime(job.createdAt)}</td>
      <td class="time">{formatTime(job.startedAt)}</td>
      <td class="time">{formatTime(job.endedAt)}</td>
      <td class="time">{duration === undefined ? '—' : formatDuration(duration)}</td>
    </tr>
  );
}
