import { useRef, useState } from 'preact/hooks';
import type { WorkerReputation, WorkerStatus } from '../shared/index.js';
import type { AdminClient } from './client.js';
import { useFeed } from './feed.js';
import { backendFigures, counted, describeGpu, formatRate } from './format.js';
import { describeError, useLoad, useThrottle } from './load.js';
import { hrefOf } from './route.js';

/** Tasks done by each worker at the moments the list was read: its recent throughput. */
type Seen = Map<string, { at: number; done: number }[]>;

const RATE_WINDOW_MS = 60_000;

/**
 * The connected workers: runtime and adapter, measured tensor backends, cores, what each runs now,
 * tasks done and recent throughput, reputation, and the control to quarantine or release it.
 */
export function Workers({ client }: { client: AdminClient }) {
  const list = useLoad(() => client.workers(), []);
  const reread = useThrottle(list.reload, 2000);
  useFeed('workers', reread);
  useFeed('stats', reread);
  const seen = useRef<Seen>(new Map());
  const [message, setMessage] = useState<{ text: string; error: boolean } | undefined>(undefined);

  const workers = list.value?.workers ?? [];
  const now = Date.now();
  for (const worker of workers) see(seen.current, worker, now);

  async function setQuarantined(id: string, quarantined: boolean): Promise<void> {
    try {
      await client.setQuarantined(id, quarantined);
      setMessage({ text: `${id} ${quarantined ? 'quarantined' : 'released'}.`, error: false });
      list.reload();
    } catch (error) {
      setMessage({ text: `Could not ${quarantined ? 'quarantine' : 'release'} ${id}: ${describeError(error)}`, error: true });
    }
  }

  return (
    <section aria-labelledby="workers-title">
      <h1 id="workers-title">Workers</h1>
      {list.error !== undefined && <p class="error" role="alert">Could not read the workers: {list.error}</p>}
      {message && (
        <p class={message.error ? 'error' : 'note'} role={message.error ? 'alert' : 'status'}>
          {message.text}
        </p>
      )}
      <div class="table-box">
        <table id="workers">
          <thead>
            <tr>
              <th scope="col">Worker</th>
              <th scope="col">Runtime and adapter</th>
              <th scope="col">Tensor backends (GFLOPS)</th>
              <th scope="col">Runs at once</th>
              <th scope="col">Running now</th>
              <th scope="col">Tasks done</th>
              <th scope="col">Tasks/min</th>
              <th scope="col">Reputation</th>
              <th scope="col">
                <span class="visually-hidden">Control</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {workers.map((worker) => (
              <WorkerRow key={worker.id} worker={worker} perMinute={perMinute(seen.current.get(worker.id))} onQuarantine={(quarantine) => void setQuarantined(worker.id, quarantine)} />
            ))}
          </tbody>
        </table>
      </div>
      {list.value && workers.length === 0 && <p class="empty">No workers connected. Open the join URL in a tab to add one.</p>}
      <Quarantined list={list.value?.quarantined ?? []} onRelease={(id) => void setQuarantined(id, false)} />
    </section>
  );
}

function WorkerRow({ worker, perMinute, onQuarantine }: { worker: WorkerStatus; perMinute: number | undefined; onQuarantine: (quarantine: boolean) => void }) {
  const figures = backendFigures(worker);
  const chosen = worker.capabilities.tensor?.chosen.backend;
  const reputation = worker.reputation;
  return (
    <tr data-worker-id={worker.id}>
      <td class="id">
        {worker.id}
        {worker.capabilities.debug && <span class="badge"> debug</span>}
      </td>
      <td>
        {worker.capabilities.runtime} · {describeGpu(worker)}
      </td>
      <td>{figures.length > 0 ? figures.map((figure) => `${figure.backend}${figure.backend === chosen ? ' (used)' : ''} ${formatRate(figure.gflops)}`).join(', ') : chosen ? `${chosen} (used, not measured)` : 'not measured yet'}</td>
      <td>{runsAtOnce(worker)}</td>
      <td class="current">
        {worker.currentTasks.length === 0
          ? 'idle'
          : worker.currentTasks.map((task, at) => (
              <>
                {at > 0 && ', '}
                <a key={`${task.jobId}/${task.taskIndex}`} href={hrefOf({ view: 'job', id: task.jobId })}>
                  {task.jobId}/{task.taskIndex}
                </a>
                {task.progress > 0 && ` ${Math.round(task.progress * 100)}%`}
              </>
            ))}
      </td>
      <td class="tasks-done">{worker.tasksDone}</td>
      <td>{formatRate(perMinute)}</td>
      <td class="reputation">{reputation ? `${reputation.valid} valid · ${reputation.invalid} invalid · ${counted(reputation.errors, 'error')} · ${reputation.streak} in a row` : '—'}</td>
      <td>
        <button type="button" class="danger" onClick={() => onQuarantine(true)} aria-label={`Quarantine ${worker.id}`}>
          Quarantine
        </button>
      </td>
    </tr>
  );
}

/** How many tasks it runs at once, of how many cores. */
function runsAtOnce(worker: WorkerStatus): string {
  const cores = worker.capabilities.hardwareConcurrency;
  const runs = worker.concurrency === undefined ? '—' : String(worker.concurrency);
  return cores === undefined ? runs : `${runs} of ${counted(cores, 'core')}`;
}

function Quarantined({ list, onRelease }: { list: WorkerReputation[]; onRelease: (id: string) => void }) {
  if (list.length === 0) return null;
  return (
    <>
      <h2>Quarantined</h2>
      <ul class="quarantined">
        {list.map((worker) => (
          <li key={worker.id}>
            <span class="id">{worker.id}</span> {worker.note ?? ''}{' '}
            <button type="button" onClick={() => onRelease(worker.id)} aria-label={`Release ${worker.id}`}>
              Release
            </button>
          </li>
        ))}
      </ul>
    </>
  );
}

function see(seen: Seen, worker: WorkerStatus, at: number): void {
  const list = seen.get(worker.id) ?? [];
  if ((list.at(-1)?.at ?? 0) < at) list.push({ at, done: worker.tasksDone });
  while (list.length > 2 && list[0]!.at < at - RATE_WINDOW_MS) list.shift();
  seen.set(worker.id, list);
}

function perMinute(list: { at: number; done: number }[] | undefined): number | undefined {
  const first = list?.[0];
  const last = list?.at(-1);
  if (!first || !last || last.at - first.at < 5000) return undefined;
  return ((last.done - first.done) * 60_000) / (last.at - first.at);
}
