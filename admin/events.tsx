import type { JobStatus } from '../shared/index.js';
import type { AdminClient } from './client.js';
import { formatTime } from './format.js';
import { useLoad } from './load.js';
import { StateBadge } from './widgets.js';

/** The job's state changes, oldest first, each with its time and reason. */
export function JobEvents({ client, job, round }: { client: AdminClient; job: JobStatus; round: number }) {
  const events = useLoad(() => client.events(job.id), [job.id, job.state, round]);
  return (
    <section aria-labelledby="events-title">
      <h2 id="events-title">Events</h2>
      {events.error !== undefined && <p class="error" role="alert">Could not read the events: {events.error}</p>}
      <ol class="timeline">
        {(events.value ?? []).map((event) => (
          <li key={event.id}>
            <time dateTime={event.time}>{formatTime(event.time)}</time> {event.from === null ? 'created' : <StateBadge state={event.from} />} → <StateBadge state={event.to} />{' '}
            <span class="reason">{event.reason}</span>
          </li>
        ))}
      </ol>
    </section>
  );
}
