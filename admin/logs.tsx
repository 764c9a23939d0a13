import { useEffect, useLayoutEffect, useRef, useState } from 'preact/hooks';
import { LogEntry, LogLevel, type JobStatus } from '../shared/index.js';
import type { AdminClient, LogFilter } from './client.js';
import { formatTime } from './format.js';
import { formText } from './widgets.js';

/** Lines asked for at first, and most lines kept on the page as more arrive. */
const BACKLOG = 500;
const KEEP = 1000;

/**
 * A job's logs, live: the newest lines that pass the filter (task, level and above, text), then
 * each new one as the coordinator stores it, until the job ends.
 */
export function Logs({ client, job }: { client: AdminClient; job: JobStatus }) {
  const [filter, setFilter] = useState<LogFilter>({});
  const [lines, setLines] = useState<LogEntry[]>([]);
  const [following, setFollowing] = useState(false);

  useEffect(() => {
    setLines([]);
    const source = new EventSource(client.logFollowPath(job.id, { ...filter, limit: BACKLOG }));
    setFollowing(true);
    source.addEventListener('log', (event) => {
      const parsed = LogEntry.safeParse(JSON.parse(String(event.data)));
      if (parsed.success) setLines((now) => [...now.slice(-(KEEP - 1)), parsed.data]);
    });
    source.addEventListener('end', () => {
      source.close();
      setFollowing(false);
    });
    return () => source.close();
  }, [client, job.id, filter.task, filter.level, filter.text]);

  return (
    <section aria-labelledby="logs-title">
      <h2 id="logs-title">Logs</h2>
      <form
        class="filters"
        role="search"
        aria-label="Filter the logs"
        onSubmit={(event) => {
          event.preventDefault();
          const data = new FormData(event.currentTarget);
          const task = formText(data, 'task').trim();
          const level = LogLevel.safeParse(data.get('level'));
          const text = formText(data, 'text').trim();
          setFilter({ ...(task !== '' ? { task: Number(task) } : {}), ...(level.success ? { level: level.data } : {}), ...(text !== '' ? { text } : {}) });
        }}
      >
        <label>
          Task
          <input name="task" type="number" min={0} step={1} inputMode="numeric" />
        </label>
        <label>
          Level
          <select name="level">
            <option value="">any</option>
            {LogLevel.options.map((level) => (
              <option key={level} value={level}>
                {level} and above
              </option>
            ))}
          </select>
        </label>
        <label>
          Text
          <input name="text" type="search" maxLength={200} />
        </label>
        <button type="submit">Filter logs</button>
      </form>
      <p class="note" role="status">
        {following ? 'Following new lines.' : 'The job has ended: these are all its lines.'} Showing the newest {KEEP} at most.
      </p>
      <LogLines lines={lines} empty="No log lines (yet) for this filter." />
    </section>
  );
}

/** Log lines, oldest first, each with its time, level, task and worker. */
export function LogLines({ lines, empty }: { lines: readonly LogEntry[]; empty: string }) {
  const box = useRef<HTMLOListElement>(null);
  // Follows the newest line while the reader is at the bottom; stays put once they scroll up.
  const atBottom = useRef(true);
  useLayoutEffect(() => {
    const element = box.current;
    if (element && atBottom.current) element.scrollTop = element.scrollHeight;
  }, [lines]);
  if (lines.length === 0) return <p class="empty">{empty}</p>;
  return (
    <ol
      class="log-lines"
      ref={box}
      tabIndex={0}
      aria-label="Log lines"
      onScroll={(event) => {
        const element = event.currentTarget;
        atBottom.current = element.scrollTop + element.clientHeight >= element.scrollHeight - 8;
      }}
    >
      {lines.map((line, at) => (
        <li key={at} class={`log-${line.level}`}>
          <span class="log-time">{formatTime(line.time)}</span> <span class="log-level">{line.level}</span>{' '}
          <span class="log-where">{line.taskIndex === null ? 'job' : `task ${line.taskIndex}`}</span> <span class="log-message">{line.message}</span>
        </li>
      ))}
    </ol>
  );
}
