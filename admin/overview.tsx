import { useEffect, useState } from 'preact/hooks';
import { JOB_STATES, type FeedStats, type StatsSample, type WorkerStatus } from '../shared/index.js';
import { ThroughputChart } from './chart.js';
import type { AdminClient } from './client.js';
import { useFeed } from './feed.js';
import { formatRate } from './format.js';
import { describeError, useLoad, useThrottle } from './load.js';
import { hrefOf } from './route.js';

const HOUR_MS = 3_600_000;

/** The grid at a glance: jobs by state, workers and their backends, throughput now and over the hour. */
export function Overview({ client }: { client: AdminClient }) {
  const [stats, setStats] = useState<FeedStats | undefined>(undefined);
  const [samples, setSamples] = useState<StatsSample[]>([]);
  const [error, setError] = useState<string | undefined>(undefined);
  const workers = useLoad(() => client.workers(), []);
  const rereadWorkers = useThrottle(workers.reload, 2000);

  useEffect(() => {
    Promise.all([client.stats(), client.history()]).then(
      ([first, history]) => {
        setStats((now) => now ?? { ...first, sample: history.samples.at(-1) ?? null });
        setSamples((now) => merge(history.samples, now));
      },
      (cause: unknown) => setError(describeError(cause)),
    );
  }, [client]);

  useFeed('stats', (next) => {
    setStats(next);
    const sample = next.sample;
    if (sample) setSamples((now) => merge(now, [sample]));
  });
  useFeed('workers', rereadWorkers);

  return (
    <section aria-labelledby="overview-title">
      <h1 id="overview-title">Overview</h1>
      {error !== undefined && <p class="error" role="alert">Could not read the stats: {error}</p>}
      <div class="cards">
        <Card label="Tasks per second" value={formatRate(stats?.tasksPerSecond)} />
        <Card label="Workers connected" value={stats ? String(stats.workers) : '—'} href="#/workers" />
        <Card label="Queue depth" value={stats ? String(stats.queueDepth) : '—'} />
        <Card label="Tasks running" value={stats ? String(stats.tasks['leased'] ?? 0) : '—'} />
      </div>
      <h2>Jobs by state</h2>
      <ul class="state-counts">
        {JOB_STATES.filter((state) => state !== 'SUBMITTED').map((state) => (
          <li key={state}>
            <a href={hrefOf({ view: 'jobs', state })}>
              <span class={`badge state-${state}`}>{state}</span> <strong>{stats?.jobs[state] ?? 0}</strong>
            </a>
          </li>
        ))}
      </ul>
      <h2>Workers by backend</h2>
      <BackendCounts workers={workers.value?.workers} />
      <ThroughputChart samples={samples} />
    </section>
  );
}

function Card({ label, value, href }: { label: string; value: string; href?: string }) {
  const body = (
    <>
      <span class="card-value">{value}</span>
      <span class="card-label">{label}</span>
    </>
  );
  return <div class="card">{href ? <a href={href}>{body}</a> : body}</div>;
}

function BackendCounts({ workers }: { workers: WorkerStatus[] | undefined }) {
  if (!workers) return <p class="empty">Reading the workers…</p>;
  if (workers.length === 0) return <p class="empty">No workers connected. Open the join URL in a tab to add one.</p>;
  const counts = new Map<string, number>();
  for (const worker of workers) {
    const key = `${worker.capabilities.runtime} · ${worker.capabilities.tensor?.chosen.backend ?? 'not measured yet'}`;
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  return (
    <ul class="state-counts">
      {[...counts].map(([key, count]) => (
        <li key={key}>
          {key}: <strong>{count}</strong>
        </li>
      ))}
    </ul>
  );
}

/** Samples of both lists, by time, of the last hour only. */
function merge(a: readonly StatsSample[], b: readonly StatsSample[]): StatsSample[] {
  const byTime = new Map<string, StatsSample>();
  for (const sample of [...a, ...b]) byTime.set(sample.time, sample);
  const since = Date.now() - HOUR_MS;
  return [...byTime.values()].filter((sample) => Date.parse(sample.time) >= since).sort((x, y) => Date.parse(x.time) - Date.parse(y.time));
}
